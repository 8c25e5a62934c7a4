/**
 * A task's params: for a notebook, one typed field per declared parameter with its
 * default and help; for every param, where its value comes from (the default, a value,
 * a workflow param, or an upstream output: choosing an output of a task that is not
 * upstream adds the edge).
 */
import { useState } from "react";
import type { ParameterInfo } from "../api/types.js";
import { bindingChoices, bindParam, type Binding } from "../core/bindings.js";
import type { DesignDoc, TaskDraft } from "../core/model.js";
import { notebookParamForm, parseFieldInput, type ParamField } from "../core/param-form.js";
import { issuesAt, type PlacedIssue } from "../core/validation.js";
import { shown } from "./field-text.js";
import { IssueList } from "./FormFields.js";
import type { Designer } from "./useDesigner.js";

/** Props of the params editor. */
export interface ParamsEditorProps {
  designer: Designer;
  id: string;
  task: TaskDraft;
  /** Issues under `params`. */
  issues: readonly PlacedIssue[];
  declared: readonly ParameterInfo[] | undefined;
}

function encode(b: Binding): string {
  switch (b.kind) {
    case "param":
      return `param:${b.name}`;
    case "output":
      return `output:${b.task}:${b.output}`;
    default:
      return b.kind;
  }
}

/** The params section of the task panel. */
export function ParamsEditor({ designer, id, task, issues, declared }: ParamsEditorProps) {
  const { doc, apply, seal } = designer;
  const [newName, setNewName] = useState("");
  // Non-notebook tasks declare nothing: every param they set is an extra field.
  const fields: ParamField[] = notebookParamForm(
    task.type === "notebook" ? (declared ?? []) : [],
    task.params,
  );
  const choices = bindingChoices(doc, id);
  const bind = (name: string, binding: Binding, coalesce?: string) =>
    apply(
      (d: DesignDoc) => bindParam(d, id, name, binding),
      `set ${id}.params.${name}`,
      coalesce ? { coalesce } : {},
    );

  const onSource = (field: ParamField, value: string) => {
    if (value === "unset") bind(field.name, { kind: "unset" });
    else if (value === "literal")
      bind(field.name, { kind: "literal", value: field.defaultValue ?? "" });
    else if (value === "template")
      bind(field.name, { kind: "template", text: shown(task.params[field.name]) });
    else if (value.startsWith("param:")) bind(field.name, { kind: "param", name: value.slice(6) });
    else if (value.startsWith("output:")) {
      const [, source = "", output = ""] = value.split(":");
      bind(field.name, { kind: "output", task: source, output });
    }
  };

  return (
    <fieldset className="params">
      <legend>Params</legend>
      {task.type === "notebook" && declared === undefined && (
        <p aria-busy="true">Reading the notebook's parameters…</p>
      )}
      {fields.length === 0 && <p>No params.</p>}
      {fields.map((f) => {
        const value = task.params[f.name];
        const fieldIssues = issuesAt(issues, `params.${f.name}`);
        const selectId = `${id}-param-${f.name}-source`;
        const valueId = `${id}-param-${f.name}-value`;
        const editable = f.binding.kind === "literal" || f.binding.kind === "template";
        return (
          <div key={f.name} className={`param${fieldIssues.length > 0 ? " invalid" : ""}`}>
            <div className="param-head">
              <label htmlFor={selectId}>
                <code>{f.name}</code>
                {f.declaredType !== null && <span className="param-type"> {f.declaredType}</span>}
              </label>
              {f.help !== "" && <span className="param-help"> — {f.help}</span>}
            </div>
            <select
              id={selectId}
              value={encode(f.binding)}
              onChange={(e) => onSource(f, e.target.value)}
            >
              <option value="unset">
                {f.declared ? `Notebook default (${f.defaultText})` : "Not set"}
              </option>
              <option value="literal">A value</option>
              {f.binding.kind === "template" && (
                <option value="template">Text with expressions</option>
              )}
              <optgroup label="Workflow params">
                {choices
                  .filter((c) => c.kind === "param")
                  .map((c) => (
                    <option key={c.name} value={`param:${c.name}`}>
                      params.{c.name}
                      {c.type !== undefined ? ` (${c.type})` : ""}
                    </option>
                  ))}
              </optgroup>
              <optgroup label="Outputs of other tasks">
                {choices
                  .filter((c) => c.kind === "output")
                  .map((c) => (
                    <option key={`${c.task}.${c.output}`} value={`output:${c.task}:${c.output}`}>
                      {c.task}.{c.output}
                      {c.upstream ? "" : " (adds the edge)"}
                    </option>
                  ))}
              </optgroup>
            </select>
            {editable && (
              <>
                <label htmlFor={valueId} className="visually-hidden">
                  Value of {f.name}
                </label>
                <input
                  id={valueId}
                  value={shown(value)}
                  aria-invalid={fieldIssues.length > 0}
                  onChange={(e) => {
                    const parsed = parseFieldInput(f.kind, e.target.value);
                    const next = "value" in parsed ? parsed.value : e.target.value;
                    const binding: Binding =
                      typeof next === "string" && next.includes("{{")
                        ? { kind: "template", text: next }
                        : { kind: "literal", value: next };
                    bind(f.name, binding, `param:${id}.${f.name}`);
                  }}
                  onBlur={seal}
                />
              </>
            )}
            {!f.declared && (
              <button
                type="button"
                onClick={() => bind(f.name, { kind: "unset" })}
                aria-label={`Remove param ${f.name}`}
              >
                Remove
              </button>
            )}
            <IssueList id={`${valueId}-issues`} issues={fieldIssues} />
          </div>
        );
      })}
      <form
        className="param-add"
        onSubmit={(e) => {
          e.preventDefault();
          const name = newName.trim();
          if (name === "") return;
          bind(name, { kind: "literal", value: "" });
          setNewName("");
        }}
      >
        <label>
          <span className="visually-hidden">New param name</span>
          <input
            placeholder="new param name"
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
          />
        </label>
        <button type="submit">Add param</button>
      </form>
      <IssueList
        id={`${id}-params-issues`}
        issues={issuesAt(issues, "params").filter((i) => i.field === "params")}
      />
    </fieldset>
  );
}

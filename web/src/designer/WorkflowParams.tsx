/** The workflow params editor: typed params with default, description, enum and bounds. */
import { useState } from "react";
import { PARAM_TYPES, type ParamSpec, type ParamType } from "../../../src/spec/types.js";
import type { DesignDoc, JsonObject, JsonValue } from "../core/model.js";
import { parseFieldInput } from "../core/param-form.js";
import { issuesAt, type PlacedIssue } from "../core/validation.js";
import {
  removeWorkflowParam,
  renameWorkflowParam,
  setWorkflowParam,
  workflowParams,
} from "../core/workflow-fields.js";
import { shown } from "./field-text.js";
import { IssueList } from "./FormFields.js";
import type { Designer } from "./useDesigner.js";

/** Props of the workflow params editor. */
export interface WorkflowParamsProps {
  designer: Designer;
  /** Workflow issues (paths under `params` are shown on their param). */
  issues: readonly PlacedIssue[];
}

/** A bound's value: "" unsets it, a non-number is kept as typed for the validator to explain. */
function numberOrText(text: string): JsonValue | undefined {
  if (text.trim() === "") return undefined;
  const r = parseFieldInput("number", text);
  return "value" in r ? r.value : text;
}

function specOf(raw: JsonObject): ParamSpec {
  const t = raw["type"];
  const known = typeof t === "string" && (PARAM_TYPES as readonly string[]).includes(t);
  const type = known ? (t as ParamType) : "string";
  return { ...(raw as unknown as ParamSpec), type };
}

/** The params section of the workflow panel. */
export function WorkflowParams({ designer, issues }: WorkflowParamsProps) {
  const { doc, apply, seal } = designer;
  const [newName, setNewName] = useState("");
  const params = workflowParams(doc);
  const update = (
    name: string,
    patch: Partial<Record<keyof ParamSpec, JsonValue | undefined>>,
    key: string,
  ) =>
    apply(
      (d: DesignDoc) => {
        const next = { ...specOf(workflowParams(d)[name] ?? {}) } as Record<
          string,
          JsonValue | undefined
        >;
        for (const [k, v] of Object.entries(patch)) next[k] = v;
        return setWorkflowParam(d, name, next as unknown as ParamSpec);
      },
      `edit param ${name}`,
      { coalesce: `wfparam:${name}.${key}` },
    );

  return (
    <fieldset className="wf-params">
      <legend>Workflow params</legend>
      {Object.keys(params).length === 0 && <p>No params yet.</p>}
      {Object.entries(params).map(([name, raw]) => {
        const spec = specOf(raw);
        const kind = spec.type;
        const here = issuesAt(issues, `params.${name}`);
        return (
          <div key={name} className={`wf-param${here.length > 0 ? " invalid" : ""}`}>
            <label>
              Name
              <input
                defaultValue={name}
                onBlur={(e) => {
                  const to = e.target.value.trim();
                  if (to !== name)
                    apply(
                      (d: DesignDoc) => renameWorkflowParam(d, name, to),
                      `rename param ${name}`,
                    );
                }}
              />
            </label>
            <label>
              Type
              <select value={kind} onChange={(e) => update(name, { type: e.target.value }, "type")}>
                {PARAM_TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </label>
            <label>
              Default
              <input
                value={shown(raw["default"])}
                onChange={(e) => {
                  const text = e.target.value;
                  const r = parseFieldInput(kind, text);
                  update(
                    name,
                    { default: text === "" ? undefined : "value" in r ? r.value : text },
                    "default",
                  );
                }}
                onBlur={seal}
              />
            </label>
            <label>
              Description
              <input
                value={shown(raw["description"])}
                onChange={(e) =>
                  update(
                    name,
                    { description: e.target.value === "" ? undefined : e.target.value },
                    "description",
                  )
                }
                onBlur={seal}
              />
            </label>
            {(kind === "number" || kind === "integer") && (
              <>
                <label>
                  Minimum
                  <input
                    value={shown(raw["minimum"])}
                    onChange={(e) =>
                      update(name, { minimum: numberOrText(e.target.value) }, "minimum")
                    }
                    onBlur={seal}
                  />
                </label>
                <label>
                  Maximum
                  <input
                    value={shown(raw["maximum"])}
                    onChange={(e) =>
                      update(name, { maximum: numberOrText(e.target.value) }, "maximum")
                    }
                    onBlur={seal}
                  />
                </label>
              </>
            )}
            <button
              type="button"
              aria-label={`Remove workflow param ${name}`}
              onClick={() =>
                apply((d: DesignDoc) => removeWorkflowParam(d, name), `remove param ${name}`)
              }
            >
              Remove
            </button>
            <IssueList id={`wf-param-${name}-issues`} issues={here} />
          </div>
        );
      })}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const name = newName.trim();
          if (name === "") return;
          apply(
            (d: DesignDoc) => setWorkflowParam(d, name, { type: "string" }),
            `add param ${name}`,
          );
          setNewName("");
        }}
      >
        <label>
          <span className="visually-hidden">New workflow param name</span>
          <input
            placeholder="new param name"
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
          />
        </label>
        <button type="submit">Add param</button>
      </form>
    </fieldset>
  );
}

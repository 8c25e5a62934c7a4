/**
 * The side panel of the selected task: its id (renaming rewrites references), the
 * fields of its type, the tasks it needs (a keyboard way to connect), its outputs, its
 * params with bindings, and its retries, timeout, pool, resources and trigger rule.
 */
import type { ParameterInfo } from "../api/types.js";
import { connect, disconnect, downstreamSet } from "../core/graph.js";
import type { DesignDoc, JsonValue, TaskDraft } from "../core/model.js";
import { parseFieldInput } from "../core/param-form.js";
import { renameTask, updateTask } from "../core/task-ops.js";
import { issuesAt, type PlacedIssue } from "../core/validation.js";
import { shown } from "./field-text.js";
import { CommitField, IssueList, SelectField, TextField } from "./FormFields.js";
import { ParamsEditor } from "./ParamsEditor.js";
import { PolicyFields } from "./PolicyFields.js";
import type { Designer } from "./useDesigner.js";

/** A type-specific field and how its text maps to a value. */
interface TypeField {
  key: string;
  label: string;
  kind: "text" | "code" | "integer" | "value" | "op" | "launch" | "command";
  required?: boolean;
}

const TYPE_FIELDS: Record<string, readonly TypeField[]> = {
  notebook: [
    { key: "notebook", label: "Notebook", kind: "text", required: true },
    { key: "kernel", label: "Kernel (default: the notebook's)", kind: "text" },
  ],
  python: [
    { key: "script", label: "Script file", kind: "text" },
    { key: "code", label: "Inline code", kind: "code" },
  ],
  r: [
    { key: "script", label: "Script file", kind: "text" },
    { key: "code", label: "Inline code", kind: "code" },
  ],
  rmarkdown: [
    { key: "file", label: "R Markdown file", kind: "text", required: true },
    { key: "format", label: "Output format", kind: "text" },
  ],
  shell: [{ key: "command", label: "Command", kind: "command", required: true }],
  torch: [
    { key: "script", label: "Training script", kind: "text", required: true },
    { key: "replicas", label: "Replicas", kind: "integer" },
    { key: "launch", label: "Launch", kind: "launch" },
  ],
  tensorflow: [
    { key: "script", label: "Training script", kind: "text", required: true },
    { key: "replicas", label: "Replicas (chief and workers)", kind: "integer" },
    { key: "ps", label: "Parameter servers", kind: "integer" },
    { key: "launch", label: "Launch", kind: "launch" },
  ],
  dask: [
    { key: "script", label: "Script", kind: "text", required: true },
    { key: "replicas", label: "Workers", kind: "integer" },
    { key: "launch", label: "Launch", kind: "launch" },
  ],
  spark: [
    { key: "application", label: "Application (.py or .jar)", kind: "text", required: true },
    { key: "executors", label: "Executors", kind: "integer" },
    { key: "launch", label: "Launch", kind: "launch" },
  ],
  condition: [
    { key: "left", label: "Left", kind: "value", required: true },
    { key: "op", label: "Operator", kind: "op", required: true },
    { key: "right", label: "Right", kind: "value", required: true },
  ],
  empty: [],
};

const OPS = ["==", "!=", ">", ">=", "<", "<="].map((o) => ({ value: o, label: o }));
const LAUNCH = [
  { value: "", label: "local (default)" },
  { value: "local", label: "local" },
  { value: "kubernetes", label: "kubernetes" },
];

/** The value a field's text stands for; "" removes an optional field. */
function valueOf(field: TypeField, text: string): JsonValue | undefined {
  if (text === "" && !field.required) return undefined;
  switch (field.kind) {
    case "integer": {
      const r = parseFieldInput("integer", text);
      return "value" in r ? r.value : text; // Kept as typed; the validator explains.
    }
    case "value": {
      const r = parseFieldInput("any", text);
      return "value" in r ? r.value : text;
    }
    case "command":
      if (text.trimStart().startsWith("[")) {
        const r = parseFieldInput("array", text);
        if ("value" in r) return r.value;
      }
      return text;
    default:
      return text;
  }
}

/** Props of the task panel. */
export interface TaskPanelProps {
  designer: Designer;
  id: string;
  task: TaskDraft;
  issues: readonly PlacedIssue[];
  /** The notebook's declared params (notebook tasks), undefined while unknown. */
  declared: readonly ParameterInfo[] | undefined;
}

/** The selected task's form. */
export function TaskPanel({ designer, id, task, issues, declared }: TaskPanelProps) {
  const { doc, apply, seal } = designer;
  const set = (key: string, value: JsonValue | undefined, label = `edit ${id}.${key}`) =>
    apply((d: DesignDoc) => updateTask(d, id, { [key]: value }), label, {
      coalesce: `field:${id}.${key}`,
    });
  const down = downstreamSet(doc, id);
  const others = Object.keys(doc.tasks).filter((t) => t !== id);

  return (
    <section className="panel" aria-label={`Task ${id}`}>
      <h2>
        Task <code>{id}</code> <span className="task-type">{task.type}</span>
      </h2>
      <IssueList id={`task-${id}-issues`} issues={issuesAt(issues, "")} />
      <CommitField
        label="Task id"
        value={id}
        hint="Renaming rewrites needs and {{ tasks.… }} references"
        onCommit={(to) =>
          apply((d: DesignDoc) => renameTask(d, id, to), `rename ${id} to ${to}`, { select: [to] })
        }
      />
      <TextField
        label="Description"
        value={shown(task["description"])}
        onChange={(v) => set("description", v === "" ? undefined : v)}
        onDone={seal}
      />
      {(TYPE_FIELDS[task.type] ?? []).map((f) =>
        f.kind === "op" || f.kind === "launch" ? (
          <SelectField
            key={f.key}
            label={f.label}
            value={shown(task[f.key])}
            options={f.kind === "op" ? OPS : LAUNCH}
            issues={issuesAt(issues, f.key)}
            onChange={(v) => set(f.key, v === "" ? undefined : v)}
          />
        ) : (
          <TextField
            key={f.key}
            label={f.label}
            multiline={f.kind === "code" || f.kind === "command"}
            value={shown(task[f.key])}
            issues={issuesAt(issues, f.key)}
            onChange={(v) => set(f.key, valueOf(f, v))}
            onDone={seal}
          />
        ),
      )}
      <fieldset className="needs">
        <legend>Needs (upstream tasks)</legend>
        {others.length === 0 && <p>No other task yet.</p>}
        {others.map((other) => {
          const checked = task.needs.includes(other);
          const blocked = !checked && down.has(other);
          return (
            <label
              key={other}
              className="check"
              title={blocked ? `${other} runs after ${id}` : undefined}
            >
              <input
                type="checkbox"
                checked={checked}
                disabled={blocked}
                onChange={(e) =>
                  e.target.checked
                    ? apply((d: DesignDoc) => connect(d, other, id), `connect ${other} -> ${id}`)
                    : apply(
                        (d: DesignDoc) => disconnect(d, other, id),
                        `disconnect ${other} -> ${id}`,
                      )
                }
              />{" "}
              {other}
            </label>
          );
        })}
        <IssueList id={`task-${id}-needs`} issues={issuesAt(issues, "needs")} />
      </fieldset>
      <TextField
        label="Outputs (comma-separated names)"
        value={task.outputs.join(", ")}
        issues={issuesAt(issues, "outputs")}
        onChange={(v) =>
          set(
            "outputs",
            v
              .split(",")
              .map((s) => s.trim())
              .filter((s) => s !== ""),
          )
        }
        onDone={seal}
      />
      <ParamsEditor
        designer={designer}
        id={id}
        task={task}
        issues={issuesAt(issues, "params")}
        declared={declared}
      />
      <PolicyFields task={task} issues={issues} set={set} seal={seal} />
    </section>
  );
}

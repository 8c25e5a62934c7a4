/** A task's retries, retry delay, timeout, pool, resources and trigger rule. */
import { TRIGGER_RULES } from "../../../src/spec/types.js";
import { isObject, type JsonObject, type JsonValue, type TaskDraft } from "../core/model.js";
import { parseFieldInput } from "../core/param-form.js";
import { issuesAt, type PlacedIssue } from "../core/validation.js";
import { SelectField, TextField } from "./FormFields.js";
import { shown } from "./field-text.js";

const RULES = [
  { value: "", label: "all_success (default)" },
  ...TRIGGER_RULES.map((r) => ({ value: r, label: r })),
];

/** Props of the policy fields. */
export interface PolicyFieldsProps {
  task: TaskDraft;
  issues: readonly PlacedIssue[];
  set: (key: string, value: JsonValue | undefined) => void;
  seal: () => void;
}

/** A number field's value: "" unsets it, a non-number is kept as typed for the validator to explain. */
function numberOrText(text: string): JsonValue | undefined {
  if (text.trim() === "") return undefined;
  const r = parseFieldInput("number", text);
  return "value" in r ? r.value : text;
}

/** The policy section of the task panel. */
export function PolicyFields({ task, issues, set, seal }: PolicyFieldsProps) {
  const resources: JsonObject = isObject(task["resources"]) ? task["resources"] : {};
  const setResource = (key: string, value: JsonValue | undefined) => {
    const next: JsonObject = { ...resources };
    if (value === undefined) delete next[key];
    else next[key] = value;
    set("resources", Object.keys(next).length === 0 ? undefined : next);
  };
  return (
    <fieldset className="policy">
      <legend>Retries, timeout and resources</legend>
      <TextField
        label="Retries"
        value={shown(task["retries"])}
        issues={issuesAt(issues, "retries")}
        onChange={(v) => set("retries", numberOrText(v))}
        onDone={seal}
      />
      <TextField
        label="Retry delay"
        placeholder="10s"
        value={shown(task["retryDelay"])}
        issues={issuesAt(issues, "retryDelay")}
        onChange={(v) => set("retryDelay", v === "" ? undefined : v)}
        onDone={seal}
      />
      <TextField
        label="Timeout"
        placeholder="30m"
        value={shown(task["timeout"])}
        issues={issuesAt(issues, "timeout")}
        onChange={(v) => set("timeout", v === "" ? undefined : v)}
        onDone={seal}
      />
      <TextField
        label="Pool"
        placeholder="default"
        value={shown(task["pool"])}
        issues={issuesAt(issues, "pool")}
        onChange={(v) => set("pool", v === "" ? undefined : v)}
        onDone={seal}
      />
      <SelectField
        label="Trigger rule (when)"
        value={shown(task["when"])}
        options={RULES}
        issues={issuesAt(issues, "when")}
        onChange={(v) => set("when", v === "" ? undefined : v)}
      />
      <TextField
        label="CPU"
        value={shown(resources["cpu"])}
        issues={issuesAt(issues, "resources.cpu")}
        onChange={(v) =>
          setResource(
            "cpu",
            v.trim() === "" ? undefined : /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v,
          )
        }
        onDone={seal}
      />
      <TextField
        label="Memory"
        placeholder="4Gi"
        value={shown(resources["memory"])}
        issues={issuesAt(issues, "resources.memory")}
        onChange={(v) => setResource("memory", v === "" ? undefined : v)}
        onDone={seal}
      />
      <TextField
        label="GPUs"
        value={shown(resources["gpu"])}
        issues={issuesAt(issues, "resources.gpu")}
        onChange={(v) => setResource("gpu", numberOrText(v))}
        onDone={seal}
      />
    </fieldset>
  );
}

/** The side panel when no task is selected: the workflow's own fields, schedule and params. */
import { getOwn, type JsonValue } from "../core/model.js";
import { issuesAt } from "../core/validation.js";
import { setTopField, type TopField } from "../core/workflow-fields.js";
import { shown } from "./field-text.js";
import { CheckField, IssueList, TextField } from "./FormFields.js";
import { ScheduleEditor } from "./ScheduleEditor.js";
import type { Designer } from "./useDesigner.js";
import { WorkflowParams } from "./WorkflowParams.js";

/** Props of the workflow panel. */
export interface WorkflowPanelProps {
  designer: Designer;
  now: Date;
}

/** The workflow's form. */
export function WorkflowPanel({ designer, now }: WorkflowPanelProps) {
  const { doc, issues, apply, seal } = designer;
  const wf = issues.workflow;
  const set = (field: TopField, value: JsonValue | undefined) =>
    apply((d) => setTopField(d, field, value), `edit ${field}`, { coalesce: `top:${field}` });
  const text = (field: TopField) => shown(getOwn(doc.top, field));
  const general = wf.filter(
    (i) => !/^(name|description|schedule|timezone|catchup|params)\b/.test(i.field),
  );
  return (
    <section className="panel" aria-label="Workflow">
      <h2>Workflow</h2>
      <IssueList id="wf-general-issues" issues={general} />
      <TextField
        label="Name"
        value={text("name")}
        issues={issuesAt(wf, "name")}
        onChange={(v) => set("name", v)}
        onDone={seal}
      />
      <TextField
        label="Description"
        value={text("description")}
        issues={issuesAt(wf, "description")}
        onChange={(v) => set("description", v === "" ? undefined : v)}
        onDone={seal}
      />
      <ScheduleEditor
        schedule={text("schedule")}
        timezone={text("timezone")}
        now={now}
        scheduleIssues={issuesAt(wf, "schedule")}
        timezoneIssues={issuesAt(wf, "timezone")}
        onSchedule={(v) => set("schedule", v === "" ? undefined : v)}
        onTimezone={(v) => set("timezone", v === "" ? undefined : v)}
        onDone={seal}
      />
      <CheckField
        label="Catch up missed scheduled runs on resume"
        checked={getOwn(doc.top, "catchup") === true}
        onChange={(v) => set("catchup", v ? true : undefined)}
      />
      <WorkflowParams designer={designer} issues={wf} />
    </section>
  );
}

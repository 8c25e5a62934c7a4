/** The schedule and time zone fields, with the cron in words and the next five runs. */
import { useMemo } from "react";
import { describeSchedule } from "../core/schedule.js";
import type { PlacedIssue } from "../core/validation.js";
import { TextField } from "./FormFields.js";

/** Props of the schedule editor. */
export interface ScheduleEditorProps {
  schedule: string;
  timezone: string;
  /** The instant "next runs" count from (the page passes the current time). */
  now: Date;
  scheduleIssues: readonly PlacedIssue[];
  timezoneIssues: readonly PlacedIssue[];
  onSchedule: (v: string) => void;
  onTimezone: (v: string) => void;
  onDone: () => void;
}

/** The schedule section of the workflow panel. */
export function ScheduleEditor(props: ScheduleEditorProps) {
  const { schedule, timezone, now } = props;
  const info = useMemo(
    () => (schedule.trim() === "" ? undefined : describeSchedule(schedule, timezone, now)),
    [schedule, timezone, now],
  );
  return (
    <fieldset className="schedule">
      <legend>Schedule</legend>
      <TextField
        label="Cron or preset"
        placeholder="0 2 * * *  or  @daily  (empty: manual runs only)"
        value={schedule}
        issues={props.scheduleIssues}
        onChange={props.onSchedule}
        onDone={props.onDone}
      />
      <TextField
        label="Time zone"
        placeholder="UTC"
        value={timezone}
        issues={props.timezoneIssues}
        onChange={props.onTimezone}
        onDone={props.onDone}
      />
      <div aria-live="polite">
        {info === undefined && <p>No schedule: the workflow runs when triggered.</p>}
        {info?.ok === true && (
          <>
            <p className="schedule-words">{info.words}</p>
            <p>Next runs:</p>
            <ol className="schedule-next">
              {info.next.map((r) => (
                <li key={r.iso}>
                  <time dateTime={r.iso}>{r.local}</time>
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
    </fieldset>
  );
}

/**
 * Labelled form fields with their validation problems attached (aria-describedby), so
 * a screen reader reads a field's problem with the field.
 */
import { useId, useState, type ReactNode } from "react";
import type { PlacedIssue } from "../core/validation.js";

/** The problems of one field, announced with it. */
export function IssueList({ id, issues }: { id: string; issues: readonly PlacedIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <ul className="field-issues" id={id}>
      {issues.map((i) => (
        <li key={`${i.path}:${i.message}`}>{i.message}</li>
      ))}
    </ul>
  );
}

interface FieldProps {
  label: string;
  issues?: readonly PlacedIssue[];
  hint?: string;
}

function FieldShell({
  label,
  issues = [],
  hint,
  children,
}: FieldProps & { children: (id: string, describedBy: string | undefined) => ReactNode }) {
  const id = useId();
  const issueId = `${id}-issues`;
  const hintId = `${id}-hint`;
  const describedBy = [issues.length > 0 ? issueId : "", hint !== undefined ? hintId : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={`field${issues.length > 0 ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy === "" ? undefined : describedBy)}
      {hint !== undefined && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      <IssueList id={issueId} issues={issues} />
    </div>
  );
}

/** A text input that reports every keystroke and when editing ends. */
export function TextField({
  value,
  onChange,
  onDone,
  multiline = false,
  placeholder,
  ...rest
}: FieldProps & {
  value: string;
  onChange: (v: string) => void;
  onDone?: () => void;
  multiline?: boolean;
  placeholder?: string;
}) {
  return (
    <FieldShell {...rest}>
      {(id, describedBy) =>
        multiline ? (
          <textarea
            id={id}
            value={value}
            rows={4}
            spellCheck={false}
            placeholder={placeholder}
            aria-describedby={describedBy}
            aria-invalid={(rest.issues?.length ?? 0) > 0}
            onChange={(e) => onChange(e.target.value)}
            onBlur={onDone}
          />
        ) : (
          <input
            id={id}
            value={value}
            placeholder={placeholder}
            aria-describedby={describedBy}
            aria-invalid={(rest.issues?.length ?? 0) > 0}
            onChange={(e) => onChange(e.target.value)}
            onBlur={onDone}
          />
        )
      }
    </FieldShell>
  );
}

/**
 * A text input edited locally and committed on Enter or blur (for values such as a
 * task id, where every intermediate keystroke would be refused).
 */
export function CommitField({
  value,
  onCommit,
  ...rest
}: FieldProps & { value: string; onCommit: (v: string) => void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const commitDraft = () => {
    if (draft !== null && draft !== value) onCommit(draft);
    setDraft(null);
  };
  return (
    <FieldShell {...rest}>
      {(id, describedBy) => (
        <input
          id={id}
          value={draft ?? value}
          aria-describedby={describedBy}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commitDraft}
          onKeyDown={(e) => {
            if (e.key === "Enter") commitDraft();
            if (e.key === "Escape") setDraft(null);
          }}
        />
      )}
    </FieldShell>
  );
}

/** A select of fixed options; "" stands for "not set". */
export function SelectField({
  value,
  options,
  onChange,
  ...rest
}: FieldProps & {
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (v: string) => void;
}) {
  return (
    <FieldShell {...rest}>
      {(id, describedBy) => (
        <select
          id={id}
          value={value}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

/** A checkbox with its label. */
export function CheckField({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="field check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />{" "}
      {label}
    </label>
  );
}

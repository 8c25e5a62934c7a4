/**
 * The YAML tab: the document as text, editable. Text that reads updates the canvas as
 * you type (one undo step per typing burst); text that does not read stays as typed,
 * with its problems by line and column, until it reads or is discarded.
 */
import { useId, useState } from "react";
import type { DesignDoc } from "../core/model.js";
import { yamlDocChanged, yamlEdited, yamlFromDoc, type YamlState } from "../core/yaml-sync.js";
import type { Designer } from "./useDesigner.js";

/** The YAML tab of the designer. */
export function YamlTab({ designer }: { designer: Designer }) {
  const { doc, apply, seal } = designer;
  const [state, setState] = useState<YamlState>(() => yamlFromDoc(doc));
  const id = useId();

  // A change from the canvas or undo regenerates the text (unless it is unfinished);
  // adjusting state while rendering, as React recommends for state derived from props.
  if (state.doc !== doc) setState(yamlDocChanged(state, doc));

  const onChange = (text: string) => {
    const next = yamlEdited(state, text);
    setState(next);
    if (next.doc !== state.doc) {
      const read = next.doc;
      apply((_: DesignDoc) => read, "edit YAML", { coalesce: "yaml" });
    }
  };
  const problems = state.parseIssues.length > 0 ? state.parseIssues : state.issues;

  return (
    <section className="yaml-tab" aria-label="YAML">
      <label htmlFor={id} className="visually-hidden">
        Workflow YAML
      </label>
      <textarea
        id={id}
        className="yaml-text"
        spellCheck={false}
        value={state.text}
        aria-invalid={state.parseIssues.length > 0}
        aria-describedby={`${id}-problems`}
        onChange={(e) => onChange(e.target.value)}
        onBlur={seal}
      />
      <div id={`${id}-problems`} aria-live="polite">
        {state.parseIssues.length > 0 && (
          <p role="alert">
            The text does not read as a workflow; the canvas shows the last version that did.{" "}
            <button type="button" onClick={() => setState(yamlFromDoc(doc))}>
              Discard my text
            </button>
          </p>
        )}
        {problems.length === 0 ? (
          <p>No problems.</p>
        ) : (
          <ul className="yaml-problems">
            {problems.map((p) => (
              <li key={`${p.path}:${p.line ?? 0}:${p.column ?? 0}:${p.message}`}>
                {p.line !== undefined && (
                  <span className="where">
                    line {p.line}, column {p.column ?? 1}:{" "}
                  </span>
                )}
                {p.path !== "" && (
                  <>
                    <code>{p.path}</code>{" "}
                  </>
                )}
                {p.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

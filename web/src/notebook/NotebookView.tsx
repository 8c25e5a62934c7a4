/**
 * An executed (or plain) notebook drawn read-only: markdown, code with its execution
 * count, and outputs (streams, text, images, sanitized HTML, JSON, errors with their ANSI
 * colours as spans). The cell that stopped the run is highlighted, with a banner linking
 * to it; the injected-parameters cell is marked. Notebook content is never trusted: text
 * is text, markup goes through the sanitizer.
 */
import { memo, useId, useMemo, useRef, type ReactNode } from "react";
import type { JsonObject } from "../core/model.js";
import { ansiSegments, readNotebook, type CellView, type OutputView } from "./notebook-model.js";
import type { WindowLike } from "dompurify";
import { createSanitizer, type Sanitizer } from "./sanitize.js";

/** Props of the notebook viewer. */
export interface NotebookViewProps {
  notebook: JsonObject;
}

function AnsiText({ text }: { text: string }) {
  return (
    <>
      {ansiSegments(text).map((s, i) => (
        <span
          key={i}
          className={
            [s.color ? `ansi-${s.color}` : "", s.bold ? "ansi-bold" : ""].join(" ").trim() ||
            undefined
          }
        >
          {s.text}
        </span>
      ))}
    </>
  );
}

function Html({ html, className }: { html: string; className: string }) {
  // The only place notebook markup reaches the DOM, always after the sanitizer.
  return <div className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}

function Output({ output, sanitizer }: { output: OutputView; sanitizer: Sanitizer }): ReactNode {
  switch (output.kind) {
    case "stream":
      return (
        <pre className={`nb-stream nb-${output.name}`}>
          <AnsiText text={output.text} />
        </pre>
      );
    case "text":
      return <pre className="nb-text">{output.text}</pre>;
    case "json":
      return <pre className="nb-json">{output.text}</pre>;
    case "image":
      return <img className="nb-image" src={output.src} alt={`${output.mime} output`} />;
    case "html":
      return <Html className="nb-html" html={sanitizer.html(output.html)} />;
    case "markdown":
      return <Html className="nb-html" html={sanitizer.markdown(output.markdown)} />;
    case "error":
      return (
        <div className="nb-error" role="group" aria-label={`Error ${output.ename}`}>
          <p className="nb-error-head">
            <strong>{output.ename}</strong>
            {output.evalue !== "" && `: ${output.evalue}`}
          </p>
          {output.traceback !== "" && (
            <pre className="nb-traceback">
              <AnsiText text={output.traceback} />
            </pre>
          )}
        </div>
      );
    case "unsupported":
      return (
        <p className="nb-unsupported">
          (output of type {output.mimes.join(", ") || "unknown"} not shown)
        </p>
      );
  }
}

interface CellProps {
  cell: CellView;
  failing: boolean;
  sanitizer: Sanitizer;
  cellRef?: React.Ref<HTMLLIElement>;
  id?: string;
}

const Cell = memo(function Cell({ cell, failing, sanitizer, cellRef, id }: CellProps) {
  const classes = [
    "nb-cell",
    `nb-${cell.type}`,
    failing ? "nb-failing" : "",
    cell.injected ? "nb-injected" : "",
    cell.parameters ? "nb-parameters" : "",
  ].filter((c) => c !== "");
  const markdownHtml = useMemo(
    () => (cell.type === "markdown" ? sanitizer.markdown(cell.source) : ""),
    [cell, sanitizer],
  );
  const label =
    cell.type === "code"
      ? `Code cell ${cell.executionCount === null ? "not run" : `In [${cell.executionCount}]`}`
      : `${cell.type === "markdown" ? "Markdown" : "Raw"} cell`;
  return (
    <li
      className={classes.join(" ")}
      ref={cellRef}
      id={id}
      tabIndex={failing ? -1 : undefined}
      aria-label={failing ? `${label}, failed` : label}
    >
      {(failing || cell.injected || cell.parameters) && (
        <div className="nb-badges">
          {failing && <span className="nb-badge bad">Failed here</span>}
          {cell.injected && <span className="nb-badge">Injected parameters</span>}
          {cell.parameters && <span className="nb-badge">Parameters (defaults)</span>}
        </div>
      )}
      {cell.type === "markdown" && <Html className="nb-markdown" html={markdownHtml} />}
      {cell.type === "raw" && <pre className="nb-raw">{cell.source}</pre>}
      {cell.type === "code" && (
        <>
          <div className="nb-input">
            <span className="nb-prompt" aria-hidden="true">
              In [{cell.executionCount ?? " "}]:
            </span>
            <pre className="nb-source">
              <code>{cell.source}</code>
            </pre>
          </div>
          {cell.outputs.length > 0 && (
            <div className="nb-outputs">
              {cell.outputs.map((o, i) => (
                <Output key={i} output={o} sanitizer={sanitizer} />
              ))}
            </div>
          )}
          {cell.duration !== null && (
            <div className="nb-duration">{cell.duration.toFixed(2)} s</div>
          )}
        </>
      )}
    </li>
  );
});

/** The notebook viewer (used by the run page and the notebook library). */
export function NotebookView({ notebook }: NotebookViewProps) {
  const model = useMemo(() => readNotebook(notebook), [notebook]);
  const sanitizer = useMemo(() => createSanitizer(window as unknown as WindowLike), []);
  const failRef = useRef<HTMLLIElement>(null);
  const failId = `${useId()}-failing`;
  if (model.problem !== null) {
    return (
      <p role="alert" className="nb-problem">
        The notebook cannot be shown: {model.problem}.
      </p>
    );
  }
  const failing = model.cells[model.failingIndex];
  return (
    <div className="notebook" aria-label="Notebook">
      {failing !== undefined && (
        <div className="nb-banner" role="alert">
          An exception stopped this notebook at{" "}
          {failing.executionCount === null
            ? `cell ${failing.index + 1}`
            : `In [${failing.executionCount}]`}
          .{" "}
          <a
            href={`#${failId}`}
            onClick={(e) => {
              e.preventDefault();
              failRef.current?.scrollIntoView({ block: "center" });
              failRef.current?.focus();
            }}
          >
            Jump to the failing cell
          </a>
        </div>
      )}
      {model.cells.length === 0 && <p>This notebook has no cells.</p>}
      <ol className="nb-cells">
        {model.cells.map((c) =>
          c.index === model.failingIndex ? (
            <Cell
              key={c.index}
              cell={c}
              failing
              sanitizer={sanitizer}
              cellRef={failRef}
              id={failId}
            />
          ) : (
            <Cell key={c.index} cell={c} failing={false} sanitizer={sanitizer} />
          ),
        )}
      </ol>
      {model.omittedCells > 0 && <p>{model.omittedCells} more cells are not shown.</p>}
    </div>
  );
}

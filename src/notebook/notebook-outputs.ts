/**
 * A notebook task's outputs: the variables named in `outputs`, read from the kernel as
 * JSON after the last cell, plus every value recorded with scrapbook's `glue`.
 */
import { ErrorCodes, TaskError } from "../spec/errors.js";
import type { JsonObject } from "../spec/types.js";
import type { CellKernel } from "./executor.js";
import { textOf } from "./output-recorder.js";
import type { Notebook } from "./types.js";

const MARKER = "__UPDRAFT_OUTPUTS__";

/** MIME types scrapbook 0.5 uses for glued values. */
export const SCRAP_JSON_MIME = "application/scrapbook.scrap.json+json";
/** MIME type of scrapbook text scraps. */
export const SCRAP_TEXT_MIME = "application/scrapbook.scrap.text+json";

// Names travel as a JSON list literal (valid Python and, via jsonlite, R): never pasted as code.
function pythonReader(names: string[]): string {
  return `def __updraft_read_outputs(names):
    import json
    def plain(o):
        if hasattr(o, "tolist"):
            return o.tolist()
        if hasattr(o, "to_dict"):
            return o.to_dict()
        raise TypeError(type(o).__name__)
    values, missing, bad = {}, [], {}
    g = globals()
    for n in names:
        if n not in g:
            missing.append(n)
            continue
        try:
            values[n] = json.loads(json.dumps(g[n], default=plain, allow_nan=False))
        except Exception as e:
            bad[n] = "%s (%s)" % (type(g[n]).__name__, e)
    print(${JSON.stringify(MARKER)} + json.dumps({"values": values, "missing": missing, "bad": bad}))
__updraft_read_outputs(json_names_placeholder)
del __updraft_read_outputs
`.replace("json_names_placeholder", JSON.stringify(names));
}

function rReader(names: string[]): string {
  const literal = JSON.stringify(JSON.stringify(names));
  return `local({
  names <- jsonlite::fromJSON(${literal})
  # Named empty lists, so that none of them is written as [] instead of {}.
  values <- setNames(list(), character(0)); missing <- character(0); bad <- setNames(list(), character(0))
  for (n in names) {
    if (!exists(n, envir = globalenv())) { missing <- c(missing, n); next }
    v <- get(n, envir = globalenv())
    # jsonlite would write a function as its source lines: not a value anyone meant to publish.
    if (is.function(v)) { bad[[n]] <- "function"; next }
    j <- tryCatch(jsonlite::toJSON(v, auto_unbox = TRUE, digits = NA, null = "null", na = "null"),
                  error = function(e) NULL)
    # values[n] <- list(x), not values[[n]] <- x: assigning NULL (from NULL or NA) would drop n.
    if (is.null(j)) bad[[n]] <- class(v)[1] else values[n] <- list(jsonlite::fromJSON(j, simplifyVector = FALSE))
  }
  cat(${JSON.stringify(MARKER)}, jsonlite::toJSON(list(values = values, missing = I(missing), bad = bad),
      auto_unbox = TRUE, digits = NA, null = "null"), "\\n", sep = "")
})
`;
}

/**
 * Reads the named variables from the kernel; fails the task when one is missing or not
 * JSON. Names in `scraps` were published with scrapbook's glue: a variable of that name
 * still wins, but its absence is no error (and needs no kernel round trip when all are scraps).
 */
export async function readOutputVariables(
  kernel: CellKernel,
  language: string,
  names: readonly string[],
  signal?: AbortSignal,
  scraps: JsonObject = {},
): Promise<JsonObject> {
  if (names.length === 0) return {};
  const isScrap = (n: string): boolean => Object.hasOwn(scraps, n);
  if (names.every(isScrap) && language !== "python" && language !== "r") return {};
  let code: string;
  if (language === "python") code = pythonReader([...names]);
  else if (language === "r") code = rReader([...names]);
  else {
    throw new TaskError(
      ErrorCodes.TASK_FAILED,
      `outputs can be read from Python and R notebooks; this notebook's language is ${language}. ` +
        `Publish values with scrapbook's glue instead, or remove \`outputs\``,
    );
  }
  let text = "";
  let error = "";
  await kernel.execute(code, {
    // Not `silent`: ipykernel may then drop stream output; no history keeps counts unchanged.
    storeHistory: false,
    timeoutMs: 60_000,
    ...(signal ? { signal } : {}),
    onIopub: (msg) => {
      const c = msg.content as JsonObject;
      if (msg.header.msg_type === "stream" && typeof c["text"] === "string") text += c["text"];
      if (msg.header.msg_type === "error") error = `${textOf(c["ename"])}: ${textOf(c["evalue"])}`;
    },
  });
  const line = text.split("\n").find((l) => l.startsWith(MARKER));
  if (!line) {
    throw new TaskError(
      ErrorCodes.TASK_FAILED,
      `could not read the notebook's outputs from the kernel${error ? ` (${error})` : ""}`,
    );
  }
  const parsed = JSON.parse(line.slice(MARKER.length)) as {
    values: JsonObject;
    missing: string[];
    bad: Record<string, string>;
  };
  const problems: string[] = [];
  for (const n of parsed.missing) {
    if (!isScrap(n)) problems.push(`\`${n}\` is not defined after the last cell`);
  }
  for (const [n, why] of Object.entries(parsed.bad)) {
    problems.push(`\`${n}\` cannot be turned into JSON: ${why}`);
  }
  if (problems.length > 0) {
    throw new TaskError(ErrorCodes.TASK_FAILED, `declared outputs: ${problems.join("; ")}`);
  }
  return parsed.values;
}

/** Values glued with scrapbook in the executed notebook, by scrap name (later ones win). */
export function collectScraps(nb: Notebook): JsonObject {
  const scraps: JsonObject = {};
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    for (const out of cell.outputs) {
      if (out.output_type !== "display_data" && out.output_type !== "execute_result") continue;
      for (const mime of [SCRAP_JSON_MIME, SCRAP_TEXT_MIME]) {
        const scrap = out.data[mime];
        if (!scrap || typeof scrap !== "object" || Array.isArray(scrap)) continue;
        const name = scrap["name"];
        if (typeof name !== "string" || !("data" in scrap)) continue;
        scraps[name] = scrap["data"] ?? null;
      }
    }
  }
  return scraps;
}

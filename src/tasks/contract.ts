/**
 * The task contract for scripts and commands (DESIGN §3): params go in as a JSON file
 * (`$UPDRAFT_PARAMS`) and as `UPDRAFT_PARAM_<NAME>` variables; outputs come back as
 * `name=value` or JSON-object lines written to the file at `$UPDRAFT_OUTPUTS`.
 *
 * Values only ever travel through the environment and files, never through a command
 * line or shell text, so no param value can inject code.
 */
import { mkdir, open, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCodes, TaskError } from "../spec/errors.js";
import type { JsonValue } from "../spec/types.js";
import type { TaskContext } from "./types.js";

/** Largest outputs file read; bigger results belong in files whose path is published. */
export const MAX_OUTPUTS_BYTES = 16 * 1024 * 1024;

/**
 * Largest param value put in an `UPDRAFT_PARAM_*` variable: Linux refuses to start a
 * process with a single environment string over 128 KiB.
 */
const MAX_ENV_VALUE_BYTES = 128 * 1024 - 64;

/** Name of the params file in the attempt directory. */
export const PARAMS_FILE = "params.json";
/** Name of the outputs file in the attempt directory. */
export const OUTPUTS_FILE = "outputs.txt";

/** Prefix of the per-param environment variables. */
const PARAM_PREFIX = "UPDRAFT_PARAM_";

/** Output names, like the identifiers expressions can reference (`tasks.X.outputs.NAME`). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Outputs a task published. */
export type Outputs = { [name: string]: JsonValue };

/** The files and environment prepared for one attempt. */
export interface PreparedContract {
  /** The process environment: `ctx.env` plus the contract's variables. */
  env: NodeJS.ProcessEnv;
  paramsPath: string;
  outputsPath: string;
}

/** The environment variable that carries param `name` (upper-cased; other characters -> `_`). */
export function paramEnvName(name: string): string {
  return PARAM_PREFIX + name.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

/** How a param value appears in its variable: strings as they are, anything else as JSON. */
export function paramEnvValue(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Writes `params.json` and an empty outputs file into the attempt directory and builds
 * the environment of the task's process.
 */
export async function prepareContract(ctx: TaskContext): Promise<PreparedContract> {
  await mkdir(ctx.attemptDir, { recursive: true });
  const paramsPath = join(ctx.attemptDir, PARAMS_FILE);
  const outputsPath = join(ctx.attemptDir, OUTPUTS_FILE);
  await Promise.all([
    writeFile(paramsPath, JSON.stringify(ctx.params, null, 2) + "\n"),
    writeFile(outputsPath, ""),
  ]);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(ctx.env)) {
    // Variables of an enclosing Updraft task would be mistaken for this task's params.
    if (!key.startsWith(PARAM_PREFIX)) env[key] = value;
  }
  for (const [name, value] of Object.entries(ctx.params)) {
    const text = paramEnvValue(value);
    if (text.includes("\0") || Buffer.byteLength(text) > MAX_ENV_VALUE_BYTES) {
      // Such a value cannot be an environment variable; the JSON file still has it.
      ctx.log.write(
        `updraft: param \`${name}\` is not passed as $${paramEnvName(name)} ` +
          `(too large or contains a NUL character); read it from $UPDRAFT_PARAMS\n`,
      );
      continue;
    }
    env[paramEnvName(name)] = text;
  }
  env.UPDRAFT_PARAMS = paramsPath;
  env.UPDRAFT_OUTPUTS = outputsPath;
  env.UPDRAFT_RUN_ID = ctx.runId;
  env.UPDRAFT_TASK_ID = ctx.taskId;
  env.UPDRAFT_ATTEMPT = String(ctx.attempt);
  env.UPDRAFT_WORKFLOW = ctx.workflow;
  return { env, paramsPath, outputsPath };
}

/** Fails the task: the outputs file is not as the contract says. */
function outputsError(message: string): TaskError {
  return new TaskError(ErrorCodes.TASK_FAILED, message);
}

/** A line of the outputs file as it appears in an error message (shortened). */
function quoteLine(line: string): string {
  const short = line.length > 80 ? `${line.slice(0, 77)}...` : line;
  return JSON.stringify(short);
}

/** A `name=value` value: JSON when it parses as JSON, else the text as it is. */
function parseValue(text: string): JsonValue {
  const first = text.charCodeAt(0);
  // Only try JSON where it can apply, so plain words skip the exception.
  const jsonish =
    text === "true" ||
    text === "false" ||
    text === "null" ||
    first === 34 /* " */ ||
    first === 91 /* [ */ ||
    first === 123 /* { */ ||
    first === 45 /* - */ ||
    (first >= 48 && first <= 57) ||
    first === 32 ||
    first === 9;
  if (!jsonish) return text;
  try {
    const value = JSON.parse(text) as JsonValue;
    // 1e999 parses to Infinity, which JSON cannot carry further: keep the text.
    if (typeof value === "number" && !Number.isFinite(value)) return text;
    return value;
  } catch {
    return text;
  }
}

/**
 * Parses the text of an outputs file: `name=value` lines (value JSON when it parses,
 * else a string) and JSON-object lines (keys merged); blank lines ignored; a later
 * value overrides an earlier one. Throws a TaskError naming the first bad line.
 */
export function parseOutputs(text: string): Outputs {
  // A Map, not an object: a key such as `__proto__` must stay a plain key.
  const values = new Map<string, JsonValue>();
  // A byte-order mark (Windows editors, PowerShell) is not part of the first name.
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? "";
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.trim() === "") continue;
    const where = `line ${i + 1} of $UPDRAFT_OUTPUTS`;
    if (line.trimStart().startsWith("{")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw outputsError(
          `${where} starts with \`{\` but is not valid JSON: ${quoteLine(line)}; ` +
            `write one JSON object per line`,
        );
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw outputsError(`${where} is not a JSON object: ${quoteLine(line)}`);
      }
      for (const [name, value] of Object.entries(parsed as { [k: string]: JsonValue })) {
        if (!IDENTIFIER.test(name)) {
          throw outputsError(
            `${where} publishes output ${JSON.stringify(name)}, which is not a valid name; ` +
              `use letters, digits and _ and start with a letter or _`,
          );
        }
        values.set(name, value);
      }
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) {
      throw outputsError(`${where} is not \`name=value\` or a JSON object: ${quoteLine(line)}`);
    }
    const name = line.slice(0, eq);
    if (!IDENTIFIER.test(name)) {
      throw outputsError(
        `${where} publishes output ${JSON.stringify(name)}, which is not a valid name; ` +
          `use letters, digits and _ and start with a letter or _ (no spaces around \`=\`)`,
      );
    }
    values.set(name, parseValue(line.slice(eq + 1)));
  }
  return Object.fromEntries(values);
}

/** Throws a TaskError naming every declared output missing from `outputs`. */
export function checkDeclaredOutputs(declared: readonly string[], outputs: Outputs): void {
  const missing = declared.filter((name) => !Object.hasOwn(outputs, name));
  const first = missing[0];
  if (first === undefined) return;
  const names = missing.map((n) => `\`${n}\``).join(", ");
  throw outputsError(
    `task did not publish output${missing.length > 1 ? "s" : ""} ${names}; ` +
      `write \`${first}=...\` to $UPDRAFT_OUTPUTS`,
  );
}

/**
 * Reads and parses the outputs file after the process ended and checks that every
 * output the task declares is there. A missing file counts as empty.
 */
export async function collectOutputs(
  outputsPath: string,
  declared: readonly string[],
): Promise<Outputs> {
  const text = await readOutputsFile(outputsPath);
  const outputs = parseOutputs(text);
  checkDeclaredOutputs(declared, outputs);
  return outputs;
}

/** Reads the outputs file, refusing one over {@link MAX_OUTPUTS_BYTES}. */
async function readOutputsFile(path: string): Promise<string> {
  // stat first: most tasks publish nothing, and one call settles that.
  const size = await stat(path).then(
    (s) => s.size,
    (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return 0;
      throw outputsError(`cannot read $UPDRAFT_OUTPUTS (${path}): ${err.message}`);
    },
  );
  if (size === 0) return "";
  if (size > MAX_OUTPUTS_BYTES) throw tooLarge(mib(size));
  const file = await open(path, "r");
  try {
    // Read up to EOF but never past the limit: something may still be appending.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(Math.max(size, 65536), MAX_OUTPUTS_BYTES + 1 - length));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > MAX_OUTPUTS_BYTES) throw tooLarge(`more than ${mib(MAX_OUTPUTS_BYTES)}`);
    }
    return Buffer.concat(chunks, length).toString("utf8");
  } finally {
    await file.close();
  }
}

/** A byte count in MiB, for messages. */
function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The error for an outputs file over the limit; `amount` says how much was written. */
function tooLarge(amount: string): TaskError {
  return outputsError(
    `the task wrote ${amount} to $UPDRAFT_OUTPUTS, over the ${mib(MAX_OUTPUTS_BYTES)} limit; ` +
      `write large results to a file and publish its path instead`,
  );
}

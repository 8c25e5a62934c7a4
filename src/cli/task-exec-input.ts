/**
 * The JSON `updraft task exec` reads: one resolved task and where it belongs. Checked
 * strictly, because it crosses a process boundary (an Airflow worker, a pod) and a
 * typo should fail with a sentence, not half-run a task.
 */
import { ConnectionGrantError, type ConnectionGrantResult } from "../engine/connection-grant.js";
import { validateConnection, type Connection } from "../secrets/connection.js";
import { CONNECTION_ENV_PREFIX, connectionEnv } from "../secrets/connection-env.js";
import { SecretMasker } from "../secrets/secret-masker.js";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { describeType, getOwn, inspectJson, isObject, setOwn } from "../spec/json.js";
import {
  CONNECTION_NAME_RE,
  IDENTIFIER_RE,
  MAX_TASK_CONNECTIONS,
  TASK_ID_RE,
  WORKFLOW_NAME_RE,
} from "../spec/names.js";
import { CONDITION_OPS, TASK_TYPES, type JsonObject, type Task } from "../spec/types.js";

/** One task attempt to execute. */
export interface TaskExecInput {
  workflow: string;
  runId: string;
  taskId: string;
  attempt: number;
  /** The task with defaults merged and every expression resolved. */
  task: Task;
  /** The run's workflow params overridden by the task's params. */
  params: JsonObject;
  /** Directory relative paths of the task are resolved against. */
  baseDir: string;
}

const TOP_FIELDS = ["workflow", "runId", "taskId", "attempt", "task", "params", "baseDir"];

// Fields each task type may carry besides the common ones, and which are required.
const TYPE_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  notebook: { required: ["notebook"], optional: ["kernel"] },
  python: { required: [], optional: ["script", "code", "args"] },
  r: { required: [], optional: ["script", "code", "args"] },
  rmarkdown: { required: ["file"], optional: ["format"] },
  shell: { required: ["command"], optional: [] },
  torch: { required: ["script"], optional: ["args", "replicas"] },
  tensorflow: { required: ["script"], optional: ["args", "replicas"] },
  dask: { required: ["script"], optional: ["args", "replicas"] },
  spark: { required: ["application"], optional: ["args", "conf", "executors"] },
  condition: { required: ["left", "op", "right"], optional: [] },
  empty: { required: [], optional: [] },
};
const COMMON_FIELDS = [
  "type",
  "description",
  "needs",
  "params",
  "outputs",
  "env",
  "retries",
  "retryDelay",
  "retryBackoff",
  "retryMaxDelay",
  "timeout",
  "pool",
  "when",
  "resources",
  "image",
  "connections",
];

/**
 * Checks `raw` (parsed JSON) and returns it typed, with the task's list and map
 * fields defaulted (`needs`, `params`, `outputs`, `args`, `conf`). Throws an
 * UpdraftError (E_VALIDATION) listing every problem with its path.
 */
export function parseTaskExecInput(raw: unknown): TaskExecInput {
  const problems: string[] = inspectJson(raw, 20).map(
    (p) => `input${p.path.map((s) => `.${s}`).join("")}: ${p.message}`,
  );
  if (problems.length > 0) fail(problems);
  if (!isObject(raw)) fail([`input: must be a JSON object, got ${describeType(raw)}`]);
  for (const key of Object.keys(raw)) {
    if (!TOP_FIELDS.includes(key)) {
      problems.push(`input.${key}: unknown field; the fields are ${TOP_FIELDS.join(", ")}`);
    }
  }
  for (const key of TOP_FIELDS) {
    if (getOwn(raw, key) === undefined) problems.push(`input.${key}: is required`);
  }
  const str = (key: string, re: RegExp | undefined, hint: string): void => {
    const v = getOwn(raw, key);
    if (v === undefined) return;
    if (typeof v !== "string" || v === "" || (re !== undefined && !re.test(v))) {
      problems.push(`input.${key}: must be ${hint}`);
    }
  };
  str("workflow", WORKFLOW_NAME_RE, "a workflow name (lower-case letters, digits, - and _)");
  // Airflow's run ids (`scheduled__2024-05-01T02:00:00+00:00`) use its allowed
  // pattern `[A-Za-z0-9_.~:+-]`; the id names the attempt's directory, so no `/`.
  str(
    "runId",
    /^[A-Za-z0-9._~:+-]{1,250}$/,
    "a run id (at most 250 letters, digits and . _ ~ : + -)",
  );
  str("taskId", TASK_ID_RE, "a task id (letters, digits, - and _, starting with a letter)");
  str("baseDir", undefined, "a directory path");
  if (
    getOwn(raw, "runId") === "." ||
    getOwn(raw, "runId") === ".." // would name a parent directory
  ) {
    problems.push("input.runId: must not be . or ..");
  }
  const attempt = getOwn(raw, "attempt");
  if (attempt !== undefined && !(Number.isSafeInteger(attempt) && (attempt as number) >= 1)) {
    problems.push("input.attempt: must be a whole number from 1");
  }
  const params = getOwn(raw, "params");
  if (params !== undefined && !isObject(params)) {
    problems.push(`input.params: must be an object, got ${describeType(params)}`);
  }
  const task = getOwn(raw, "task");
  if (task !== undefined) checkTask(task, problems);
  if (problems.length > 0) fail(problems);
  return raw as unknown as TaskExecInput;
}

function checkTask(task: unknown, problems: string[]): void {
  if (!isObject(task)) {
    problems.push(`input.task: must be an object, got ${describeType(task)}`);
    return;
  }
  const type = getOwn(task, "type");
  const fields = typeof type === "string" ? TYPE_FIELDS[type] : undefined;
  if (fields === undefined) {
    problems.push(`input.task.type: must be one of ${TASK_TYPES.join(", ")}`);
    return;
  }
  for (const key of Object.keys(task)) {
    if (
      !COMMON_FIELDS.includes(key) &&
      !fields.required.includes(key) &&
      !fields.optional.includes(key)
    ) {
      problems.push(`input.task.${key}: unknown field for a ${String(type)} task`);
    }
  }
  for (const key of fields.required) {
    if (getOwn(task, key) === undefined) problems.push(`input.task.${key}: is required`);
  }
  const t = task;
  t["needs"] ??= [];
  t["params"] ??= {};
  t["outputs"] ??= [];
  if (fields.optional.includes("args")) t["args"] ??= [];
  if (type === "spark") t["conf"] ??= {};
  if (!isObject(t["params"])) problems.push("input.task.params: must be an object");
  const outputs = t["outputs"];
  if (
    !Array.isArray(outputs) ||
    !outputs.every((o) => typeof o === "string" && IDENTIFIER_RE.test(o))
  ) {
    problems.push("input.task.outputs: must be a list of output names");
  }
  const connections = t["connections"];
  if (
    connections !== undefined &&
    !(
      Array.isArray(connections) &&
      connections.length <= MAX_TASK_CONNECTIONS &&
      connections.every((c) => typeof c === "string" && CONNECTION_NAME_RE.test(c)) &&
      new Set(connections).size === connections.length
    )
  ) {
    problems.push(
      `input.task.connections: must be a list of at most ${MAX_TASK_CONNECTIONS} different connection names (lower-case letters, digits and _, starting with a letter)`,
    );
  }
  const env = t["env"];
  if (
    env !== undefined &&
    !(isObject(env) && Object.values(env).every((v) => typeof v === "string"))
  ) {
    problems.push("input.task.env: must be an object of strings");
  }
  if (t["args"] !== undefined && !Array.isArray(t["args"]))
    problems.push("input.task.args: must be a list");
  if (type === "condition" && !(CONDITION_OPS as readonly unknown[]).includes(t["op"])) {
    problems.push(`input.task.op: must be one of ${CONDITION_OPS.join(" ")}`);
  }
  const command = t["command"];
  if (
    type === "shell" &&
    command !== undefined &&
    !(
      typeof command === "string" ||
      (Array.isArray(command) && command.every((c) => typeof c === "string"))
    )
  ) {
    problems.push("input.task.command: must be a string or a list of strings");
  }
  for (const key of ["notebook", "script", "file", "application", "code", "kernel", "format"]) {
    if (t[key] !== undefined && typeof t[key] !== "string") {
      problems.push(`input.task.${key}: must be a string`);
    }
  }
  if ((type === "python" || type === "r") && t["script"] === undefined && t["code"] === undefined) {
    problems.push("input.task: a python or r task needs `script` or `code`");
  }
}

function fail(problems: string[]): never {
  throw new UpdraftError(
    ErrorCodes.VALIDATION,
    `invalid task input:\n${problems.map((p) => `  ${p}`).join("\n")}`,
    { details: problems },
  );
}

/** The variable holding connection `name` as JSON. */
function connectionVariable(name: string): string {
  return CONNECTION_ENV_PREFIX + name.toUpperCase();
}

/**
 * The connections task `taskId` names, taken from the `UPDRAFT_CONN_<NAME>` JSON variables
 * already in `env` (the Airflow operator sets them from Airflow's connections): the
 * variables the task gets, rebuilt with the engine's own naming, and a masker of their
 * secrets. A field is secret when it is `password` or listed in the variable's
 * `secretFields`, which the task itself does not see. Throws E_CONNECTION naming the
 * connection whose variable is missing or malformed.
 */
export function grantConnectionsFromEnv(
  names: readonly string[],
  env: NodeJS.ProcessEnv,
  taskId: string,
): ConnectionGrantResult {
  const missing = names.filter((n) => env[connectionVariable(n)] === undefined);
  if (missing.length > 0) {
    const plural = missing.length > 1;
    throw new ConnectionGrantError(
      `task ${taskId} names connection${plural ? "s" : ""} ${missing.join(", ")}, but ${missing.map(connectionVariable).join(", ")} ${plural ? "are" : "is"} not set: on Airflow the updraft_airflow operator sets ${plural ? "them" : "it"} from the Airflow connection${plural ? "s" : ""} of that name (create ${plural ? "them" : "it"} in Airflow); run by hand, set ${plural ? "each" : "it"} to the connection as JSON {"name", "type", fields..., "secretFields"}`,
      false,
    );
  }
  const connections = names.map((n) => connectionFromVariable(n, env[connectionVariable(n)] ?? ""));
  try {
    const { env: granted, secrets } = connectionEnv(connections);
    return { env: granted, masker: new SecretMasker(secrets) };
  } catch (err) {
    throw new ConnectionGrantError(
      `task ${taskId}: ${err instanceof Error ? err.message : String(err)}`,
      false,
      err,
    );
  }
}

// One `UPDRAFT_CONN_<NAME>` variable as a Connection, checked by the vault's own rules (so a
// secret too short to mask is refused here as it is when a connection is saved).
function connectionFromVariable(name: string, text: string): Connection {
  const variable = connectionVariable(name);
  const bad = (why: string, cause?: unknown): ConnectionGrantError =>
    new ConnectionGrantError(`connection ${name}: ${variable} ${why}`, false, cause);
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (err) {
    throw bad("is not JSON", err);
  }
  if (!isObject(raw)) throw bad(`must be a JSON object, got ${describeType(raw)}`);
  if (getOwn(raw, "name") !== name)
    throw bad(`holds connection ${JSON.stringify(getOwn(raw, "name"))}, not ${name}`);
  const listed = getOwn(raw, "secretFields") ?? [];
  if (!Array.isArray(listed) || !listed.every((f) => typeof f === "string"))
    throw bad("has a secretFields that is not a list of field names");
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    if (key !== "name" && key !== "type" && key !== "secretFields") setOwn(fields, key, value);
  const secretFields = [
    ...new Set([...(Object.hasOwn(fields, "password") ? ["password"] : []), ...listed]),
  ];
  try {
    return validateConnection({ name, type: getOwn(raw, "type"), fields, secretFields });
  } catch (err) {
    throw bad(
      `is not a valid connection: ${err instanceof Error ? err.message : String(err)}`,
      err,
    );
  }
}

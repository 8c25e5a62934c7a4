/**
 * Semantic checks of a workflow document, beyond what the JSON Schema can say: needs,
 * cycles, expression references, param defaults, cron, time zone, durations. Works on
 * the raw document and skips any field whose shape is wrong (the schema check reports
 * that), so every problem of a document is found in one pass.
 */
import { CronPattern } from "croner";
import { parseDuration } from "./duration.js";
import { UpdraftError } from "./errors.js";
import { analyzeExpressions, type Reference } from "./expressions.js";
import { Ancestry, findCycles, formatCycle, type GraphNode } from "./graph.js";
import { getOwn, isObject, setOwn } from "./json.js";
import { RESERVED_IDENTIFIERS, Suggester, didYouMean, listNames, quote } from "./names.js";
import { paramValueProblems, showValue } from "./param-value.js";
import type { PathSegment, Problem } from "./path.js";
import { PARAM_TYPES, type JsonValue, type ParamSpec } from "./types.js";

/**
 * Task fields whose strings may hold `{{ }}` expressions; the engine resolves exactly
 * these. Inline `code` is not templated: Python f-strings and R glue use `{{` themselves.
 */
export const TEMPLATED_TASK_FIELDS = [
  "params",
  "env",
  "command",
  "args",
  "script",
  "left",
  "right",
  "notebook",
  "file",
  "application",
  "conf",
] as const;

/** Most tasks a workflow may have; keeps validation and the engine's maps bounded. */
export const MAX_TASKS = 10_000;

/** Schedule shortcuts accepted besides 5-field cron expressions. */
export const SCHEDULE_PRESETS = ["@hourly", "@daily", "@weekly", "@monthly", "@yearly"] as const;

const DURATION_FIELDS = ["retryDelay", "retryMaxDelay", "timeout"] as const;

/** Why `schedule` is not a usable schedule, or undefined when it is. */
export function checkSchedule(schedule: string): string | undefined {
  const text = schedule.trim();
  const presets = SCHEDULE_PRESETS.join(", ");
  if (text.startsWith("@")) {
    return (SCHEDULE_PRESETS as readonly string[]).includes(text)
      ? undefined
      : `unknown schedule ${quote(schedule)}${didYouMean(text, SCHEDULE_PRESETS)}: use a 5-field cron expression or one of ${presets}`;
  }
  const fields = text === "" ? 0 : text.split(/\s+/).length;
  if (fields !== 5) {
    return `schedule ${quote(schedule)} has ${fields} fields; write 5 (minute hour day-of-month month day-of-week, e.g. "0 2 * * *") or one of ${presets}`;
  }
  try {
    new CronPattern(text, undefined, { mode: "5-part" });
    return undefined;
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^CronPattern:\s*/, "") : String(err);
    return `schedule ${quote(schedule)} is not a valid cron expression: ${why}`;
  }
}

const TZ_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/** Why `timezone` is not an IANA time zone name, or undefined when it is. */
export function checkTimezone(timezone: string): string | undefined {
  const message = `unknown time zone ${quote(timezone)}: use an IANA name such as UTC, Europe/Paris or America/New_York`;
  if (!TZ_SHAPE.test(timezone)) return message;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return undefined;
  } catch {
    return message;
  }
}

function reserved(kind: string, name: string): string {
  return `${kind} name ${quote(name)} is reserved (a Python or R keyword, or __proto__); choose another name`;
}

/** A ParamSpec from a raw declaration, when its shape is right; otherwise undefined. */
function specOf(raw: unknown): ParamSpec | undefined {
  if (!isObject(raw)) return undefined;
  const type = raw["type"];
  if (typeof type !== "string" || !(PARAM_TYPES as readonly string[]).includes(type))
    return undefined;
  const spec: ParamSpec = { type: type as ParamSpec["type"] };
  if (Array.isArray(raw["enum"])) spec.enum = raw["enum"] as JsonValue[];
  if (typeof raw["minimum"] === "number") spec.minimum = raw["minimum"];
  if (typeof raw["maximum"] === "number") spec.maximum = raw["maximum"];
  return spec;
}

class Checker {
  readonly problems: Problem[] = [];
  private readonly declaredParams = new Map<string, ParamSpec | undefined>();

  constructor(private readonly doc: Record<string, unknown>) {}

  private add(path: PathSegment[], message: string): void {
    this.problems.push({ path, message });
  }

  run(): Problem[] {
    const { doc } = this;
    const schedule = getOwn(doc, "schedule");
    if (typeof schedule === "string") this.note(["schedule"], checkSchedule(schedule));
    const timezone = getOwn(doc, "timezone");
    if (typeof timezone === "string") this.note(["timezone"], checkTimezone(timezone));
    this.checkParams();
    const defaults = getOwn(doc, "defaults");
    if (isObject(defaults)) {
      this.checkPolicy(["defaults"], defaults);
      this.checkDefaultsExpressions(defaults);
    }
    this.checkTasks();
    return this.problems;
  }

  private note(path: PathSegment[], message: string | undefined): void {
    if (message !== undefined) this.add(path, message);
  }

  private checkParams(): void {
    const params = getOwn(this.doc, "params");
    if (!isObject(params)) return;
    for (const name of Object.keys(params)) {
      const path = ["params", name];
      if (RESERVED_IDENTIFIERS.has(name)) this.add(path, reserved("param", name));
      const raw = params[name];
      const spec = specOf(raw);
      this.declaredParams.set(name, spec);
      if (spec === undefined || !isObject(raw)) continue;
      const numeric = spec.type === "number" || spec.type === "integer";
      for (const bound of ["minimum", "maximum"] as const) {
        if (spec[bound] !== undefined && !numeric) {
          this.add(
            [...path, bound],
            `${bound} applies only to number and integer params, not ${spec.type}`,
          );
        }
      }
      if (spec.minimum !== undefined && spec.maximum !== undefined && spec.minimum > spec.maximum) {
        this.add(
          [...path, "minimum"],
          `minimum ${spec.minimum} is greater than maximum ${spec.maximum}`,
        );
      }
      const typeOnly: ParamSpec = { type: spec.type };
      spec.enum?.forEach((value, i) => {
        for (const p of paramValueProblems(typeOnly, value)) {
          this.add([...path, "enum", i], `enum value ${showValue(value)} ${p}`);
        }
      });
      if (Object.hasOwn(raw, "default")) {
        for (const p of paramValueProblems(spec, raw["default"])) {
          this.add([...path, "default"], `default ${p.startsWith("must") ? p : `value: ${p}`}`);
        }
      }
    }
  }

  private checkPolicy(path: PathSegment[], obj: Record<string, unknown>): void {
    for (const field of DURATION_FIELDS) {
      const v = getOwn(obj, field);
      if (typeof v !== "string" && typeof v !== "number") continue;
      try {
        const ms = parseDuration(v);
        if (field === "timeout" && ms === 0) {
          this.add([...path, field], "timeout must be longer than 0 (leave it out for no timeout)");
        }
      } catch (err) {
        this.add([...path, field], err instanceof UpdraftError ? err.message : String(err));
      }
    }
  }

  private checkParamRef(ref: Reference & { kind: "param" }, path: PathSegment[]): void {
    if (!this.declaredParams.has(ref.name)) {
      this.add(
        path,
        `${quote(ref.expression)} reads param ${quote(ref.name)}, which is not declared${didYouMean(ref.name, this.declaredParams.keys())}; declare it under the workflow's params`,
      );
      return;
    }
    const spec = this.declaredParams.get(ref.name);
    const field = ref.path[2];
    if (field !== undefined && spec !== undefined && spec.type !== "object") {
      this.add(
        path,
        `${quote(ref.expression)}: param ${quote(ref.name)} is ${spec.type}, so it has no field ${quote(field)}`,
      );
    }
  }

  private checkDefaultsExpressions(defaults: Record<string, unknown>): void {
    const env = getOwn(defaults, "env");
    if (!isObject(env)) return;
    const { references, problems } = analyzeExpressions(env as JsonValue);
    for (const p of problems) this.add(["defaults", "env", ...p.at], p.message);
    for (const ref of references) {
      const path = ["defaults", "env", ...ref.at];
      if (ref.kind === "param") this.checkParamRef(ref, path);
      if (ref.kind === "task_output") {
        this.add(
          path,
          `defaults apply to every task, so they cannot read task outputs (${quote(ref.expression)}); set it on the tasks that need it`,
        );
      }
    }
  }

  private checkTasks(): void {
    const tasks = getOwn(this.doc, "tasks");
    if (!isObject(tasks)) return;
    const ids = Object.keys(tasks);
    if (ids.length > MAX_TASKS) {
      this.add(
        ["tasks"],
        `the workflow has ${ids.length} tasks, more than the limit of ${MAX_TASKS}; split it into several workflows`,
      );
      return;
    }
    const known = new Set(ids);
    const suggest = new Suggester(ids);
    const graph: Record<string, GraphNode> = {};
    const outputsOf = new Map<string, Set<string>>();
    const taskRefs: {
      task: string;
      ref: Reference & { kind: "task_output" };
      path: PathSegment[];
    }[] = [];

    for (const id of ids) {
      const task = tasks[id];
      const base: PathSegment[] = ["tasks", id];
      const needs: string[] = [];
      setOwn(graph, id, { needs });
      outputsOf.set(id, new Set());
      if (!isObject(task)) continue;
      this.checkPolicy(base, task);
      this.checkNeeds(id, task, known, suggest, needs);
      outputsOf.set(id, this.checkOutputs(base, task));
      this.checkConnections(base, task);
      const params = getOwn(task, "params");
      if (isObject(params)) {
        for (const key of Object.keys(params)) {
          if (RESERVED_IDENTIFIERS.has(key))
            this.add([...base, "params", key], reserved("param", key));
        }
      }
      const type = getOwn(task, "type");
      if (type === "python" || type === "r") {
        const hasScript = getOwn(task, "script") !== undefined;
        const hasCode = getOwn(task, "code") !== undefined;
        if (hasScript && hasCode) {
          this.add(
            [...base, "code"],
            `a ${type} task takes either script (a file) or code (inline source), not both`,
          );
        } else if (!hasScript && !hasCode) {
          this.add(
            [...base, "script"],
            `a ${type} task needs script (a file) or code (inline source)`,
          );
        }
      }
      if (getOwn(task, "launch") === "kubernetes") {
        this.checkKubernetesImage(base, task);
        const connections = getOwn(task, "connections");
        // Pods get their environment from the manifest, where a secret would sit in the clear.
        if (Array.isArray(connections) && connections.length > 0)
          this.add(
            [...base, "connections"],
            "connections are granted only to tasks running on this machine, not to launch: kubernetes (use a Kubernetes Secret there)",
          );
      }
      for (const field of TEMPLATED_TASK_FIELDS) {
        const value = getOwn(task, field);
        if (value === undefined) continue;
        const { references, problems } = analyzeExpressions(value as JsonValue);
        for (const p of problems) this.add([...base, field, ...p.at], p.message);
        for (const ref of references) {
          const path = [...base, field, ...ref.at];
          if (ref.kind === "param") this.checkParamRef(ref, path);
          else if (ref.kind === "task_output") taskRefs.push({ task: id, ref, path });
        }
      }
    }

    const cycles = findCycles(graph);
    for (const cycle of cycles) {
      const closer = cycle[0]!;
      const before = cycle[cycle.length - 2]!;
      const rawNeeds = getOwn(tasks[closer] as object, "needs") as unknown[];
      this.add(
        ["tasks", closer, "needs", rawNeeds.indexOf(before)],
        `the tasks form a cycle: ${formatCycle(cycle)} (each task needs the one before it); remove one of these needs`,
      );
    }
    // Upstream checks need an acyclic graph; with a cycle the user fixes that first.
    const ancestry = cycles.length === 0 && taskRefs.length > 0 ? new Ancestry(graph) : undefined;
    for (const { task, ref, path } of taskRefs) {
      const source = ref.task;
      const expr = quote(ref.expression);
      if (!known.has(source)) {
        this.add(
          path,
          `${expr} reads task ${quote(source)}, which does not exist${suggest.didYouMean(source)}`,
        );
        continue;
      }
      if (source === task) {
        this.add(path, `${expr}: a task cannot read its own outputs`);
        continue;
      }
      const outputs = outputsOf.get(source) ?? new Set<string>();
      if (!outputs.has(ref.output)) {
        this.add(
          path,
          `${expr}: task ${quote(source)} does not declare output ${quote(ref.output)}${didYouMean(ref.output, outputs)}; add it to tasks.${source}.outputs (declared: ${listNames([...outputs])})`,
        );
      }
      if (ancestry !== undefined && !ancestry.isUpstream(source, task)) {
        const needs = graph[task]?.needs ?? [];
        const fix =
          needs.length === 0 ? `needs: [${source}]` : `needs: [${[...needs, source].join(", ")}]`;
        this.add(
          path,
          `${expr}: task ${quote(source)} is not upstream of ${quote(task)}, so its outputs are not ready when ${quote(task)} starts; add \`${fix}\` to task ${quote(task)}`,
        );
      }
    }
  }

  private checkNeeds(
    id: string,
    task: Record<string, unknown>,
    known: Set<string>,
    suggest: Suggester,
    out: string[],
  ): void {
    const needs = getOwn(task, "needs");
    if (!Array.isArray(needs)) return;
    const seen = new Set<string>();
    needs.forEach((need: unknown, i) => {
      if (typeof need !== "string") return;
      const path = ["tasks", id, "needs", i];
      if (need === id) {
        this.add(path, `task ${quote(id)} needs itself; remove ${quote(id)} from its needs`);
      } else if (!known.has(need)) {
        this.add(path, `unknown task ${quote(need)} in needs${suggest.didYouMean(need)}`);
      } else if (seen.has(need)) {
        this.add(path, `${quote(need)} is listed twice in needs; remove the duplicate`);
      } else out.push(need);
      seen.add(need);
    });
  }

  /** A job launched on Kubernetes runs in a container, so it needs an image (its own or the defaults'). */
  private checkKubernetesImage(base: PathSegment[], task: Record<string, unknown>): void {
    const defaults = getOwn(this.doc, "defaults");
    const image =
      getOwn(task, "image") ?? (isObject(defaults) ? getOwn(defaults, "image") : undefined);
    if (image === undefined) {
      this.add(
        [...base, "image"],
        "a task with launch: kubernetes runs in a container; set image (on the task or in defaults)",
      );
    }
  }

  /** Each connection once: a duplicate is almost always a copy-paste slip worth pointing at. */
  private checkConnections(base: PathSegment[], task: Record<string, unknown>): void {
    const connections = getOwn(task, "connections");
    if (!Array.isArray(connections)) return;
    const seen = new Set<string>();
    connections.forEach((name: unknown, i) => {
      if (typeof name !== "string") return;
      if (seen.has(name))
        this.add(
          [...base, "connections", i],
          `connection ${quote(name)} is listed twice; remove the duplicate`,
        );
      seen.add(name);
    });
  }

  private checkOutputs(base: PathSegment[], task: Record<string, unknown>): Set<string> {
    const outputs = getOwn(task, "outputs");
    const names = new Set<string>();
    if (!Array.isArray(outputs)) return names;
    outputs.forEach((name: unknown, i) => {
      if (typeof name !== "string") return;
      const path = [...base, "outputs", i];
      if (names.has(name))
        this.add(path, `output ${quote(name)} is declared twice; remove the duplicate`);
      else if (RESERVED_IDENTIFIERS.has(name)) this.add(path, reserved("output", name));
      names.add(name);
    });
    return names;
  }
}

/**
 * Every semantic problem of a workflow document (which should already have passed
 * `inspectJson`); fields of the wrong shape are skipped, the schema reports them.
 */
export function checkSemantics(doc: unknown): Problem[] {
  return isObject(doc) ? new Checker(doc).run() : [];
}

/**
 * Pre-started kernels, so a notebook task does not wait for one to boot. A kernel is
 * handed out once and never comes back (tasks are isolated from each other); each
 * hand-out starts a replacement in the background.
 *
 * Pooled kernels start with the pool's neutral cwd and environment; the task's own are
 * applied by running a silent first cell (Python `os.chdir`/`os.environ`, R `setwd`/
 * `Sys.setenv`) whose values are rendered as string literals, never pasted as code.
 * Languages without such a cell, and environment changes that only take effect when a
 * process starts (PYTHONPATH, R_LIBS, LD_*, locale...), get a fresh kernel instead.
 */
import { tmpdir } from "node:os";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { abortReason, KernelClient, type KernelStartOptions } from "./kernel-client.js";
import { kernelEnv } from "./kernel-process.js";
import { getKernelSpec, type KernelSpec, type KernelSpecSearchOptions } from "./kernelspec.js";

/** Options of {@link KernelPool}. */
export interface KernelPoolOptions {
  /** Where kernelspecs are looked up (the same rules as `jupyter kernelspec list`). */
  discovery: KernelSpecSearchOptions;
  /** Warm kernels kept per kernelspec; default 1. 0 disables pooling. */
  size?: number;
  /** Per-kernelspec overrides of `size`, by kernelspec name. */
  sizes?: { [name: string]: number };
  /** Environment pooled kernels start with; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory pooled kernels start in; default the system temp dir. */
  cwd?: string;
  startupTimeoutMs?: number;
  /** Background start failures and protocol warnings. */
  onWarning?: (message: string) => void;
}

/** What a task needs its kernel to look like. */
export interface AcquireOptions {
  cwd: string;
  /** The task's complete environment. */
  env: NodeJS.ProcessEnv;
  /** Aborting rejects at once with the abort reason; a kernel still starting is shut down. */
  signal?: AbortSignal;
}

/** Languages whose kernels can take a task's cwd and environment after start. */
type PoolLanguage = "python" | "r";

/** Variables read only at process start, per language: changing them later has no effect. */
const STARTUP_ONLY: { [L in PoolLanguage]: RegExp } = {
  python: /^(PYTHON|LD_|DYLD_|LC_|LANG$|LANGUAGE$|TZ$)/,
  r: /^(R_|LD_|DYLD_|LC_|LANG$|LANGUAGE$)/,
};

/** Keeps warm kernels per kernelspec and hands each out once. */
export class KernelPool {
  readonly #opts: KernelPoolOptions;
  readonly #warm = new Map<string, Promise<KernelClient | undefined>[]>();
  /** Shutdowns of kernels whose task is over; close() waits for them. */
  readonly #retiring = new Set<Promise<void>>();
  #closed = false;

  constructor(opts: KernelPoolOptions) {
    this.#opts = opts;
  }

  /** Starts warm kernels for `specName` up to the pool size (e.g. at server start). */
  prestart(specName: string): void {
    const spec = getKernelSpec(specName, this.#opts.discovery);
    if (poolLanguage(spec) !== undefined) this.#fill(spec);
  }

  /**
   * A started kernel for `specName` with the task's cwd and environment in effect: a warm
   * one when possible (a replacement starts in the background), else a fresh one.
   * Rejects with E_KERNEL when the kernelspec is unknown or no kernel can be started.
   */
  acquire(specName: string, opts: AcquireOptions): Promise<KernelClient> {
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const acquiring = this.#acquire(specName, opts);
    if (signal === undefined) return acquiring;
    // A cancelled task must not wait for a kernel to boot (or for a start to time out).
    return new Promise<KernelClient>((resolve, reject) => {
      const onAbort = (): void => {
        reject(abortReason(signal));
        // Nobody will use the kernel once it is up: shut it down, and let close() wait for that.
        this.#track(acquiring.then((late) => late.shutdown({ timeoutMs: 0 })));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      acquiring.then(
        (client) => {
          signal.removeEventListener("abort", onAbort);
          if (!signal.aborted) resolve(client);
        },
        (err: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  async #acquire(specName: string, opts: AcquireOptions): Promise<KernelClient> {
    if (this.#closed) throw new UpdraftError(ErrorCodes.KERNEL, "the kernel pool is closed");
    const spec = getKernelSpec(specName, this.#opts.discovery);
    const language = poolLanguage(spec);
    const fresh = (): Promise<KernelClient> =>
      KernelClient.start(spec, this.#startOptions(opts.cwd, opts.env));
    if (language === undefined || this.#size(spec) === 0) return fresh();

    const changes = envChanges(kernelEnv(spec, this.#baseEnv()), kernelEnv(spec, opts.env));
    const startupOnly = [...Object.keys(changes.set), ...changes.unset].filter((k) =>
      STARTUP_ONLY[language].test(k),
    );
    if (startupOnly.length > 0) return fresh();

    const client = await this.#take(spec);
    if (client === undefined) return fresh();
    const code = language === "python" ? pythonSetup(opts.cwd, changes) : rSetup(opts.cwd, changes);
    try {
      const { reply } = await client.execute(code, {
        onIopub: () => undefined,
        silent: true,
        storeHistory: false,
        timeoutMs: 30_000,
      });
      if (reply.status !== "ok") {
        throw new UpdraftError(
          ErrorCodes.KERNEL,
          `could not set the working directory and environment of the kernel: ${reply.ename ?? ""} ${reply.evalue ?? reply.status}`.trim(),
        );
      }
    } catch (err) {
      await client.shutdown({ timeoutMs: 0 });
      throw err;
    }
    return client;
  }

  /**
   * Shuts down, in the background, a kernel handed out earlier whose task is over, so the
   * task need not wait for the kernel to exit (ipykernel takes a few hundred ms).
   */
  retire(kernel: Pick<KernelClient, "shutdown">): void {
    this.#track(kernel.shutdown({ timeoutMs: 2000 }));
  }

  /** Keeps a shutdown in #retiring until it is over; failures become warnings. */
  #track(shutdown: Promise<void>): void {
    const done: Promise<void> = shutdown
      .catch((err: unknown) => {
        // A start that failed has nothing to shut down; anything else is worth a warning.
        if (err instanceof UpdraftError && err.code === ErrorCodes.KERNEL) return;
        this.#opts.onWarning?.(
          `shutting a kernel down failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      })
      .finally(() => this.#retiring.delete(done));
    this.#retiring.add(done);
  }

  /**
   * Shuts every warm kernel down (and those still starting), waits for retired kernels
   * to be gone; later acquires fail.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#warm.values()].flat();
    this.#warm.clear();
    await Promise.all([
      ...all.map(async (p) => (await p)?.shutdown({ timeoutMs: 1000 })),
      ...this.#retiring,
    ]);
  }

  /** The oldest live warm kernel of `spec`, or undefined; always tops the pool up again. */
  async #take(spec: KernelSpec): Promise<KernelClient | undefined> {
    const list = this.#warm.get(poolKey(spec)) ?? [];
    for (let next = list.shift(); next !== undefined; next = list.shift()) {
      this.#fill(spec);
      const client = await next;
      if (client?.isAlive === true) return client;
      await client?.shutdown({ timeoutMs: 0 });
    }
    this.#fill(spec);
    return undefined;
  }

  #fill(spec: KernelSpec): void {
    if (this.#closed) return;
    const key = poolKey(spec);
    const list = this.#warm.get(key) ?? [];
    this.#warm.set(key, list);
    while (list.length < this.#size(spec)) {
      const starting = KernelClient.start(
        spec,
        this.#startOptions(this.#opts.cwd ?? tmpdir(), this.#baseEnv()),
      ).then(
        async (client) => {
          // Closed while it started: it has no owner, so it goes now.
          if (this.#closed) await client.shutdown({ timeoutMs: 0 });
          return this.#closed ? undefined : client;
        },
        (err: unknown) => {
          this.#opts.onWarning?.(
            `could not pre-start kernel '${spec.name}': ${err instanceof Error ? err.message : String(err)}`,
          );
          return undefined;
        },
      );
      list.push(starting);
    }
  }

  #size(spec: KernelSpec): number {
    return this.#opts.sizes?.[spec.name] ?? this.#opts.size ?? 1;
  }

  #baseEnv(): NodeJS.ProcessEnv {
    return this.#opts.env ?? process.env;
  }

  #startOptions(cwd: string, env: NodeJS.ProcessEnv): KernelStartOptions {
    return {
      cwd,
      env,
      startupTimeoutMs: this.#opts.startupTimeoutMs,
      onWarning: this.#opts.onWarning,
    };
  }
}

/** Variables to set and to remove to turn environment `from` into `to`. */
export interface EnvChanges {
  set: { [key: string]: string };
  unset: string[];
}

/** The difference between two environments. */
export function envChanges(from: NodeJS.ProcessEnv, to: NodeJS.ProcessEnv): EnvChanges {
  const set: { [key: string]: string } = {};
  for (const [k, v] of Object.entries(to)) if (v !== undefined && from[k] !== v) set[k] = v;
  const unset = Object.keys(from).filter((k) => from[k] !== undefined && to[k] === undefined);
  return { set, unset };
}

/** Python that changes directory and environment; values are JSON string literals (valid Python). */
export function pythonSetup(cwd: string, changes: EnvChanges): string {
  const lines = [`__import__("os").chdir(${JSON.stringify(cwd)})`];
  if (Object.keys(changes.set).length > 0)
    lines.push(`__import__("os").environ.update(${JSON.stringify(changes.set)})`);
  for (const k of changes.unset)
    lines.push(`__import__("os").environ.pop(${JSON.stringify(k)}, None)`);
  return lines.join("\n");
}

/** R that changes directory and environment, with every value an R string literal. */
export function rSetup(cwd: string, changes: EnvChanges): string {
  const lines = [`invisible(setwd(${rString(cwd)}))`];
  const set = Object.entries(changes.set);
  if (set.length > 0)
    lines.push(
      `invisible(Sys.setenv(${set.map(([k, v]) => `${rString(k)} = ${rString(v)}`).join(", ")}))`,
    );
  if (changes.unset.length > 0)
    lines.push(`invisible(Sys.unsetenv(c(${changes.unset.map(rString).join(", ")})))`);
  return lines.join("\n");
}

/** An R double-quoted string literal for `s`. */
export function rString(s: string): string {
  let body = "";
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c === "\\" || c === '"') body += `\\${c}`;
    else if (c === "\n") body += "\\n";
    else if (c === "\r") body += "\\r";
    else if (c === "\t") body += "\\t";
    // Other control characters as \u{...}: a raw one would be invisible in the code.
    else if (code < 0x20 || code === 0x7f) body += `\\u{${code.toString(16).padStart(4, "0")}}`;
    else body += c;
  }
  return `"${body}"`;
}

/** The pool language of a kernelspec, from its `language` (case-insensitive). */
function poolLanguage(spec: KernelSpec): PoolLanguage | undefined {
  const language = spec.language.toLowerCase();
  return language === "python" || language === "r" ? language : undefined;
}

/** Warm kernels are only interchangeable when started from the same spec contents. */
function poolKey(spec: KernelSpec): string {
  return JSON.stringify([spec.name, spec.dir, spec.argv, spec.env ?? {}]);
}

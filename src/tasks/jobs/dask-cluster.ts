/**
 * Command lines of a local Dask cluster (Debian's python3-distributed, dask 2022.12):
 * a scheduler on a free port, workers connected to it (dask-cuda's `dask-cuda-worker`
 * when the task asks for GPUs, the RAPIDS pattern), and the wait for every worker to
 * join before the user's script starts.
 */
import type { Resources } from "../../spec/types.js";
import { LOCAL_HOST } from "./free-ports.js";

/** A program and its arguments. */
export interface Argv {
  command: string;
  args: string[];
}

/** The command that starts a GPU worker (from dask-cuda; not installable here). */
export const DASK_CUDA_WORKER = "dask-cuda-worker";

/** The scheduler's address as clients and workers take it. */
export function daskAddress(port: number): string {
  return `tcp://${LOCAL_HOST}:${port}`;
}

/** The scheduler: loopback only, no dashboard, connection file written once it listens. */
export function daskSchedulerArgv(python: string, port: number, schedulerFile: string): Argv {
  return {
    command: python,
    args: [
      "-m",
      "distributed.cli.dask_scheduler",
      "--host",
      LOCAL_HOST,
      "--port",
      String(port),
      "--no-dashboard",
      "--no-show",
      "--scheduler-file",
      schedulerFile,
    ],
  };
}

/** What one worker's command line is made from. */
export interface DaskWorkerOptions {
  python: string;
  address: string;
  name: string;
  /** Where the worker spills and keeps its files (inside the attempt directory). */
  localDirectory: string;
  resources?: Resources;
}

/**
 * One worker process: threads from `resources.cpu` (default 1), memory limit from
 * `resources.memory`; without a nanny, so the process Updraft watches is the worker.
 * With `resources.gpu`, `dask-cuda-worker`, which starts one worker per visible GPU.
 */
export function daskWorkerArgv(o: DaskWorkerOptions): Argv {
  const threads = threadCount(o.resources?.cpu);
  const common = [
    o.address,
    "--name",
    o.name,
    "--no-dashboard",
    "--local-directory",
    o.localDirectory,
    ...(o.resources?.memory !== undefined ? ["--memory-limit", o.resources.memory] : []),
  ];
  if ((o.resources?.gpu ?? 0) > 0) {
    return { command: DASK_CUDA_WORKER, args: [...common, "--nthreads", String(threads)] };
  }
  return {
    command: o.python,
    args: [
      "-m",
      "distributed.cli.dask_worker",
      ...common,
      "--nthreads",
      String(threads),
      "--nworkers",
      "1",
      "--no-nanny",
    ],
  };
}

/** Threads of a worker for a `resources.cpu` value (2, "2", "500m" -> 1). */
export function threadCount(cpu: number | string | undefined): number {
  if (cpu === undefined) return 1;
  const text = String(cpu).trim();
  const value = text.endsWith("m") ? Number(text.slice(0, -1)) / 1000 : Number(text);
  return Number.isFinite(value) && value >= 1 ? Math.floor(value) : 1;
}

/** A short Python program that returns once `workers` workers have joined the scheduler. */
export function daskWaitArgv(python: string, address: string, workers: number): Argv {
  const code =
    "import sys\n" +
    "from distributed import Client\n" +
    "with Client(sys.argv[1], timeout='120s') as c:\n" +
    "    c.wait_for_workers(int(sys.argv[2]))\n";
  return { command: python, args: ["-c", code, address, String(workers)] };
}

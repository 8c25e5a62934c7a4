/**
 * The GPUs of this machine as `nvidia-smi -L` lists them, and how a local job splits
 * them between its replicas through `CUDA_VISIBLE_DEVICES`.
 */
import { execFile } from "node:child_process";

/** One GPU: its index (what CUDA_VISIBLE_DEVICES takes) and its name. */
export interface Gpu {
  index: number;
  name: string;
  uuid?: string;
}

/** Finds the GPUs of the machine; an interface so tests can describe machines they are not on. */
export interface GpuProbe {
  /** The GPUs present; an empty list when there are none or no NVIDIA driver. */
  list(): Promise<Gpu[]>;
}

const LINE = /^GPU (\d+): (.*?)(?: \(UUID: ([^)]+)\))?\s*$/;

/** Parses the output of `nvidia-smi -L` (`GPU 0: NVIDIA A100 (UUID: GPU-...)` lines). */
export function parseNvidiaSmiList(text: string): Gpu[] {
  const gpus: Gpu[] = [];
  for (const line of text.split("\n")) {
    const m = LINE.exec(line.trim());
    if (m === null) continue;
    const gpu: Gpu = { index: Number(m[1]), name: m[2] ?? "" };
    if (m[3] !== undefined) gpu.uuid = m[3];
    gpus.push(gpu);
  }
  return gpus;
}

/**
 * The probe that runs `nvidia-smi -L` (found on `path`, the PATH of the job); a missing
 * command or a failing driver means no GPUs. The answer is kept: GPUs do not come and go.
 */
export function nvidiaSmiProbe(path: string | undefined, command = "nvidia-smi"): GpuProbe {
  let cached: Promise<Gpu[]> | undefined;
  return {
    list() {
      cached ??= new Promise((resolve) => {
        execFile(
          command,
          ["-L"],
          { env: { PATH: path ?? "/usr/bin:/bin" }, timeout: 10_000 },
          (err, stdout) => resolve(err ? [] : parseNvidiaSmiList(stdout)),
        );
      });
      return cached;
    },
  };
}

/**
 * Splits GPUs between `replicas` replicas: each gets `perReplica` of them (default: an
 * even share, at least one while there are GPUs), round-robin when there are fewer GPUs
 * than asked for. Returns the CUDA_VISIBLE_DEVICES value of each replica, or undefined
 * entries when the machine has no GPU (the variable is then left as it is).
 */
export function splitGpus(
  gpus: readonly Gpu[],
  replicas: number,
  perReplica?: number,
): (string | undefined)[] {
  if (gpus.length === 0) return Array.from({ length: replicas }, () => undefined);
  const share = Math.max(1, perReplica ?? Math.floor(gpus.length / replicas));
  return Array.from({ length: replicas }, (_, r) => {
    const ids: number[] = [];
    for (let k = 0; k < share; k++) {
      const gpu = gpus[(r * share + k) % gpus.length];
      if (gpu !== undefined && !ids.includes(gpu.index)) ids.push(gpu.index);
    }
    return ids.join(",");
  });
}

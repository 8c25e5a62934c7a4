/**
 * The environment torchrun gives each worker (torch.distributed.run, "Environment
 * Variables"), for a single-node job of `worldSize` processes rendezvousing at
 * MASTER_ADDR:MASTER_PORT with `init_method="env://"` (the default).
 */
import { LOCAL_HOST } from "./free-ports.js";

/** What the variables of one rank are computed from. */
export interface TorchRank {
  rank: number;
  worldSize: number;
  masterPort: number;
  /** TORCHELASTIC_RUN_ID: the same for every rank of one attempt. */
  runId: string;
  masterAddr?: string;
  /** Threads per process when the job does not set OMP_NUM_THREADS (torchrun: 1). */
  ompThreads?: number;
}

/** The torchrun variables of one rank (every rank on one node: local rank = rank). */
export function torchRankEnv(r: TorchRank): Record<string, string> {
  const world = String(r.worldSize);
  const rank = String(r.rank);
  return {
    MASTER_ADDR: r.masterAddr ?? LOCAL_HOST,
    MASTER_PORT: String(r.masterPort),
    RANK: rank,
    LOCAL_RANK: rank,
    WORLD_SIZE: world,
    LOCAL_WORLD_SIZE: world,
    GROUP_RANK: "0",
    GROUP_WORLD_SIZE: "1",
    ROLE_NAME: "default",
    ROLE_RANK: rank,
    ROLE_WORLD_SIZE: world,
    TORCHELASTIC_RUN_ID: r.runId,
    TORCHELASTIC_RESTART_COUNT: "0",
    TORCHELASTIC_MAX_RESTARTS: "0",
  };
}

/** A run id usable in env vars and as a Kubernetes label value: [A-Za-z0-9_.-], 63 at most. */
export function elasticRunId(parts: readonly (string | number)[]): string {
  const id = parts
    .map(String)
    .join("-")
    .replace(/[^A-Za-z0-9_.-]/g, "-");
  return id.length <= 63 ? id : id.slice(0, 63);
}

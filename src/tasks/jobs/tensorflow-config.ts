/**
 * TF_CONFIG of the replicas of a TensorFlow job, as tf.distribute's cluster resolvers
 * read it (and Kubeflow's TFJob writes it): the whole cluster by role, plus this
 * replica's role and index. `replicas` counts the chief and the workers: replicas: 3 is
 * a chief and two workers; `ps` parameter servers come on top.
 */

/** A role of a TensorFlow cluster. */
export type TfRole = "chief" | "worker" | "ps";

/** One replica of the cluster: its role, index within the role, and address. */
export interface TfReplica {
  role: TfRole;
  index: number;
  address: string;
}

/** The parsed TF_CONFIG value. */
export interface TfConfig {
  cluster: Partial<Record<TfRole, string[]>>;
  task: { type: TfRole; index: number };
}

/** The replicas of a job of `replicas` (chief + workers) and `ps` servers on `addresses`. */
export function tfCluster(replicas: number, ps: number, addresses: readonly string[]): TfReplica[] {
  const out: TfReplica[] = [];
  let next = 0;
  const take = (): string => {
    const a = addresses[next++];
    if (a === undefined) throw new Error("tfCluster: fewer addresses than replicas");
    return a;
  };
  out.push({ role: "chief", index: 0, address: take() });
  for (let i = 0; i < replicas - 1; i++) out.push({ role: "worker", index: i, address: take() });
  for (let i = 0; i < ps; i++) out.push({ role: "ps", index: i, address: take() });
  return out;
}

/** TF_CONFIG of replica `self` of `cluster`; roles without replicas are left out. */
export function tfConfig(cluster: readonly TfReplica[], self: TfReplica): TfConfig {
  const byRole: Partial<Record<TfRole, string[]>> = {};
  for (const r of cluster) (byRole[r.role] ??= []).push(r.address);
  return { cluster: byRole, task: { type: self.role, index: self.index } };
}

/** The replica's name in logs and files: `chief`, `worker-0`, `ps-1`. */
export function tfReplicaName(r: TfReplica): string {
  return r.role === "chief" ? "chief" : `${r.role}-${r.index}`;
}

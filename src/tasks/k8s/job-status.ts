/**
 * Reading where a launched resource stands from its status, as each operator writes it,
 * and which pod is the chief whose log carries the outputs.
 */
import type { PodQuery } from "./kube-api.js";
import type { KubeObject } from "./pod-template.js";

/** Where a job stands: still going, or ended (with a reason when it failed). */
export type JobState =
  { phase: "running" } | { phase: "succeeded" } | { phase: "failed"; reason: string };

type Json = { [k: string]: unknown };

const text = (v: unknown, fallback: string): string =>
  typeof v === "string" && v !== "" ? v : fallback;

const obj = (v: unknown): Json => (typeof v === "object" && v !== null ? (v as Json) : {});

/** The state of a PyTorchJob, TFJob, DaskJob, SparkApplication or Pod from its status. */
export function jobState(object: KubeObject): JobState {
  const status = obj(object["status"]);
  switch (object.kind) {
    case "PyTorchJob":
    case "TFJob": {
      // training-operator: the conditions Succeeded/Failed turn True when the job ends.
      const conditions = Array.isArray(status["conditions"]) ? status["conditions"].map(obj) : [];
      const ended = conditions.filter(
        (c) => c["status"] === "True" && (c["type"] === "Succeeded" || c["type"] === "Failed"),
      );
      const last = ended[ended.length - 1];
      if (last === undefined) return { phase: "running" };
      if (last["type"] === "Succeeded") return { phase: "succeeded" };
      return { phase: "failed", reason: text(last["message"], text(last["reason"], "job failed")) };
    }
    case "DaskJob": {
      const s = status["jobStatus"];
      if (s === "Successful") return { phase: "succeeded" };
      if (s === "Failed") return { phase: "failed", reason: "the DaskJob's job pod failed" };
      return { phase: "running" };
    }
    case "SparkApplication": {
      const app = obj(status["applicationState"]);
      const s = app["state"];
      if (s === "COMPLETED") return { phase: "succeeded" };
      if (s === "FAILED" || s === "SUBMISSION_FAILED" || s === "FAILING") {
        return {
          phase: "failed",
          reason: text(app["errorMessage"], `application ${String(s)}`),
        };
      }
      return { phase: "running" };
    }
    case "Pod": {
      const p = status["phase"];
      if (p === "Succeeded") return { phase: "succeeded" };
      if (p === "Failed") return { phase: "failed", reason: text(status["message"], "pod failed") };
      return { phase: "running" };
    }
    default:
      return { phase: "failed", reason: `Updraft cannot follow a ${object.kind}` };
  }
}

/** The pod whose log is the job's log and carries the outputs (rank 0, chief, client, driver). */
export function chiefPod(object: KubeObject): PodQuery {
  const name = object.metadata.name;
  switch (object.kind) {
    case "PyTorchJob":
      return {
        labelSelector:
          `training.kubeflow.org/job-name=${name},training.kubeflow.org/replica-type=master,` +
          "training.kubeflow.org/replica-index=0",
      };
    case "TFJob":
      return {
        labelSelector:
          `training.kubeflow.org/job-name=${name},training.kubeflow.org/replica-type=chief,` +
          "training.kubeflow.org/replica-index=0",
      };
    case "DaskJob":
      return { labelSelector: `dask.org/cluster-name=${name},dask.org/component=job-runner` };
    case "SparkApplication":
      return { labelSelector: `sparkoperator.k8s.io/app-name=${name},spark-role=driver` };
    default:
      return { name };
  }
}

/**
 * The few Kubernetes API calls the launcher makes, behind an interface: the real one
 * talks to a cluster through @kubernetes/client-node; tests, having no cluster, record
 * the calls and play the operator's part.
 */
import type { KubeObject } from "./pod-template.js";

/** Which object: what `read` and `delete` need. */
export interface KubeRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

/** Which pod's log to read: by name, or the first pod matching a label selector. */
export type PodQuery = { name: string } | { labelSelector: string };

/** The Kubernetes API as the launcher uses it. Errors are thrown as they come. */
export interface KubeApi {
  /** Creates an object (its namespace set). */
  create(object: KubeObject): Promise<void>;
  /** Reads an object; undefined when it does not exist. */
  read(ref: KubeRef): Promise<KubeObject | undefined>;
  /** Deletes an object and its dependents (background propagation); absent is fine. */
  delete(ref: KubeRef): Promise<void>;
  /** The log of a pod, or undefined when no pod matches. */
  podLog(namespace: string, query: PodQuery): Promise<string | undefined>;
}

/** The reference of an object. */
export function refOf(object: KubeObject, namespace: string): KubeRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? namespace,
  };
}

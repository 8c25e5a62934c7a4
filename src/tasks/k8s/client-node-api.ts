/** {@link KubeApi} on the official client, @kubernetes/client-node. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { KubeApi, KubeRef } from "./kube-api.js";
import type { KubeObject } from "./pod-template.js";

/** Largest log read back from the chief pod (the outputs are printed at its end). */
const MAX_LOG_BYTES = 8 * 1024 * 1024;

/**
 * The cluster configuration for an environment: $KUBECONFIG (its first file), else
 * ~/.kube/config, else the in-cluster service account; undefined when there is none.
 */
export function kubeConfigFromEnv(env: NodeJS.ProcessEnv): KubeConfig | undefined {
  const kc = new KubeConfig();
  const first = env["KUBECONFIG"]?.split(":").find((p) => p !== "");
  const home = env["HOME"];
  const file = first ?? (home !== undefined ? join(home, ".kube", "config") : undefined);
  if (file !== undefined && existsSync(file)) {
    kc.loadFromFile(file);
    return kc;
  }
  if (env["KUBERNETES_SERVICE_HOST"] !== undefined) {
    kc.loadFromCluster();
    return kc;
  }
  return undefined;
}

/** The namespace of the current context, else `default`. */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
}

/** A KubeApi talking to the cluster of `kc`. */
export function clientNodeApi(kc: KubeConfig): KubeApi {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const header = (ref: KubeRef): KubernetesObject => ({
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, namespace: ref.namespace },
  });
  return {
    async create(object) {
      await objects.create(object);
    },
    async read(ref) {
      try {
        const found = await objects.read(header(ref) as Parameters<typeof objects.read>[0]);
        return found as unknown as KubeObject;
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return undefined;
        throw err;
      }
    },
    async delete(ref) {
      try {
        await objects.delete(header(ref), undefined, undefined, undefined, undefined, "Background");
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return;
        throw err;
      }
    },
    async podLog(namespace, query) {
      let name: string | undefined;
      if ("name" in query) name = query.name;
      else {
        const pods = await core.listNamespacedPod({
          namespace,
          labelSelector: query.labelSelector,
        });
        name = pods.items[0]?.metadata?.name;
      }
      if (name === undefined) return undefined;
      try {
        return await core.readNamespacedPodLog({ name, namespace, limitBytes: MAX_LOG_BYTES });
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return undefined;
        throw err;
      }
    },
  };
}

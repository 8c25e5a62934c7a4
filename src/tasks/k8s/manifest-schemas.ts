/**
 * Checks manifests against the vendored JSON Schemas of their resources (schemas/,
 * derived from the CRDs' OpenAPI schemas and the core/v1 API), with ajv.
 */
import { Ajv, type ValidateFunction } from "ajv";
import { default as addFormatsModule } from "ajv-formats";
import configmap from "./schemas/configmap.schema.json" with { type: "json" };
import core from "./schemas/core.schema.json" with { type: "json" };
import daskjob from "./schemas/daskjob.schema.json" with { type: "json" };
import pod from "./schemas/pod.schema.json" with { type: "json" };
import pytorchjob from "./schemas/pytorchjob.schema.json" with { type: "json" };
import sparkapplication from "./schemas/sparkapplication.schema.json" with { type: "json" };
import tfjob from "./schemas/tfjob.schema.json" with { type: "json" };

/** The schema of each kind, by `apiVersion/kind`. */
const SCHEMAS: Record<string, object> = {
  "v1/ConfigMap": configmap,
  "v1/Pod": pod,
  "kubeflow.org/v1/PyTorchJob": pytorchjob,
  "kubeflow.org/v1/TFJob": tfjob,
  "kubernetes.dask.org/v1/DaskJob": daskjob,
  "sparkoperator.k8s.io/v1beta2/SparkApplication": sparkapplication,
};

/** Validates manifests; compiled once per instance. */
export class ManifestValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    // strictTypes/strictRequired off: allOf branches adding `required` to a $ref are intended.
    const ajv = new Ajv({
      allErrors: true,
      strict: true,
      strictTypes: false,
      strictRequired: false,
      allowUnionTypes: true,
    });
    // ajv-formats is CommonJS: under NodeNext its function arrives as `default.default`.
    const mod = addFormatsModule as unknown as { default?: (a: Ajv) => Ajv } & ((a: Ajv) => Ajv);
    (mod.default ?? mod)(ajv);
    ajv.addSchema(core);
    for (const [key, schema] of Object.entries(SCHEMAS))
      this.validators.set(key, ajv.compile(schema));
  }

  /** The problems of `manifest` (`path: message`), empty when it is valid. */
  check(manifest: unknown): string[] {
    const m = manifest as { apiVersion?: unknown; kind?: unknown } | null;
    const key = `${String(m?.apiVersion)}/${String(m?.kind)}`;
    const validate = this.validators.get(key);
    if (validate === undefined) return [`no schema for ${key}`];
    if (validate(manifest)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || "/"}: ${e.message ?? "invalid"}`,
    );
  }
}

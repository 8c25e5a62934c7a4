/**
 * `updraft export k8s FILE`: prints the Kubernetes manifests of a workflow's job tasks
 * (PyTorchJob, TFJob, DaskJob, SparkApplication; plain Pods for python and shell tasks)
 * as one multi-document YAML stream on stdout, ready for `kubectl apply -f -`.
 */
import type { Command } from "commander";
import { stringify } from "yaml";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";
import { exportManifests } from "../tasks/k8s/export-manifests.js";
import { DEFAULT_LAYOUT } from "../tasks/k8s/pod-template.js";
import { resolveCliParams } from "./cli-params.js";
import { loadWorkflow } from "./load-workflow.js";
import type { ParamPair } from "./param-args.js";
import { validateCommand } from "./validate-command.js";

/** Options of {@link exportK8sCommand}. */
export interface ExportK8sOptions {
  file: string;
  params: ParamPair[];
  namespace?: string;
  workdir?: string;
  sparkVersion?: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Prints the manifests; resolves with the exit code (1 when a task could not be exported). */
export function exportK8sCommand(o: ExportK8sOptions): number {
  if (o.namespace !== undefined && !DNS_LABEL.test(o.namespace)) {
    throw new UpdraftError(
      ErrorCodes.USAGE,
      `--namespace must be a Kubernetes name (lower-case letters, digits, -), got "${o.namespace}"`,
    );
  }
  if (o.workdir !== undefined && !o.workdir.startsWith("/")) {
    throw new UpdraftError(
      ErrorCodes.USAGE,
      `--workdir must be an absolute path, got "${o.workdir}"`,
    );
  }
  const silent = { write: () => true } as unknown as NodeJS.WritableStream;
  if (validateCommand([o.file], silent, o.stderr) !== 0) return 1;
  const { workflow } = loadWorkflow(o.file);
  const params = resolveCliParams(workflow, o.params, []);
  const { objects, skipped } = exportManifests(workflow, {
    params,
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    layout: {
      ...(o.workdir !== undefined ? { workdir: o.workdir } : {}),
      ...(o.sparkVersion !== undefined ? { sparkVersion: o.sparkVersion } : {}),
    },
  });
  const text = objects.map((obj) => stringify(obj, { lineWidth: 0 })).join("---\n");
  o.stdout.write(text);
  let missingImage = false;
  for (const s of skipped) {
    o.stderr.write(`${o.file}: task ${s.task} left out: ${s.reason}\n`);
    if (s.reason.includes("no image")) missingImage = true;
  }
  return missingImage ? 1 : 0;
}

/** Adds `export k8s` under the `export` command (creating that when it is not there yet). */
export function registerK8sCommand(
  program: Command,
  pairs: ParamPair[],
  exit: (code: number) => void,
): void {
  const parent =
    program.commands.find((c) => c.name() === "export") ??
    program.command("export").description("export workflows to other schedulers");
  parent
    .command("k8s")
    .description("print the Kubernetes manifests of the workflow's job tasks as YAML")
    .argument("<file>", "workflow file (YAML or JSON)")
    .option("-p, --parameters <name value>", "set a param (repeatable): -p NAME VALUE")
    .option("-n, --namespace <namespace>", "namespace of the resources (default: kubectl's)")
    .option("--workdir <dir>", "the workflow directory inside the image", DEFAULT_LAYOUT.workdir)
    .option(
      "--spark-version <version>",
      "spec.sparkVersion of SparkApplications",
      DEFAULT_LAYOUT.sparkVersion,
    )
    .action((file: string, opts: { namespace?: string; workdir: string; sparkVersion: string }) => {
      exit(
        exportK8sCommand({
          file,
          params: pairs,
          ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
          workdir: opts.workdir,
          sparkVersion: opts.sparkVersion,
          stdout: process.stdout,
          stderr: process.stderr,
        }),
      );
    });
}

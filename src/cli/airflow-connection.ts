/**
 * Where `updraft airflow trigger` and `status` find Airflow: flags first, then the
 * environment the CLI entry point passes in (AIRFLOW_URL, AIRFLOW_USERNAME,
 * AIRFLOW_PASSWORD, AIRFLOW_TOKEN).
 */
import type { Command } from "commander";
import { createAirflowClient, type AirflowClient } from "../airflow/rest-client.js";
import { ErrorCodes, UpdraftError } from "../spec/errors.js";

/** The connection flags as commander parses them. */
export interface AirflowConnectionFlags {
  url?: string;
  username?: string;
  password?: string;
  token?: string;
  api: string;
  timeout: string;
}

/** Adds the connection flags to a command. */
export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "Airflow webserver (2.x) or API server (3.x) URL (env AIRFLOW_URL)")
    .option("--username <name>", "Airflow user (env AIRFLOW_USERNAME)")
    .option(
      "--password <password>",
      "the user's password (env AIRFLOW_PASSWORD; safer than the flag)",
    )
    .option("--token <token>", "an API token or JWT instead of a password (env AIRFLOW_TOKEN)")
    .option("--api <version>", "REST API: v1 (Airflow 2.x), v2 (Airflow 3.x) or auto", "auto")
    .option("--timeout <seconds>", "give up on a request after this many seconds", "30");
}

/** The client the flags and environment describe; E_USAGE when they are incomplete. */
export function airflowClientFromFlags(
  f: AirflowConnectionFlags,
  env: NodeJS.ProcessEnv,
): AirflowClient {
  const url = f.url ?? nonEmpty(env["AIRFLOW_URL"]);
  if (url === undefined) {
    throw usage("no Airflow URL: pass --url or set AIRFLOW_URL (e.g. http://airflow:8080)");
  }
  const token = f.token ?? nonEmpty(env["AIRFLOW_TOKEN"]);
  const username = f.username ?? nonEmpty(env["AIRFLOW_USERNAME"]);
  const password = f.password ?? env["AIRFLOW_PASSWORD"];
  if (token === undefined && username !== undefined && password === undefined) {
    throw usage("--username needs a password: pass --password or set AIRFLOW_PASSWORD");
  }
  if (token === undefined && username === undefined && f.password !== undefined) {
    throw usage("--password needs --username (or AIRFLOW_USERNAME)");
  }
  if (f.api !== "auto" && f.api !== "v1" && f.api !== "v2") {
    throw usage(`--api takes v1, v2 or auto, not "${f.api}"`);
  }
  const seconds = Number(f.timeout);
  if (!/^\d+(\.\d+)?$/.test(f.timeout) || !(seconds > 0) || seconds > 3600) {
    throw usage(`--timeout takes seconds between 0 and 3600, not "${f.timeout}"`);
  }
  return createAirflowClient({
    baseUrl: url,
    auth:
      token !== undefined
        ? { kind: "token", token }
        : username !== undefined
          ? { kind: "basic", username, password: password ?? "" }
          : { kind: "none" },
    ...(f.api === "auto" ? {} : { api: f.api }),
    timeoutMs: Math.round(seconds * 1000),
  });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

function usage(message: string): UpdraftError {
  return new UpdraftError(ErrorCodes.USAGE, message);
}

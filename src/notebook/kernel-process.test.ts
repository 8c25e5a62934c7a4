import { describe, expect, it } from "vitest";
import { IN_MEMORY_HISTORY, kernelArgv, kernelEnv } from "./kernel-process.js";
import type { KernelSpec } from "./kernelspec.js";

function spec(name: string, argv: string[], env?: { [k: string]: string }): KernelSpec {
  return {
    name,
    dir: "/k/dir",
    argv,
    displayName: name,
    language: "python",
    ...(env ? { env } : {}),
  };
}

describe("kernel argv and environment", () => {
  it("substitutes the connection file and resource dir, leaving unknown fields alone", () => {
    expect(
      kernelArgv(
        spec("ir", ["R", "-f", "{connection_file}", "{resource_dir}/x", "{other}"]),
        "/c.json",
      ),
    ).toEqual(["R", "-f", "/c.json", "/k/dir/x", "{other}"]);
  });

  it("gives ipykernel kernels an in-memory history, as nbclient does, unless the spec sets one", () => {
    const py = ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"];
    expect(kernelArgv(spec("python3", py), "/c.json")).toEqual([
      "/usr/bin/python3",
      "-m",
      "ipykernel_launcher",
      "-f",
      "/c.json",
      IN_MEMORY_HISTORY,
    ]);
    expect(kernelArgv(spec("my-env", py), "/c.json").at(-1)).toBe(IN_MEMORY_HISTORY);
    const own = [...py, "--HistoryManager.hist_file=/tmp/h.sqlite"];
    expect(
      kernelArgv(spec("python3", own), "/c.json").filter((a) => a.includes("hist_file")),
    ).toEqual(["--HistoryManager.hist_file=/tmp/h.sqlite"]);
    expect(kernelArgv(spec("ir", ["R", "{connection_file}"]), "/c.json")).toEqual(["R", "/c.json"]);
  });

  it("expands $VAR and ${VAR} in the spec's env from the base env and sets JPY_PARENT_PID", () => {
    const env = kernelEnv(spec("x", [], { A: "$HOME/a", B: "${MISSING}-$$", C: "plain" }), {
      HOME: "/home/u",
      KEEP: "1",
    });
    expect(env).toMatchObject({ A: "/home/u/a", B: "${MISSING}-$", C: "plain", KEEP: "1" });
    expect(env.JPY_PARENT_PID).toBe(String(process.pid));
  });
});

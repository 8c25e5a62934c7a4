import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UpdraftError } from "../spec/errors.js";
import { jupyterDataDir, jupyterPath, kernelSpecDirs } from "./jupyter-paths.js";
import { discoverKernelSpecs, findKernelSpecs, getKernelSpec } from "./kernelspec.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "updraft-kspec-"));
  dirs.push(d);
  return d;
}

async function addSpec(root: string, name: string, json: unknown): Promise<string> {
  const dir = join(root, "kernels", name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "kernel.json"), typeof json === "string" ? json : JSON.stringify(json));
  return dir;
}

const spec = (display: string): object => ({
  argv: ["python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
  display_name: display,
  language: "python",
});

describe("jupyter paths", () => {
  it("orders JUPYTER_PATH, user, environment, then system directories", () => {
    const env = { JUPYTER_PATH: "/a:/b/", VIRTUAL_ENV: "/venv" };
    expect(jupyterPath({ env, home: "/home/u" })).toEqual([
      "/a",
      "/b",
      "/home/u/.local/share/jupyter",
      "/venv/share/jupyter",
      "/usr/local/share/jupyter",
      "/usr/share/jupyter",
    ]);
    const preferEnv = jupyterPath({
      env: { ...env, JUPYTER_PREFER_ENV_PATH: "1" },
      home: "/home/u",
    });
    expect(preferEnv.slice(2, 4)).toEqual(["/venv/share/jupyter", "/home/u/.local/share/jupyter"]);
  });

  it("honours JUPYTER_DATA_DIR, XDG_DATA_HOME and IPYTHONDIR", () => {
    expect(jupyterDataDir({ env: { JUPYTER_DATA_DIR: "/d" }, home: "/h" })).toBe("/d");
    expect(jupyterDataDir({ env: { XDG_DATA_HOME: "/x" }, home: "/h" })).toBe("/x/jupyter");
    const dirs = kernelSpecDirs({ env: { IPYTHONDIR: "/ip" }, home: "/h" });
    expect(dirs[0]).toBe("/h/.local/share/jupyter/kernels");
    expect(dirs.at(-1)).toBe("/ip/kernels");
  });
});

describe("kernelspec discovery", () => {
  it("lets the first directory on the path win and lower-cases names", async () => {
    const [first, second, data] = [await tempDir(), await tempDir(), await tempDir()];
    await addSpec(first, "MyKernel", spec("first"));
    await addSpec(second, "mykernel", spec("second"));
    await addSpec(second, "other", {
      ...spec("other"),
      interrupt_mode: "Message",
      env: { A: "1" },
    });
    await addSpec(data, "mykernel", spec("user"));
    const env = { JUPYTER_PATH: `${first}:${second}`, JUPYTER_DATA_DIR: data };
    const specs = findKernelSpecs({ env, home: data });
    expect(specs.get("mykernel")?.displayName).toBe("first");
    expect(specs.get("other")).toMatchObject({
      interruptMode: "message",
      env: { A: "1" },
      language: "python",
    });
    // The user data dir comes right after JUPYTER_PATH.
    expect(
      findKernelSpecs({ env: { JUPYTER_PATH: second, JUPYTER_DATA_DIR: data }, home: data }).get(
        "mykernel",
      )?.displayName,
    ).toBe("second");
    expect(
      findKernelSpecs({ env: { JUPYTER_DATA_DIR: data }, home: data }).get("mykernel")?.displayName,
    ).toBe("user");
    // extraDirs are searched before everything else.
    const extra = await tempDir();
    await addSpec(extra, "mykernel", spec("extra"));
    expect(
      findKernelSpecs({ env, home: data, extraDirs: [join(extra, "kernels")] }).get("mykernel")
        ?.displayName,
    ).toBe("extra");
    expect(getKernelSpec("MYKERNEL", { env, home: data }).dir).toBe(
      join(first, "kernels", "MyKernel"),
    );
  });

  it("skips malformed kernel.json with a reason and falls back to the next one", async () => {
    const [bad, good] = [await tempDir(), await tempDir()];
    await addSpec(bad, "py", "{ not json");
    await addSpec(bad, "noargv", { display_name: "x", language: "python" });
    await addSpec(bad, "badmode", { ...spec("m"), interrupt_mode: "never" });
    await addSpec(good, "py", spec("good"));
    const env = { JUPYTER_PATH: `${bad}:${good}`, JUPYTER_DATA_DIR: bad };
    const { specs, issues } = discoverKernelSpecs({ env, home: bad });
    expect(specs.get("py")?.displayName).toBe("good");
    expect(specs.has("noargv")).toBe(false);
    expect(issues.map((i) => [i.name, i.reason])).toEqual(
      expect.arrayContaining([
        ["py", expect.stringContaining("cannot be read")],
        ["noargv", expect.stringContaining("argv")],
        ["badmode", expect.stringContaining("interrupt_mode")],
      ]),
    );
    let error: unknown;
    try {
      getKernelSpec("noargv", { env, home: bad });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UpdraftError);
    expect((error as UpdraftError).code).toBe("E_KERNEL");
    expect((error as UpdraftError).message).toMatch(
      /no Jupyter kernel named 'noargv'; available kernels: .*py/,
    );
    expect((error as UpdraftError).message).toMatch(/was skipped: kernel.json: `argv`/);
  });

  it("finds the system kernels installed by make setup", () => {
    const specs = findKernelSpecs({ env: process.env, home: process.env.HOME ?? "/root" });
    expect(specs.get("python3")?.argv[0]).toBe("/usr/bin/python3");
    expect(specs.get("ir")?.language).toBe("R");
  });
});

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanupTestDirs, makeTempDir, MemoryLog } from "../test-context.js";
import { ReplicaLog } from "./replica-log.js";

afterEach(cleanupTestDirs);

describe("replica log", () => {
  it("keeps the raw output in its file and prefixes whole lines in the attempt log", async () => {
    const dir = await makeTempDir();
    const attempt = new MemoryLog();
    const log = new ReplicaLog(join(dir, "replicas", "rank1.log"), "rank1", attempt);
    log.write("hel");
    log.write("lo\nwor");
    log.write(Buffer.from("ld\n\nno newline"));
    expect(attempt.text()).toBe("[rank1] hello\n[rank1] world\n[rank1] \n");
    log.close();
    log.write("after close is dropped\n");
    expect(attempt.text()).toBe("[rank1] hello\n[rank1] world\n[rank1] \n[rank1] no newline\n");
    expect(await readFile(join(dir, "replicas", "rank1.log"), "utf8")).toBe(
      "hello\nworld\n\nno newline",
    );
  });

  it("does not hold an endless line forever", async () => {
    const dir = await makeTempDir();
    const attempt = new MemoryLog();
    const log = new ReplicaLog(join(dir, "r.log"), "r", attempt);
    log.write("x".repeat(200_000));
    expect(attempt.text()).toBe(`[r] ${"x".repeat(200_000)}\n`);
    log.close();
  });
});

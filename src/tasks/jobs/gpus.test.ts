import { describe, expect, it } from "vitest";
import { nvidiaSmiProbe, parseNvidiaSmiList, splitGpus } from "./gpus.js";

describe("GPUs", () => {
  it("parses nvidia-smi -L and ignores anything else", () => {
    const text = [
      "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-6e2a1b5c-1111-2222-3333-444455556666)",
      "GPU 1: Tesla T4 (UUID: GPU-aaaa)",
      "  MIG 1g.5gb Device 0: (UUID: MIG-xyz)",
      "No devices were found",
      "",
    ].join("\n");
    expect(parseNvidiaSmiList(text)).toEqual([
      { index: 0, name: "NVIDIA A100-SXM4-40GB", uuid: "GPU-6e2a1b5c-1111-2222-3333-444455556666" },
      { index: 1, name: "Tesla T4", uuid: "GPU-aaaa" },
    ]);
    expect(parseNvidiaSmiList("x".repeat(100_000))).toEqual([]);
  });

  it("splits GPUs evenly, shares them round-robin when short, and leaves GPU-less machines alone", () => {
    const gpus = [0, 1, 2, 3].map((index) => ({ index, name: "g" }));
    expect(splitGpus(gpus, 2)).toEqual(["0,1", "2,3"]);
    expect(splitGpus(gpus, 4, 1)).toEqual(["0", "1", "2", "3"]);
    expect(splitGpus(gpus.slice(0, 1), 3)).toEqual(["0", "0", "0"]);
    expect(splitGpus(gpus.slice(0, 3), 2)).toEqual(["0", "1"]);
    expect(splitGpus([], 2)).toEqual([undefined, undefined]);
  });

  it("finds no GPU on this machine (no nvidia-smi)", async () => {
    await expect(nvidiaSmiProbe("/nonexistent").list()).resolves.toEqual([]);
  });
});

/**
 * Parts of the shared store suite for what auth needs from the store: who saved a workflow
 * version, who owns a workflow, and the recent runs of many workflows at once. Registered by
 * `describeStoreSuite`, so both stores run them; only test files import this.
 */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../spec/types.js";
import { HOSTILE, sampleRun, type StoreFixture } from "./store-suite.js";
import type { RunRecord, Store } from "./types.js";

const T = (n: number) => `2024-02-01T00:00:${String(n).padStart(2, "0")}.000Z`;

/** Tests of `createdBy` and `setOwner`; `current` gives the test's store and fixture. */
export function describeOwnershipSuite(current: () => { store: Store; fixture: StoreFixture }) {
  describe("version authors and owners", () => {
    const doc: JsonObject = { tasks: { a: { type: "empty" } } };

    it("records createdBy on each new version only, null when none is given", async () => {
      const { store } = current();
      const v1 = await store.saveWorkflow("wf", doc, "wf.yaml", "ann");
      expect(v1).toMatchObject({ version: 1, createdBy: "ann", source: "wf.yaml" });
      // Unchanged: no new version, and the first author stays.
      expect(await store.saveWorkflow("wf", structuredClone(doc), undefined, "bob")).toEqual(v1);
      const v2 = await store.saveWorkflow("wf", { ...doc, n: 2 }, undefined, "bob");
      const v3 = await store.saveWorkflow("wf", { ...doc, n: 3 });
      expect([v2.createdBy, v3.createdBy]).toEqual(["bob", null]);
      expect((await store.listVersions("wf")).map((v) => [v.version, v.createdBy])).toEqual([
        [3, null],
        [2, "bob"],
        [1, "ann"],
      ]);
      expect((await store.getWorkflow("wf", 1))?.createdBy).toBe("ann");
      expect((await store.getWorkflow("wf"))?.createdBy).toBeNull();
      await store.saveWorkflow("other", doc, undefined, "cy");
      expect((await store.listWorkflows()).map((w) => [w.name, w.createdBy])).toEqual([
        ["other", "cy"],
        ["wf", null],
      ]);
    });

    it("round-trips hostile usernames in createdBy, across a reopen", async () => {
      const { store, fixture } = current();
      for (const [i, s] of HOSTILE.entries()) await store.saveWorkflow(`wf${i}`, doc, s, s);
      const check = async (st: Store) => {
        for (const [i, s] of HOSTILE.entries())
          expect((await st.getWorkflow(`wf${i}`))?.createdBy).toBe(s);
      };
      await check(store);
      if (fixture.reopen) {
        await store.close();
        const again = await fixture.reopen();
        try {
          await check(again);
        } finally {
          await again.close();
        }
      }
    });

    it("sets, changes and clears an owner; a new row starts paused", async () => {
      const { store } = current();
      await store.setOwner("etl", "user-1", T(1));
      expect(await store.listWorkflowStates()).toEqual([
        { name: "etl", paused: true, updatedAt: T(1), deletedAt: null, ownerId: "user-1" },
      ]);
      await store.setOwner("etl", "user-2", T(2));
      expect((await store.listWorkflowStates())[0]).toMatchObject({
        ownerId: "user-2",
        updatedAt: T(2),
      });
      await store.setOwner("etl", null, T(3));
      expect((await store.listWorkflowStates())[0]).toMatchObject({
        ownerId: null,
        paused: true,
        updatedAt: T(3),
      });
    });

    it("keeps the owner through setPaused and setDeleted, and they keep theirs through setOwner", async () => {
      const { store, fixture } = current();
      await store.setPaused("live", false, T(1));
      await store.setOwner("live", "u1", T(2));
      await store.setOwner("gone", "u2", T(3));
      await store.setPaused("gone", false, T(4));
      await store.setDeleted("gone", T(5));
      await store.setOwner("gone", "u3", T(6));
      await store.setDeleted("live", T(7));
      await store.setDeleted("live", null);
      const expected = [
        { name: "gone", paused: false, updatedAt: T(6), deletedAt: T(5), ownerId: "u3" },
        {
          name: "live",
          paused: false,
          updatedAt: expect.any(String) as unknown,
          deletedAt: null,
          ownerId: "u1",
        },
      ];
      expect(await store.listWorkflowStates()).toEqual(expected);
      if (fixture.reopen) {
        await store.close();
        const again = await fixture.reopen();
        try {
          expect(await again.listWorkflowStates()).toEqual(expected);
        } finally {
          await again.close();
        }
      }
    });

    it("applies owner writes of one turn in call order, with hostile names and ids", async () => {
      const { store } = current();
      await Promise.all(
        HOSTILE.flatMap((s) => [
          store.setOwner(`wf ${s}`, "first", T(1)),
          store.setPaused(`wf ${s}`, false, T(2)),
          store.setOwner(`wf ${s}`, s, T(3)),
        ]),
      );
      const states = await store.listWorkflowStates();
      expect(new Map(states.map((st) => [st.name, [st.ownerId, st.paused]]))).toEqual(
        new Map(HOSTILE.map((s) => [`wf ${s}`, [s, false]])),
      );
    });
  });
}

/** A small deterministic PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Tests of `listRecentRuns`; `current` gives the test's store. */
export function describeRecentRunsSuite(current: () => Store) {
  describe("listRecentRuns", () => {
    const quoted = `it's "quoted"; DROP TABLE runs; --`;
    const seed = async (store: Store) => {
      // Out of order, with a created_at tie in "a" that the id must break.
      const runs = [
        sampleRun("a3", { workflow: "a", createdAt: T(3) }),
        sampleRun("a1", { workflow: "a", createdAt: T(1) }),
        sampleRun("a5x", { workflow: "a", createdAt: T(5), state: "running" }),
        sampleRun("b1", { workflow: "b", createdAt: T(1) }),
        sampleRun("a5y", { workflow: "a", createdAt: T(5) }),
        sampleRun("a2", { workflow: "a", createdAt: T(2) }),
        sampleRun("q1", { workflow: quoted, createdAt: T(9) }),
        sampleRun("b2", { workflow: "b", createdAt: T(2), params: { p: [1] } }),
        sampleRun("B1", { workflow: "B", createdAt: T(4) }),
      ];
      for (const r of runs) await store.createRun(r, []);
      return new Map(runs.map((r) => [r.id, r]));
    };
    const ids = (m: Map<string, RunRecord[]>) =>
      [...m].map(([w, runs]) => [w, runs.map((r) => r.id)]);

    it("gives each workflow its newest runs, newest first, capped, keyed in name order", async () => {
      const store = current();
      expect(await store.listRecentRuns(5)).toEqual(new Map());
      const byId = await seed(store);
      const recent = await store.listRecentRuns(3);
      expect(ids(recent)).toEqual([
        ["B", ["B1"]],
        ["a", ["a5y", "a5x", "a3"]],
        ["b", ["b2", "b1"]],
        [quoted, ["q1"]],
      ]);
      for (const runs of recent.values()) for (const r of runs) expect(r).toEqual(byId.get(r.id));
      expect(ids(await store.listRecentRuns(1))).toEqual([
        ["B", ["B1"]],
        ["a", ["a5y"]],
        ["b", ["b2"]],
        [quoted, ["q1"]],
      ]);
      expect(ids(await store.listRecentRuns(100, ["a"]))).toEqual([
        ["a", ["a5y", "a5x", "a3", "a2", "a1"]],
      ]);
    });

    it("filters by names: unknown names are ignored, an empty list gives an empty map", async () => {
      const store = current();
      await seed(store);
      expect(ids(await store.listRecentRuns(2, ["b", "nope", quoted, "b", "a'", "%"]))).toEqual([
        ["b", ["b2", "b1"]],
        [quoted, ["q1"]],
      ]);
      expect(await store.listRecentRuns(2, [])).toEqual(new Map());
      expect(await store.listRecentRuns(2, ["nope"])).toEqual(new Map());
      // Case matters, as everywhere else in the store.
      expect(ids(await store.listRecentRuns(2, ["B"]))).toEqual([["B", ["B1"]]]);
      const many = Array.from({ length: 1000 }, (_, i) => (i === 500 ? "a" : `unknown-${i}`));
      expect(ids(await store.listRecentRuns(2, many))).toEqual([["a", ["a5y", "a5x"]]]);
    });

    it("refuses a perWorkflow outside 1..100 or a bad name list with E_VALIDATION", async () => {
      const store = current();
      for (const n of [0, -1, 101, 1.5, Number.NaN, Infinity, "3" as unknown as number])
        await expect(store.listRecentRuns(n)).rejects.toMatchObject({
          code: "E_VALIDATION",
          message: expect.stringMatching(/from 1 to 100/) as string,
        });
      await expect(store.listRecentRuns(1, ["a", 7 as unknown as string])).rejects.toMatchObject({
        code: "E_VALIDATION",
        message: expect.stringMatching(/entry 1/) as string,
      });
      await expect(store.listRecentRuns(1, "a" as unknown as string[])).rejects.toMatchObject({
        code: "E_VALIDATION",
      });
    });

    it("round-trips hostile workflow names", async () => {
      const store = current();
      for (const [i, s] of HOSTILE.entries())
        await store.createRun(sampleRun(`r${i}`, { workflow: s, createdAt: T(i) }), []);
      const recent = await store.listRecentRuns(5, HOSTILE);
      expect(new Map([...recent].map(([w, runs]) => [w, runs.map((r) => r.id)]))).toEqual(
        new Map(HOSTILE.map((s, i) => [s, [`r${i}`]])),
      );
      expect([...(await store.listRecentRuns(5)).keys()]).toEqual(
        [...HOSTILE].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
      );
    });

    it("agrees with listRuns per workflow on many runs with ties", async () => {
      const store = current();
      const random = prng(20240201);
      const workflows = Array.from({ length: 25 }, (_, i) => `w${i}`);
      const runs = Array.from({ length: 600 }, (_, i) =>
        sampleRun(`run-${Math.floor(random() * 1e9)}-${i}`, {
          workflow: workflows[Math.floor(random() * workflows.length)]!,
          // Few distinct times, so many runs tie and the id decides.
          createdAt: T(Math.floor(random() * 20)),
        }),
      );
      await Promise.all(runs.map((r) => store.createRun(r, [])));
      const names = workflows.filter((_, i) => i % 3 === 0);
      for (const [n, filter] of [
        [7, undefined],
        [1, names],
        [100, names],
      ] as const) {
        const recent = await store.listRecentRuns(n, filter);
        const expected = new Map<string, RunRecord[]>();
        for (const w of [...(filter ?? workflows)].sort()) {
          const list = await store.listRuns({ workflow: w, limit: n });
          if (list.length > 0) expected.set(w, list);
        }
        expect(ids(recent)).toEqual(ids(expected));
        expect(recent).toEqual(expected);
      }
    });
  });
}

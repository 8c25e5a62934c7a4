import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeConnectionStoreSuite } from "./connection-store-suite.js";
import { SqliteConnectionStore } from "./sqlite-connection-store.js";

describeConnectionStoreSuite("SqliteConnectionStore", () => {
  const dir = mkdtempSync(join(tmpdir(), "updraft-conn-store-"));
  const path = join(dir, "updraft.db");
  const opened = [SqliteConnectionStore.open(path)];
  return Promise.resolve({
    store: opened[0] as SqliteConnectionStore,
    reopen: () => {
      const again = SqliteConnectionStore.open(path);
      opened.push(again);
      return Promise.resolve(again);
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

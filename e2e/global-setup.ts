/** Builds dist/ once before the end-to-end tests, so they exercise the real `bin/updraft`. */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Vitest global setup. */
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
}

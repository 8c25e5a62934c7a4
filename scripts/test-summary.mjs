// Prints vitest's JSON report as one plain closing line, "N passed, N failed, N skipped",
// which CI reads in any language; exits non-zero when a test failed or none ran.
import { readFileSync } from "node:fs";

const path = process.argv[2] ?? "test-artifacts/vitest.json";
let report;
try {
  report = JSON.parse(readFileSync(path, "utf8"));
} catch (err) {
  console.error(`test summary: cannot read ${path}: ${err.message}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A failed suite holds its failed tests (counted already); count suites only when a file
// failed before any test could run (an import error), so one failure is not told thrice.
const failed = report.numFailedTests || report.numFailedTestSuites || 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

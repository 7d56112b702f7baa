// Reads vitest's JSON report and prints our CI's closing line: `tests: N passed, M failed`.
// A test file that fails to import has no test results, only a failed file status: it counts
// as one failure. If the report is missing (typecheck or lint failed before vitest ran), the
// run counts as one failure. Exits non-zero whenever anything failed.
import { existsSync, readFileSync } from "node:fs";

const [reportPath, statusArg] = process.argv.slice(2);
const commandStatus = Number(statusArg ?? "1");

let passed = 0;
let failed = 0;
let skipped = 0;

if (reportPath && existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  for (const file of report.testResults ?? []) {
    const assertions = file.assertionResults ?? [];
    if (file.status === "failed" && !assertions.some((a) => a.status === "failed")) {
      failed += 1; // the file itself failed (import error, crash in a hook)
    }
    for (const a of assertions) {
      if (a.status === "passed") passed += 1;
      else if (a.status === "failed") failed += 1;
      else skipped += 1;
    }
  }
} else {
  console.log("ci: no vitest report (typecheck or lint failed before the tests ran)");
}

if (commandStatus !== 0 && failed === 0) failed = 1;

console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exitCode = failed > 0 || commandStatus !== 0 ? 1 : 0;

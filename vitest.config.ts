import { defineConfig } from "vitest/config";

// One vitest run from the root covers every package and app (projects mode).
// .ci/run sets VITEST_JSON_REPORT to get a machine-readable report for its closing line.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/cli", "apps/harness", "apps/playground", "apps/server", "docs"],
    reporters: jsonReport ? ["default", "json"] : ["default"],
    outputFile: jsonReport ? { json: jsonReport } : undefined,
    testTimeout: 60_000,
  },
});

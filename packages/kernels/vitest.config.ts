import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "kernels",
    include: ["test/**/*.test.ts"],
    // Generous: CLI tests spawn processes, and CI has 2 busy cores. Speed is measured in pnpm bench.
    testTimeout: 60_000,
  },
});

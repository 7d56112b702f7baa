import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "gguf",
    include: ["test/**/*.test.ts"],
    // Generous: CI has 2 busy cores. No test here is timed.
    testTimeout: 60_000,
  },
});

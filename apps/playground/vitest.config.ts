import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "playground",
    include: ["test/**/*.test.ts"],
    // The browser test trains and queries models in headless Chromium on 2 busy cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

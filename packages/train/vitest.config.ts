import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "train",
    include: ["test/**/*.test.ts"],
    // The loop tests train real (tiny) models: seconds on an idle machine, more on a busy one.
    testTimeout: 60_000,
  },
});

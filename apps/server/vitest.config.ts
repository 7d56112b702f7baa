import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "server",
    include: ["test/**/*.test.ts"],
    // Generous: the tests run real servers and clients, and CI has 2 busy cores.
    testTimeout: 60_000,
  },
});

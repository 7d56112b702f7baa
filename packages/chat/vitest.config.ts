import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "chat",
    include: ["test/**/*.test.ts"],
  },
});

import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "tokenizer",
    include: ["test/**/*.test.ts"],
  },
});

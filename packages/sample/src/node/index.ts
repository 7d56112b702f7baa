// Node entry point of @llmts/sample (`import ... from "@llmts/sample/node"`): what only Node can
// measure. Everything else is in the main entry point and runs in browsers.
export { residentSetBytes } from "./memory.ts";

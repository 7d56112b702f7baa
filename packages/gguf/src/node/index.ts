// Node entry point of @llmts/gguf (`import ... from "@llmts/gguf/node"`): GGUF files on disk.
// Everything that needs no file system is in the main entry point and works in browsers.
export { type GgufReader, openGguf, writeGgufFile } from "./file.ts";
export { isGgufFile } from "./sniff.ts";

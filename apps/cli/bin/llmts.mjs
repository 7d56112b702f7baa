#!/usr/bin/env node
// The `llmts` command. It runs the bundle built at install time (dist/llmts.mjs, made by
// scripts/build.mjs: one ES module, so a start costs Node's parse of one file) when the bundle is
// up to date: every source file that went into it still has the size and mtime it had then
// (fresh.mjs; ~200 stats, a few milliseconds). Otherwise — no bundle yet, or a source edited
// since, or LLMTS_FROM_SOURCE=1 — it runs the TypeScript sources through tsx's loader, registered
// from this file (not via `node --import tsx`) so that tsx resolves from the CLI's own
// node_modules whatever the working directory is. Both run the same code; only the start-up
// differs (~0.2 s for the bundle, ~2 s through tsx).
import { fileURLToPath } from "node:url";
import { bundleIsFresh } from "./fresh.mjs";

const stamp = fileURLToPath(new URL("../dist/build.json", import.meta.url));
const root = fileURLToPath(new URL("../../../", import.meta.url));

if (process.env.LLMTS_FROM_SOURCE !== "1" && bundleIsFresh(stamp, root)) {
  await import("../dist/llmts.mjs");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}

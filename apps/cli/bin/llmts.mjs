#!/usr/bin/env node
// The `llmts` command. It runs the bundle built at install time (dist/llmts.mjs, made by
// scripts/build.mjs: one ES module, so a start costs Node's parse of one file) when the bundle is
// up to date: every source file that went into it still has the size and mtime it had then
// (dist/build.json; ~200 stats, a few milliseconds). Otherwise — no bundle yet, or a source
// edited since — it runs the TypeScript sources through tsx's loader, registered from this file
// (not via `node --import tsx`) so that tsx resolves from the CLI's own node_modules whatever the
// working directory is. Both run the same code; only the start-up time differs (~2 s for tsx).
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

function bundleIsFresh() {
  try {
    const { inputs } = JSON.parse(readFileSync(new URL("../dist/build.json", import.meta.url), "utf8"));
    for (const [path, [size, mtime]] of Object.entries(inputs)) {
      const s = statSync(root + path);
      if (s.size !== size || s.mtimeMs !== mtime) return false;
    }
    return true;
  } catch {
    return false;
  }
}

if (process.env.LLMTS_FROM_SOURCE !== "1" && bundleIsFresh()) {
  await import("../dist/llmts.mjs");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}

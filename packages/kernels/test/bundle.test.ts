// "@llmts/kernels" and "@llmts/kernels/browser" bundle for browsers: esbuild (platform "browser")
// must reach no Node built-in from either entry, and none of our own files in those bundles may
// use a Node global (process, Buffer, require, __dirname). The Node adapter ("@llmts/kernels/node")
// is the one place allowed both, and it is not in these bundles.
// Not here: running the bundle (browser.test.ts does, in headless Chromium).

import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../../", import.meta.url); // the repository: esbuild's paths are relative to it
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Fails the build with the importing file named, for any Node built-in. */
const refuseNodeBuiltins: Plugin = {
  name: "refuse-node-builtins",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) =>
      NODE_BUILTINS.has(args.path)
        ? { errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer}` }] }
        : undefined,
    );
  },
};

async function bundle(specifier: string) {
  return build({
    stdin: {
      contents: `export * from "${specifier}";`,
      resolveDir: fileURLToPath(new URL(".", import.meta.url)),
    },
    absWorkingDir: fileURLToPath(ROOT),
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [refuseNodeBuiltins],
  });
}

// A Node global used as one: process.x, Buffer.x / Buffer(, require(, __dirname, __filename.
const NODE_GLOBAL = /\bprocess\s*\.|\bBuffer\s*[.(]|\brequire\s*\(|\b__dirname\b|\b__filename\b/;

/** Our own source files in a bundle (not node_modules), with comments removed. */
function ownSources(inputs: Record<string, unknown>): { file: string; code: string }[] {
  return Object.keys(inputs)
    .filter((f) => !f.includes("node_modules") && f.endsWith(".ts"))
    .map((file) => ({
      file,
      code: readFileSync(new URL(file, ROOT), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, ""),
    }));
}

describe("the browser bundles", () => {
  for (const entry of ["@llmts/kernels", "@llmts/kernels/browser"]) {
    it(`of ${entry} reach no Node built-in and use no Node global`, async () => {
      const result = await bundle(entry);
      const inputs = result.metafile.inputs;
      const files = ownSources(inputs);
      expect(files.some((f) => f.file.includes("packages/kernels/src/wasm/gemm.wat.ts"))).toBe(true);
      expect(files.some((f) => f.file.includes("packages/kernels/src/node/"))).toBe(false);
      for (const { file, code } of files) {
        const hit = NODE_GLOBAL.exec(code);
        expect(hit, `${file} uses a Node global: ${hit?.[0]}`).toBeNull();
      }
      const gpujsBundled = Object.keys(inputs).some((f) => f.includes("gpu.js/dist/gpu-browser.js"));
      expect(gpujsBundled, "gpu.js's browser build is bundled only by the browser entry").toBe(
        entry.endsWith("/browser"),
      );
    });
  }
});

// @llmts/model runs in a browser: its main entry, bundled by esbuild for the browser platform,
// reaches no Node built-in module (node:fs, path, ...) and uses no Node global (process, Buffer,
// require, __dirname). File I/O lives behind "@llmts/model/node", which this bundle must not pull in.

import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const builtins = new Set(builtinModules);

/** Bundles `entry` for browsers; returns the code and every Node built-in an import reached. */
async function bundleForBrowser(file: string): Promise<{ code: string; nodeImports: string[] }> {
  const nodeImports: string[] = [];
  const recordNode: Plugin = {
    name: "record-node-builtins",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.replace(/^node:/, "").split("/")[0]!;
        if (!args.path.startsWith("node:") && !builtins.has(bare)) return undefined;
        nodeImports.push(`${args.path} (imported by ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [file],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
    plugins: [recordNode],
  });
  return { code: result.outputFiles[0]!.text, nodeImports };
}

/** Uses of Node's globals in bundled code (esbuild drops comments, so these are code or strings). */
function nodeGlobals(code: string): string[] {
  const uses = code.match(
    /\b(?:process|Buffer|require|global)\s*[.([]|\btypeof\s+(?:process|Buffer|require|global)\b|\b__dirname\b|\b__filename\b/g,
  );
  return [...new Set(uses ?? [])];
}

describe("the browser bundle of @llmts/model", () => {
  it("reaches no Node built-in module and no Node global", async () => {
    const { code, nodeImports } = await bundleForBrowser(entry);
    expect(code).toContain("modelFromFiles"); // the bundle holds the package, not an empty shell
    expect(nodeImports).toEqual([]);
    expect(nodeGlobals(code)).toEqual([]);
  });

  it("would catch the Node adapter, or a Node global, if the main entry reached them", async () => {
    const adapter = fileURLToPath(new URL("../src/node/index.ts", import.meta.url));
    const { nodeImports } = await bundleForBrowser(adapter);
    expect(nodeImports.some((i) => i.startsWith("node:fs"))).toBe(true);
    expect(nodeGlobals("const rss = process.memoryUsage.rss(); const b = Buffer.from(x);")).toEqual([
      "process.",
      "Buffer.",
    ]);
  });
});

// Every core package runs in a browser: its main entry bundles with esbuild for the browser
// platform (which cannot resolve a node: built-in, so any import of one fails the build), and the
// bundle reads no Node global. File access, worker_threads and the like live behind each
// package's "./node" entry, which this test deliberately leaves out.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { bundleForBrowser } from "../src/browser/index.ts";

const CORE = [
  "@llmts/tensor",
  "@llmts/safetensors",
  "@llmts/gguf",
  "@llmts/tokenizer",
  "@llmts/model",
  "@llmts/sample",
  "@llmts/train",
  "@llmts/kernels",
  "@llmts/kernels/browser",
];
const require = createRequire(import.meta.url);

describe("core packages bundled for the browser", () => {
  it.each(CORE)("%s bundles with no Node built-in and no Node global", async (name) => {
    const entry = require.resolve(name);
    const bundle = await bundleForBrowser(entry);
    expect(bundle.inputs.some((file) => file.startsWith("node:"))).toBe(false);
    // A free Node global would throw in a page. Our own sources must not read one (comments may
    // mention them); libraries are bundled in their browser builds, which guard their own.
    const ours = bundle.inputs.filter((file) => !file.includes("node_modules"));
    expect(ours.length).toBeGreaterThan(0);
    for (const file of ours) {
      const code = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "");
      expect(code, file).not.toMatch(/\bprocess\.|\bBuffer\.|\b__dirname\b|\brequire\(/);
    }
  });

  it("fails on a Node entry point, so the check above can fail", async () => {
    await expect(bundleForBrowser(require.resolve("@llmts/train/node"))).rejects.toThrow(/node:/);
  });
});

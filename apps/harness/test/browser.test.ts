// The core packages in a real browser: each is bundled for the browser with esbuild (which fails
// on any Node built-in), loaded into headless Chromium from a cross-origin-isolated local server,
// and what it computes there must match what the same code computes in Node.
// Chromium comes from Debian (scripts/ensure-chromium.mjs, part of `pnpm test`); when it is missing
// these tests fail with the command that installs it — they never skip.

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jsBackend, wasmBackend } from "@llmts/kernels/node";
import { loadModel } from "@llmts/model/node";
import { readSafetensorsFile } from "@llmts/safetensors/node";
import { intTensor, noGrad, referenceBackend, setBackend } from "@llmts/tensor";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleForBrowser, launchChromium, type StaticServer, serveStatic } from "../src/browser/index.ts";
import { FIXTURES } from "./browser/fixture-list.ts";
import { tensorProgram } from "./browser/tensor-program.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

let browser: Browser;
let server: StaticServer;

beforeAll(async () => {
  const tensor = await bundleForBrowser(here("./browser/tensor-page.ts"));
  const logits = await bundleForBrowser(here("./browser/logits-page.ts"));
  const page = (script: string) =>
    `<!doctype html><meta charset="utf-8"><script type="module" src="/${script}"></script>`;
  server = await serveStatic(here("../../../fixtures"), {
    "/tensor.js": tensor.code,
    "/tensor.html": page("tensor.js"),
    "/logits.js": logits.code,
    "/logits.html": page("logits.js"),
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function resultOf<T = number[]>(path: string): Promise<T> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}${path}`);
  // A page error (caught below) leaves no result: stop waiting then, and report the error.
  await page.waitForFunction(() => "result" in globalThis, null, { timeout: 60_000 }).catch(() => {});
  expect(errors).toEqual([]);
  const result = await page.evaluate(() => (globalThis as { result?: unknown }).result ?? []);
  await page.close();
  return result as T;
}

/** Logits of a fixture's reference inputs computed here in Node, on the given kernels. */
function nodeLogits(name: string, backend: Parameters<typeof setBackend>[0]): Float32Array {
  const dir = here(`../../../fixtures/${name}`);
  const ids = readSafetensorsFile(join(dir, "reference.safetensors")).get("input_ids");
  const values = new BigInt64Array(ids.data.buffer, ids.data.byteOffset, ids.data.byteLength / 8);
  const previous = setBackend(backend);
  try {
    const { model } = loadModel(dir);
    return noGrad(() =>
      model.forward(intTensor(Int32Array.from(values, Number), ids.shape)),
    ).dataSync() as Float32Array;
  } finally {
    setBackend(previous);
  }
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe("in headless Chromium", () => {
  it("the page is cross-origin isolated, so SharedArrayBuffer exists for worker threads", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/tensor.html`);
    const isolated = await page.evaluate(
      () => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    );
    expect(isolated).toBe(true);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe("function");
    await page.close();
  });

  it("@llmts/tensor bundles for the browser and computes forward and backward as Node does", async () => {
    const got = await resultOf("/tensor.html");
    const want = tensorProgram();
    expect(got.length).toBe(want.length);
    // The same code on IEEE arithmetic; only Math.exp/tanh may differ in the last bit between V8s.
    expect(maxDiff(got, want)).toBeLessThan(1e-5);
  });

  it("loads fixture checkpoints through the bundled @llmts/model and gives the logits Node computes", async () => {
    const got = await resultOf<Record<string, number[]> & { error?: string }>("/logits.html");
    expect(got.error).toBeUndefined();
    // The wasm SIMD kernels really ran in the page (the counts come from the kernels themselves).
    expect(String(got.describe)).toMatch(/^backend wasm .*ran: .*matmul wasm/);
    for (const [label, backend] of [
      ["reference", referenceBackend],
      ["js", jsBackend],
      ["wasm", wasmBackend],
    ] as const) {
      for (const name of FIXTURES) {
        const want = nodeLogits(name, backend);
        const logits = got[`${label} ${name}`]!;
        expect(logits.length, `${label} ${name}`).toBe(want.length);
        expect(maxDiff(logits, want), `${label} ${name}`).toBeLessThan(1e-5);
      }
    }
  });
});

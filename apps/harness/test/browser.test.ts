// The core packages in a real browser: each is bundled for the browser with esbuild (which fails
// on any Node built-in), loaded into headless Chromium from a cross-origin-isolated local server,
// and what it computes there must match what the same code computes in Node.
// Chromium comes from Debian (scripts/ensure-chromium.mjs, part of `pnpm test`); when it is missing
// these tests fail with the command that installs it — they never skip.

import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleForBrowser, launchChromium, type StaticServer, serveStatic } from "../src/browser/index.ts";
import { tensorProgram } from "./browser/tensor-program.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

let browser: Browser;
let server: StaticServer;

beforeAll(async () => {
  const tensor = await bundleForBrowser(here("./browser/tensor-page.ts"));
  const page = '<!doctype html><meta charset="utf-8"><script type="module" src="/tensor.js"></script>';
  server = await serveStatic(here("../../../fixtures"), { "/tensor.js": tensor.code, "/tensor.html": page });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function resultOf(path: string): Promise<number[]> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}${path}`);
  // A page error (caught below) leaves no result: stop waiting then, and report the error.
  await page.waitForFunction(() => "result" in globalThis, null, { timeout: 60_000 }).catch(() => {});
  expect(errors).toEqual([]);
  const result = await page.evaluate(() => (globalThis as { result?: number[] }).result ?? []);
  await page.close();
  return result;
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
});

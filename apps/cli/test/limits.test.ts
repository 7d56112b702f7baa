// Hostile or absurd input costs little (issue: hardening, "bounded resources"): each case once
// ran for minutes or took gigabytes, and now errors (or is capped) within a generous bound,
// measured in a child process (measure.ts): sizes that cannot fit (init, train), --threads far
// beyond the cores, an output path under /proc, a config.json that is /dev/zero, a FIFO or huge,
// and a generation whose reader has gone (`| head -c 20`).

import { execFileSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MeasuredRun, runMeasured } from "./measure.ts";

const fixture = fileURLToPath(new URL("../../../fixtures/llama-gqa-tied", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-limits-"));
const text = join(dir, "text.txt");
const tiny = join(dir, "tiny-16"); // GPT-2, window of 16 tokens, no tokenizer
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  writeFileSync(text, "the cat sat on the mat. the dog sat on the log. ".repeat(40));
  const flags = ["--arch", "gpt2", "--n-layer", "1", "--n-head", "1", "--n-embd", "8"];
  const r = await runMeasured(["init", ...flags, "--vocab-size", "50", "--block-size", "16", "--out", tiny]);
  expect(r.status, r.stderr).toBe(0);
});

/** One line on stderr, exit 1, within `seconds` and `mb`. */
function refusedQuickly(r: MeasuredRun, message: RegExp, seconds = 10, mb = 1024): void {
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.status).toBe(1);
  expect(r.seconds).toBeLessThan(seconds);
  expect(r.peakMb).toBeLessThan(mb);
}

describe("sizes that cannot fit are refused before anything is allocated", () => {
  const GPT2 = ["--arch", "gpt2", "--n-layer", "1", "--n-head", "1"];
  it("llmts init --vocab-size 1e9 / --block-size 1e8 / --n-embd 1e6: model too large, within 10 s and 1 GB", async () => {
    const cases: [string[], RegExp][] = [
      [
        [...GPT2, "--n-embd", "768", "--vocab-size", "1e9", "--block-size", "64"],
        /^llmts: model too large: 768,[\d,]+ parameters \([\d.,]+ (GB|TB)\); transformer\.wte\.weight \[1000000000, 768\] alone/,
      ],
      [
        [...GPT2, "--n-embd", "768", "--vocab-size", "65", "--block-size", "1e8"],
        /^llmts: model too large: [\d,]+ parameters \([\d.,]+ (GB|TB)\); transformer\.wpe\.weight \[100000000, 768\] alone/,
      ],
      [
        [...GPT2, "--n-embd", "1e6", "--vocab-size", "65", "--block-size", "64"],
        /^llmts: model too large: [\d,]+ parameters \([\d.,]+ (GB|TB)\); .*mlp\.c_fc\.weight \[1000000, 4000000\] alone/,
      ],
    ];
    for (const [flags, message] of cases) {
      const out = join(dir, "never");
      refusedQuickly(await runMeasured(["init", ...flags, "--out", out]), message);
    }
  });

  it("llmts train --batch-size 1e8 / --block-size 1e8 / --gradient-accumulation-steps 1e12: one line within 10 s and 1 GB", async () => {
    const train = ["train", "--data", text, "--out", join(dir, "run"), "--max-iters", "1", "--threads", "1"];
    const cases: [string[], RegExp][] = [
      [
        ["--batch-size", "1e8"],
        /^llmts: batch too large: --batch-size 100000000 × --block-size 64 needs at least [\d.,]+ TB of activations per micro-batch/,
      ],
      [
        ["--block-size", "1e8"],
        /^llmts: model too large: [\d,]+ parameters .*wpe\.weight \[100000000, 128\] alone/,
      ],
      [["--n-embd", "1e6", "--n-head", "1"], /^llmts: model too large: [\d,]+ parameters/],
      [
        ["--gradient-accumulation-steps", "1e12"],
        /^llmts: step too large: one optimizer step would read 768,000,000,000,000 tokens \(--batch-size 12 × --block-size 64 × --gradient-accumulation-steps 1000000000000\)/,
      ],
    ];
    for (const [flags, message] of cases) refusedQuickly(await runMeasured([...train, ...flags]), message);
  });
});

describe("bounded costs", () => {
  it("caps --threads 1000 at the machine's cores with a warning, and runs within 30 s and 1 GB", async () => {
    // Before: 1000 worker threads, 79 s and 7.5 GB for this 100K-parameter model.
    const cores = availableParallelism();
    const input = join(fixture, "reference.safetensors");
    const out = join(dir, "logits.safetensors");
    const r = await runMeasured([
      "logits",
      "--model",
      fixture,
      "--input",
      input,
      "--out",
      out,
      "--threads",
      "1000",
    ]);
    expect(r.stderr).toBe(
      `warning: --threads 1000 is more than this machine's ${cores} cores: using ${cores}\n`,
    );
    expect(r.status).toBe(0);
    expect(r.seconds).toBeLessThan(30);
    expect(r.peakMb).toBeLessThan(1024);
  });

  it("fails at once on an output directory under /proc, where Node's recursive mkdir retries for minutes", async () => {
    const r = await runMeasured(["init", "--preset", "stories260K", "--out", "/proc/llmts-no-such/model"]);
    refusedQuickly(
      r,
      /^llmts: --out: cannot write to \/proc\/llmts-no-such\/model: the file system refuses new directories in \/proc\n$/,
    );
  });

  it("refuses a config.json or generation_config.json that is /dev/zero, a FIFO or 20 MiB, naming the file and the cap", async () => {
    const cases: [string, string, (path: string) => void, RegExp][] = [
      [
        "zero",
        "config.json",
        (p) => symlinkSync("/dev/zero", p),
        /config\.json: it is a character device, not a file/,
      ],
      [
        "fifo",
        "config.json",
        (p) => execFileSync("mkfifo", [p]),
        /config\.json: it is a FIFO \(named pipe\), not a file/,
      ],
      [
        "huge",
        "config.json",
        (p) => {
          const fd = openSync(p, "w");
          ftruncateSync(fd, 20 * 2 ** 20); // sparse: 20 MiB of nothing
          closeSync(fd);
        },
        /config\.json: it is 20\.0 MiB, more than the 16\.0 MiB allowed/,
      ],
      [
        "gen-zero",
        "generation_config.json",
        (p) => symlinkSync("/dev/zero", p),
        /generation_config\.json is a character device, not a file/,
      ],
    ];
    for (const [name, file, make, message] of cases) {
      const model = join(dir, name);
      mkdirSync(model);
      for (const f of ["config.json", "model.safetensors"]) {
        if (f !== file) copyFileSync(join(tiny, f), join(model, f));
      }
      make(join(model, file));
      const r = await runMeasured([
        "generate",
        "--model",
        model,
        "--prompt-ids",
        "1",
        "--max-new-tokens",
        "2",
      ]);
      refusedQuickly(r, message);
    }
  });

  it("stops generating when stdout's reader goes away: 100,000 tokens into `head -c 20` end within 30 s", async () => {
    // Before: every token was generated into the closed pipe (529 s for 100,000).
    let seen = 0;
    const r = await runMeasured(
      ["generate", "--model", tiny, "--prompt-ids", "1,2", "--max-new-tokens", "100000", "--crop-context"],
      {
        onStdout: (chunk, stdout) => {
          seen += chunk.length;
          if (seen >= 20) stdout.destroy(); // what `head -c 20` does once it has its 20 bytes
        },
      },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.seconds).toBeLessThan(30);
  });
});

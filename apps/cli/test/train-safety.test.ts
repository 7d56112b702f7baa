// `llmts train` and `llmts demo` never lose a user's work, each case reproducing a failure found
// by trying the CLI as a user and as an attacker would (issue: hardening): a model in --out is not
// replaced without --force, a fine-tune does not write over the model it reads, the demo does
// not replace a run that `train --resume` continued, SIGTERM and SIGHUP save like Ctrl-C, two runs
// on one --out do not corrupt each other, a diverging loss does not save NaN weights, a resume
// that is already done does nothing, and input that is not text (or not a file) is told apart.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "@llmts/model/node";
import { afterAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "llmts-cli-safety-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const textFile = join(scratch, "tiny.txt");
writeFileSync(textFile, "the cat sat on the mat. the dog sat on the log. ".repeat(40));
const TINY = ["--n-layer", "1", "--n-embd", "16", "--n-head", "2", "--block-size", "8", "--batch-size", "4"];
const ONE_THREAD = ["--data-parallel", "1", "--threads", "1"];

function llmts(args: string[], cwd?: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd, timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** A finished tiny run in a new directory. */
function trained(name: string, iters = 3, extra: string[] = []): string {
  const out = join(scratch, name);
  const r = llmts([
    "train",
    "--data",
    textFile,
    "--out",
    out,
    ...TINY,
    ...ONE_THREAD,
    "--max-iters",
    String(iters),
    ...extra,
  ]);
  expect(r.status, r.stderr).toBe(0);
  return out;
}

const bytes = (path: string) => readFileSync(path);

describe("llmts train refuses to replace files it did not write", () => {
  it("keeps a model in --out (no training state) unless --force, in one line", () => {
    const out = trained("model");
    rmSync(join(out, "training_state.json")); // now just a model directory, as after `llmts init`
    const before = bytes(join(out, "model.safetensors"));
    const refused = llmts([
      "train",
      "--data",
      textFile,
      "--out",
      out,
      ...TINY,
      ...ONE_THREAD,
      "--max-iters",
      "2",
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /^llmts: --out: .*config\.json and \d+ more files already exist, .*--force/,
    );
    expect(bytes(join(out, "model.safetensors")).equals(before)).toBe(true);
    const forced = llmts([
      "train",
      "--data",
      textFile,
      "--out",
      out,
      ...TINY,
      ...ONE_THREAD,
      "--max-iters",
      "2",
      "--force",
    ]);
    expect(forced.status, forced.stderr).toBe(0);
  });

  it("never writes a fine-tune over the model it starts from, even with --force", () => {
    const base = trained("base");
    const before = bytes(join(base, "model.safetensors"));
    for (const force of [[], ["--force"]]) {
      const r = llmts([
        "train",
        "--init-from",
        base,
        "--data",
        textFile,
        "--out",
        base,
        ...ONE_THREAD,
        "--max-iters",
        "2",
        ...force,
      ]);
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toMatch(
        /^llmts: --out .* would overwrite --init-from .*, which this command reads: choose another --out$/,
      );
    }
    expect(bytes(join(base, "model.safetensors")).equals(before)).toBe(true);
  });
});

describe("llmts demo", () => {
  it("replaces its own earlier output but not a run that `train --resume` continued", () => {
    const out = join(scratch, "demo");
    const demo = (extra: string[] = []) =>
      llmts(["demo", "--out", out, "--max-iters", "1", "--sample-length", "5", ...extra]);
    expect(demo().status).toBe(0);
    expect(demo().status).toBe(0); // its own output: replaced
    const resumed = llmts(["train", "--resume", "--out", out, "--max-iters", "2", ...ONE_THREAD]);
    expect(resumed.status, resumed.stderr).toBe(0);
    const state = bytes(join(out, "training_state.json"));
    const again = demo();
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^llmts: --out: .* already exist, and this command did not write them/m);
    expect(bytes(join(out, "training_state.json")).equals(state)).toBe(true);
  }, 120_000);
});

describe("signals, locks and a diverging loss", () => {
  /** Starts a long run and sends `signal` once a few steps are logged; resolves with exit code and stderr. */
  async function stopWith(
    signal: NodeJS.Signals,
    out: string,
  ): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(
      process.execPath,
      [bin, "train", "--data", textFile, "--out", out, ...TINY, ...ONE_THREAD, "--max-iters", "100000"],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    for (let waited = 0; waited < 30_000 && !stderr.includes("iterations of"); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // a few steps into the run
    child.kill(signal);
    return { code: await exited, stderr };
  }

  it("saves a checkpoint on SIGTERM and SIGHUP as on Ctrl-C, prints how to resume, and exits 128 + n", async () => {
    for (const [signal, code] of [
      ["SIGTERM", 143],
      ["SIGHUP", 129],
    ] as const) {
      const out = join(scratch, `signal-${signal}`);
      const r = await stopWith(signal, out);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain(`${signal}: finishing this step and saving a checkpoint`);
      expect(r.stderr).toContain(`continue with: npx -y pnpm@12.21.0 llmts train --resume --out ${out}`);
      expect(JSON.parse(readFileSync(join(out, "training_state.json"), "utf8")).iter).toBeGreaterThan(0);
    }
  }, 120_000);

  it("refuses a second run on the same --out while the first writes it, and takes over a stale lock", async () => {
    const out = join(scratch, "locked");
    const child = spawn(
      process.execPath,
      [bin, "train", "--data", textFile, "--out", out, ...TINY, ...ONE_THREAD, "--max-iters", "100000"],
      { stdio: "ignore" },
    );
    const exited = new Promise((resolve) => child.on("exit", resolve));
    try {
      for (let waited = 0; waited < 30_000; waited += 50) {
        try {
          if (readFileSync(join(out, ".llmts-lock"), "utf8").trim() !== "") break;
        } catch {}
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const second = llmts(["train", "--resume", "--out", out, ...ONE_THREAD]);
      expect(second.status).toBe(1);
      expect(second.stderr.trim()).toBe(
        `llmts: another run is writing ${out} (pid ${child.pid}); wait for it to end, or choose another --out`,
      );
    } finally {
      child.kill("SIGKILL"); // leaves its lock behind: stale from now on
      await exited;
    }
    const after = llmts(["train", "--resume", "--out", out, "--max-iters", "1", ...ONE_THREAD]);
    expect(after.stderr).not.toContain("another run is writing");
  }, 120_000);

  it("stops with a clear error when the loss becomes NaN, keeping the last finite checkpoint", () => {
    const out = join(scratch, "nan");
    const r = llmts([
      "train",
      "--data",
      textFile,
      "--out",
      out,
      ...TINY,
      ...ONE_THREAD,
      "--max-iters",
      "200",
      "--eval-interval",
      "1",
      "--eval-iters",
      "1",
      "--warmup-iters",
      "0",
      "--grad-clip",
      "0",
      "--learning-rate",
      "1e9",
    ]);
    expect(r.status).toBe(1);
    const lines = r.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("llmts:"));
    expect(lines[0]).toMatch(
      /^llmts: the (training loss|gradient norm) became (NaN|Infinity|-Infinity) at iteration \d+ .*the checkpoint of iteration \d+ is intact/,
    );
    const { model } = loadModel(out);
    for (const p of model.parameters().values()) expect(p.dataSync().every(Number.isFinite)).toBe(true);
  });
});

describe("llmts train --resume", () => {
  it("does nothing, and says so, when the run is already past --max-iters", () => {
    const out = trained("past", 4);
    const state = bytes(join(out, "training_state.json"));
    const r = llmts(["train", "--resume", "--out", out, "--max-iters", "2", ...ONE_THREAD]);
    expect(r.status).toBe(0);
    expect(r.stderr.trim()).toBe(
      `the run in ${out} is already at iteration 4, past --max-iters 2: nothing to do (pass a --max-iters above 4 to train further)`,
    );
    expect(bytes(join(out, "training_state.json")).equals(state)).toBe(true);
  });

  it("refuses a training_state.json whose iteration is negative, naming the field", () => {
    const out = trained("negative", 2);
    const path = join(out, "training_state.json");
    writeFileSync(path, readFileSync(path, "utf8").replace(/"iter": 2,/, '"iter": -5,'));
    const r = llmts(["train", "--resume", "--out", out, "--max-iters", "8", ...ONE_THREAD]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^llmts: resume: .*training_state\.json: "iter" must be a whole number >= 0, got -5$/,
    );
  });

  it("finds its --data from another working directory (the path is stored absolute)", () => {
    const dir = join(scratch, "relative");
    mkdirSync(dir);
    writeFileSync(join(dir, "t.txt"), readFileSync(textFile));
    const first = llmts(
      ["train", "--data", "t.txt", "--out", "run", ...TINY, ...ONE_THREAD, "--max-iters", "2"],
      dir,
    );
    expect(first.status, first.stderr).toBe(0);
    const r = llmts(
      ["train", "--resume", "--out", join(dir, "run"), "--max-iters", "3", ...ONE_THREAD],
      scratch,
    );
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("training input", () => {
  it("warns, without looking like an error, when --data is not text", () => {
    const noise = join(scratch, "noise.bin");
    const random = new Uint8Array(20_000).map((_, i) => (i * 7919 + 13) % 256);
    writeFileSync(noise, random);
    const r = llmts([
      "train",
      "--data",
      noise,
      "--out",
      join(scratch, "noise"),
      ...TINY,
      ...ONE_THREAD,
      "--max-iters",
      "1",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const warning = r.stderr.split("\n").find((l) => l.includes("does not look like text"));
    expect(warning).toMatch(/^warning: --data .*noise\.bin does not look like text: \d+% of its characters/);
  });

  it("refuses a --data that is not a regular file within seconds (/dev/zero)", () => {
    const started = Date.now();
    const r = llmts(["train", "--data", "/dev/zero", "--out", join(scratch, "zero"), ...TINY]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe("llmts: data: /dev/zero is a character device, not a file");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("refuses a demo --out under /proc at once, in one line (no endless mkdir)", () => {
    const started = Date.now();
    const r = llmts(["demo", "--out", "/proc/llmts-demo/out", "--max-iters", "1"]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n").pop()).toMatch(
      /^llmts: --out: cannot write to \/proc\/llmts-demo\/out: /,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("refuses a training_state.json that is not a regular file (/dev/zero), naming it", () => {
    const out = trained("state-zero", 2);
    rmSync(join(out, "training_state.json"));
    symlinkSync("/dev/zero", join(out, "training_state.json"));
    const started = Date.now();
    const r = llmts(["train", "--resume", "--out", out, "--max-iters", "3", ...ONE_THREAD]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^llmts: resume: .*training_state\.json is a character device, not a file$/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

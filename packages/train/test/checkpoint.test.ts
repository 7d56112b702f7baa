// Checkpoints survive interruption: a write stopped at any point leaves one consistent checkpoint
// (all files from the same iteration), old or new, and a tampered directory is refused on resume.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "@llmts/model/node";
import { afterEach, describe, expect, it } from "vitest";
import { type PreparedRun, TrainError } from "../src/index.ts";
import {
  prepareRun,
  readOptimizerState,
  readTrainingState,
  recoverCheckpoint,
  saveCheckpoint,
  trainRun,
} from "../src/node/index.ts";
import { scratchDir, TEXT, tinyConfig } from "./helpers.ts";

const dirs: string[] = [];
function outDir(): string {
  const dir = scratchDir();
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A finished 3-step run in `out`, resumed (so it can be saved again as iteration 4). */
async function runToThree(out: string): Promise<PreparedRun> {
  await trainRun(prepareRun(tinyConfig(out, { maxIters: 3 }), { readText: () => TEXT }));
  const run = prepareRun(tinyConfig(out), { resume: true, readText: () => TEXT });
  // Pretend another step happened: change the weights and the iteration.
  for (const p of run.model.parameters().values()) (p.dataSync() as Float32Array).fill(0.25);
  run.state.iter = 4;
  return run;
}

const crashAt = (event: string) => (e: string) => {
  if (e === event) throw new Error(`simulated crash after ${e}`);
};

describe("saveCheckpoint", () => {
  it("leaves the previous checkpoint in place when interrupted before the commit", async () => {
    const out = outDir();
    const run = await runToThree(out);
    const before = readFileSync(join(out, "model.safetensors"));
    const parts = { model: run.model, tokenizer: run.tokenizer, optimizer: run.optimizer, state: run.state };
    expect(() => saveCheckpoint(out, parts, crashAt("staged"))).toThrow(/simulated crash/);

    expect(readTrainingState(out).iter).toBe(3); // hashes verified inside
    expect(readFileSync(join(out, "model.safetensors")).equals(before)).toBe(true);
    expect(existsSync(join(out, ".checkpoint-staging"))).toBe(false); // recovery removed it
  });

  it("completes a write interrupted between renames after the commit", async () => {
    const out = outDir();
    const run = await runToThree(out);
    const parts = { model: run.model, tokenizer: run.tokenizer, optimizer: run.optimizer, state: run.state };
    expect(() => saveCheckpoint(out, parts, crashAt("installed model.safetensors"))).toThrow(
      /simulated crash/,
    );
    // The directory is mixed now: new model next to the old state...
    expect(JSON.parse(readFileSync(join(out, "training_state.json"), "utf8")).iter).toBe(3);
    // ...until recovery finishes the committed write.
    expect(recoverCheckpoint(out)).toBe("completed");
    expect(readTrainingState(out).iter).toBe(4);
    const { model } = loadModel(out);
    for (const p of model.parameters().values()) expect(p.toArray().every((x) => x === 0.25)).toBe(true);
  });

  it("refuses to resume from a directory whose model is not the one its state recorded", async () => {
    const out = outDir();
    const other = outDir();
    await trainRun(prepareRun(tinyConfig(out, { maxIters: 3 }), { readText: () => TEXT }));
    await trainRun(prepareRun(tinyConfig(other, { maxIters: 3, seed: 7 }), { readText: () => TEXT }));
    copyFileSync(join(other, "model.safetensors"), join(out, "model.safetensors"));
    expect(() => readTrainingState(out)).toThrow(TrainError);
    expect(() => readTrainingState(out)).toThrow(
      /model\.safetensors is not the file saved with training_state\.json \(iteration 3\)/,
    );
  });

  it("leaves a consistent checkpoint when the writing process is killed at random moments", async () => {
    const writer = fileURLToPath(new URL("./fixtures/checkpoint-writer.ts", import.meta.url));
    const cwd = fileURLToPath(new URL("..", import.meta.url));
    for (const delayMs of [0, 37, 113, 251]) {
      const out = outDir();
      const child = spawn(process.execPath, ["--import", "tsx", writer, out], {
        cwd,
        stdio: ["ignore", "pipe", "inherit"],
      });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      try {
        // Wait for the first complete checkpoint, then kill without warning somewhere in a later write.
        await new Promise<void>((resolve, reject) => {
          child.stdout.on("data", (chunk: Buffer) => {
            if (chunk.toString().includes("saved 1")) resolve();
          });
          child.on("exit", (code) => reject(new Error(`writer exited early with ${code}`)));
        });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      } finally {
        child.kill("SIGKILL");
        await exited;
      }

      const state = readTrainingState(out); // recovers, then checks every file's hash
      const k = state.iter;
      expect(k).toBeGreaterThanOrEqual(1);
      const { model } = loadModel(out);
      for (const p of model.parameters().values())
        expect(p.toArray().every((x) => x === Math.fround(k / 1000))).toBe(true);
      const moments = readOptimizerState(out);
      expect(moments.step).toBe(k);
      for (const m of moments.m.values()) expect(m.every((x) => x === k)).toBe(true);
    }
  });
});

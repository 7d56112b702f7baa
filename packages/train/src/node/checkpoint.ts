// Training checkpoints: a Hugging Face model directory that `llmts generate` loads as is, plus what
// it takes to continue training exactly.
//
//   OUT/config.json            the model's config (HF)             \
//   OUT/model.safetensors      the weights (HF names)              |  one checkpoint: all files
//   OUT/tokenizer.json         the tokenizer                       |  from the same iteration
//   OUT/optimizer.safetensors  AdamW moments "<param>.exp_avg" /   |
//                              "<param>.exp_avg_sq", F32           |
//   OUT/training_state.json    iteration, RNG states, run config,  |
//                              and the SHA-256 of every file above /
//
// Writing is a small commit protocol, so that killing the process at any instant leaves one
// consistent checkpoint (old or new, never a mix):
//   1. write every file into OUT/.checkpoint-staging/ (each fsynced);
//   2. rename the staging directory to OUT/.checkpoint-commit/ — the commit point: one atomic rename;
//   3. move the files from there into OUT/ one by one, training_state.json last; remove the directory.
// A crash before 2 leaves a staging directory, which is thrown away: OUT still holds the old
// checkpoint. A crash during 3 leaves a commit directory, which `recoverCheckpoint` (run before
// every read and write) finishes moving: OUT then holds the new checkpoint. While 3 runs, OUT's
// model.safetensors and config.json are each always complete (single-file renames), so a
// concurrent `llmts generate` never reads a torn file. On resume the state file's hashes are
// checked against the files, which catches anything else (a file copied in by hand, say).
// Not here: keeping several checkpoints, "best val loss only" saving (we always keep the latest).

import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { CausalLM } from "@llmts/model";
import { saveModel } from "@llmts/model/node";
import { fromFloat32, type Tensor as StTensor, toFloat32 } from "@llmts/safetensors";
import {
  fsyncPath,
  MAX_JSON_BYTES,
  readLimitedText,
  readSafetensorsFile,
  writeSafetensors,
} from "@llmts/safetensors/node";
import { saveTokenizer } from "@llmts/tokenizer/node";
import type { AdamW, AdamWState } from "../adamw.ts";
import { TrainError } from "../errors.ts";
import { stateFromJson, stateToJson, type TrainingState } from "../state.ts";

export const STATE_FILE = "training_state.json";
export const OPTIMIZER_FILE = "optimizer.safetensors";
const STAGING_DIR = ".checkpoint-staging";
const COMMIT_DIR = ".checkpoint-commit";

/** What a checkpoint needs of the tokenizer: its tokenizer.json text (saveTokenizer writes it). */
export interface Savable {
  toTokenizerJson(): string;
}

export interface CheckpointParts {
  model: CausalLM;
  tokenizer: Savable;
  optimizer: AdamW;
  state: TrainingState;
}

/** Test hook: called after each step of the protocol ("staged", "committed", "installed <file>"). */
export type CheckpointProbe = (event: string) => void;

/** Writes a consistent checkpoint into `dir` (see the protocol above). */
export function saveCheckpoint(dir: string, parts: CheckpointParts, probe?: CheckpointProbe): void {
  mkdirSync(dir, { recursive: true });
  recoverCheckpoint(dir);
  const staging = join(dir, STAGING_DIR);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);

  saveModel(staging, parts.model);
  saveTokenizer(parts.tokenizer, staging);
  writeOptimizer(join(staging, OPTIMIZER_FILE), parts.optimizer, parts.state.iter);
  const files: Record<string, string> = {};
  for (const name of readdirSync(staging).sort()) {
    const path = join(staging, name);
    fsyncPath(path);
    files[name] = sha256File(path);
  }
  const json = { format: "llmts-training-state", version: 1, ...stateToJson(parts.state), files };
  writeFileSync(join(staging, STATE_FILE), `${JSON.stringify(json, null, 2)}\n`);
  fsyncPath(join(staging, STATE_FILE));
  fsyncPath(staging);
  probe?.("staged");

  renameSync(staging, join(dir, COMMIT_DIR)); // the commit point
  fsyncPath(dir);
  probe?.("committed");
  installCommit(dir, probe);
}

/**
 * Finishes or discards an interrupted checkpoint write in `dir`. Returns what it found:
 * "none", "completed" (a committed write was finished) or "discarded" (an uncommitted one removed).
 */
export function recoverCheckpoint(dir: string): "none" | "completed" | "discarded" {
  let found: "none" | "completed" | "discarded" = "none";
  if (existsSync(join(dir, COMMIT_DIR))) {
    installCommit(dir);
    found = "completed";
  }
  if (existsSync(join(dir, STAGING_DIR))) {
    rmSync(join(dir, STAGING_DIR), { recursive: true, force: true });
    if (found === "none") found = "discarded";
  }
  return found;
}

function installCommit(dir: string, probe?: CheckpointProbe): void {
  const commit = join(dir, COMMIT_DIR);
  const names = readdirSync(commit).filter((n) => n !== STATE_FILE);
  for (const name of [...names.sort(), STATE_FILE]) {
    if (!existsSync(join(commit, name))) continue; // moved before an interruption
    renameSync(join(commit, name), join(dir, name));
    probe?.(`installed ${name}`);
  }
  fsyncPath(dir);
  rmdirSync(commit);
}

/** True when `dir` holds a training checkpoint (possibly one whose write needs recovering). */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, STATE_FILE)) || existsSync(join(dir, COMMIT_DIR));
}

/**
 * Reads `dir`'s training state after recovering any interrupted write, and checks that every file
 * it lists has the hash it recorded: model, tokenizer and optimizer are from state.iter.
 */
export function readTrainingState(dir: string): TrainingState {
  recoverCheckpoint(dir);
  const path = join(dir, STATE_FILE);
  if (!existsSync(path)) throw new TrainError(`resume: ${dir} holds no ${STATE_FILE} (nothing to resume)`);
  const text = readLimitedText(path, MAX_JSON_BYTES, (reason) => {
    throw new TrainError(`resume: ${path} ${reason}`);
  });
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new TrainError(`resume: ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (json.format !== "llmts-training-state" || json.version !== 1) {
    throw new TrainError(`resume: ${path} is not an llm.ts training state (format/version)`);
  }
  const files = json.files;
  const listed = typeof files === "object" && files !== null ? Object.entries(files) : [];
  if (listed.length === 0 || listed.some(([name, hash]) => typeof hash !== "string" || name.includes("/"))) {
    throw new TrainError(`resume: ${path}: "files" must list the checkpoint's files with their SHA-256`);
  }
  for (const [name, hash] of listed) {
    const file = join(dir, name);
    if (!existsSync(file)) throw new TrainError(`resume: ${file} is missing (listed in ${STATE_FILE})`);
    if (sha256File(file) !== hash) {
      throw new TrainError(
        `resume: ${file} is not the file saved with ${STATE_FILE} (iteration ${json.iter}): ` +
          "it was changed after the checkpoint was written",
      );
    }
  }
  return stateFromJson(json, path);
}

/** The AdamW moments and step count saved in `dir`. */
export function readOptimizerState(dir: string): AdamWState {
  const file = readSafetensorsFile(join(dir, OPTIMIZER_FILE));
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const info of file.tensors) {
    const values = toFloat32(file.get(info.name)).slice();
    if (info.name.endsWith(".exp_avg")) m.set(info.name.slice(0, -".exp_avg".length), values);
    else if (info.name.endsWith(".exp_avg_sq")) v.set(info.name.slice(0, -".exp_avg_sq".length), values);
  }
  const step = Number(file.metadata?.step);
  if (!Number.isInteger(step))
    throw new TrainError(`resume: ${join(dir, OPTIMIZER_FILE)} has no step count in its metadata`);
  return { step, m, v };
}

/** Moments under PyTorch's state names, each with its parameter's shape; the step count as metadata. */
function writeOptimizer(path: string, optimizer: AdamW, iter: number): void {
  const state = optimizer.getState();
  const tensors: Record<string, StTensor> = {};
  for (const [name, p] of optimizer.params) {
    tensors[`${name}.exp_avg`] = fromFloat32(state.m.get(name)!, [...p.shape]);
    tensors[`${name}.exp_avg_sq`] = fromFloat32(state.v.get(name)!, [...p.shape]);
  }
  writeSafetensors(path, tensors, { step: String(state.step), iter: String(iter) });
}

function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

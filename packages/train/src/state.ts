// The state of a training run besides its weights and optimizer moments: how far it got, its
// random streams, what it trained on and its settings — what training_state.json holds, so that
// a resumed run continues exactly where the saved one stopped.
//
//   { "format": "llmts-training-state", "version": 1,
//     "iter": 400, "last_eval_iter": 400, "best_val_loss": 1.93,
//     "rng": { "data": [4 uint32], "dropout": [4 uint32] },   xoshiro128** states (@llmts/tensor Rng)
//     "tokens_seen": 307200, "train_seconds": 81.5,
//     "data": { "tokens": 1213144, "sha256": "…" },            the token stream it trained on
//     "config": { nanoGPT's settings in snake_case },          config.ts
//     "files": { "model.safetensors": "<sha256>", … } }        written by the checkpoint (node/)
//
// Every field is checked when read: a hand-edited or corrupted file is refused with the field
// named, never half-believed (a negative iteration, say, would replay the schedule from before 0).
// Not here: writing files (node/checkpoint.ts), the settings' meaning and upgrades (config.ts).

import { configFromJson, configToJson, type TrainConfig } from "./config.ts";
import { TrainError } from "./errors.ts";

export interface TrainingState {
  /** Optimizer steps completed: the next step is iteration `iter`. */
  iter: number;
  /** The iteration whose evaluation is already logged (null before the first). */
  lastEvalIter: number | null;
  bestValLoss: number | null;
  /** xoshiro128** states of the batch sampler and of dropout (see @llmts/tensor Rng). */
  rng: { data: number[]; dropout: number[] };
  /** Training tokens consumed so far and seconds spent in training steps (for tokens/s). */
  tokensSeen: number;
  trainSeconds: number;
  /** What the run trained on: a resumed run must see the same token stream. */
  data: { tokens: number; sha256: string };
  config: TrainConfig;
}

export function stateToJson(s: TrainingState): Record<string, unknown> {
  return {
    iter: s.iter,
    last_eval_iter: s.lastEvalIter,
    best_val_loss: s.bestValLoss,
    rng: s.rng,
    tokens_seen: s.tokensSeen,
    train_seconds: s.trainSeconds,
    data: s.data,
    config: configToJson(s.config),
  };
}

/** Parses the state object of training_state.json (`file` names it in errors), checking every field. */
export function stateFromJson(json: Record<string, unknown>, file: string): TrainingState {
  function bad(field: string, what: string): never {
    throw new TrainError(`resume: ${file}: "${field}" must be ${what}, got ${JSON.stringify(json[field])}`);
  }
  const count = (field: string): number => {
    const v = json[field];
    return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : bad(field, "a whole number >= 0");
  };
  const iter = count("iter");
  const lastEvalIter = json.last_eval_iter === null ? null : count("last_eval_iter");
  if (lastEvalIter !== null && lastEvalIter > iter) bad("last_eval_iter", `at most iter (${iter})`);
  const best = json.best_val_loss;
  if (best !== null && typeof best !== "number") bad("best_val_loss", "a number or null");
  const rng = json.rng as TrainingState["rng"] | undefined;
  const isState = (s: unknown) =>
    Array.isArray(s) && s.length === 4 && s.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32);
  // A fresh run's state before its first checkpoint has empty streams; a saved one never does.
  if (typeof rng !== "object" || rng === null || !isState(rng.data) || !isState(rng.dropout)) {
    bad("rng", "{ data, dropout } with four 32-bit words each");
  }
  const seconds = json.train_seconds;
  if (typeof seconds !== "number" || !(seconds >= 0)) bad("train_seconds", "a number >= 0");
  const data = json.data as TrainingState["data"] | undefined;
  if (
    typeof data !== "object" ||
    data === null ||
    !Number.isInteger(data.tokens) ||
    data.tokens < 1 ||
    typeof data.sha256 !== "string"
  ) {
    bad("data", "{ tokens, sha256 } of the training text");
  }
  if (typeof json.config !== "object" || json.config === null) bad("config", "an object of run settings");
  return {
    iter,
    lastEvalIter,
    bestValLoss: best as number | null,
    rng,
    tokensSeen: count("tokens_seen"),
    trainSeconds: seconds as number,
    data,
    config: configFromJson(json.config as Record<string, unknown>, file),
  };
}

// The run configuration: every knob of a training run in one typed object, with nanoGPT's names
// (camelCase here, snake_case in training_state.json, kebab-case as CLI flags) and defaults taken
// from nanoGPT's CPU recipe for Shakespeare (README.md: "--device=cpu --eval_iters=20
// --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 --max_iters=2000
// --lr_decay_iters=2000 --dropout=0.0" over config/train_shakespeare_char.py).
// This file also turns the model knobs into a Hugging Face config.json for @llmts/model.
// Not here: parsing flags (apps/cli), the loop (loop.ts).

import { type Arch, type ModelConfig, parseConfig } from "@llmts/model";
import { TrainError } from "./errors.ts";

export interface TrainConfig {
  // --- data
  /** Text files, concatenated in order. */
  data: string[];
  /** "char" (a character vocabulary built from the data) or a tokenizer.json path / directory. */
  tokenizer: string;
  // --- model (ignored with initFrom and on resume: the checkpoint decides)
  /** A new model's family: gpt2 or llama. A fine-tune records its checkpoint's (any family). */
  arch: Arch;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** Context length T of every training window; the new model's context window too. */
  blockSize: number;
  /** Dropout probability while training (GPT-2: embeddings, residuals, attention; Llama: attention). */
  dropout: number;
  /** Biases in linear layers: null = the architecture's own (GPT-2 always has them, Llama has none). */
  bias: boolean | null;
  /** Start from this checkpoint directory instead of random weights (fine-tuning). */
  initFrom: string | null;
  // --- optimisation
  batchSize: number;
  gradientAccumulationSteps: number;
  learningRate: number;
  maxIters: number;
  /**
   * Where the cosine reaches minLr (nanoGPT's lr_decay_iters; after it, minLr). null = maxIters,
   * resolved once when a run starts (prepareRun) and saved, so a resumed run with a larger
   * maxIters keeps its schedule instead of stretching it.
   */
  lrDecayIters: number | null;
  minLr: number;
  warmupIters: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  /** Clip the global gradient norm to this; 0 = no clipping. */
  gradClip: number;
  /**
   * Threads that split each batch between them (data parallelism, node/parallel.ts), each with
   * its own copy of the model over the same weights; 1 = every batch on the calling thread.
   * Not the kernels' threads (--threads, @llmts/kernels), which split each matrix product.
   */
  dataParallel: number;
  // --- evaluation, randomness, output
  evalInterval: number;
  evalIters: number;
  seed: number;
  out: string;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  data: [],
  tokenizer: "char",
  arch: "gpt2",
  nLayer: 4,
  nHead: 4,
  nEmbd: 128,
  blockSize: 64,
  dropout: 0,
  bias: null,
  initFrom: null,
  batchSize: 12,
  gradientAccumulationSteps: 1,
  learningRate: 1e-3,
  maxIters: 2000,
  // nanoGPT's lr_decay_iters is a setting of its own, not "= max_iters": the CPU recipe sets both
  // to 2000. A fixed default also keeps a run stopped early with a smaller --max-iters on the same
  // schedule as the full one, so --resume reproduces the uninterrupted run bit for bit.
  lrDecayIters: 2000,
  minLr: 1e-4,
  warmupIters: 100,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  gradClip: 1,
  dataParallel: 1,
  evalInterval: 250,
  evalIters: 20,
  seed: 1337,
  out: "out",
};

/** Knobs that define the model's shape: a resumed run must keep them. */
export const MODEL_SHAPE_KEYS = [
  "arch",
  "nLayer",
  "nHead",
  "nEmbd",
  "bias",
  "initFrom",
  "tokenizer",
] as const;

/** Checks ranges a type cannot express; throws TrainError naming the knob. */
export function validateConfig(c: TrainConfig): void {
  const positiveInts = [
    "nLayer",
    "nHead",
    "nEmbd",
    "blockSize",
    "batchSize",
    "gradientAccumulationSteps",
  ] as const;
  for (const key of positiveInts) {
    if (!Number.isInteger(c[key]) || c[key] < 1)
      throw new TrainError(`${flag(key)} must be a whole number >= 1, got ${c[key]}`);
  }
  for (const key of ["maxIters", "warmupIters", "evalIters"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 0)
      throw new TrainError(`${flag(key)} must be a whole number >= 0, got ${c[key]}`);
  }
  if (!Number.isInteger(c.evalInterval) || c.evalInterval < 1) {
    throw new TrainError(`--eval-interval must be a whole number >= 1, got ${c.evalInterval}`);
  }
  if (c.lrDecayIters !== null && (!Number.isInteger(c.lrDecayIters) || c.lrDecayIters < c.warmupIters)) {
    throw new TrainError(
      `--lr-decay-iters must be a whole number >= --warmup-iters (${c.warmupIters}), got ${c.lrDecayIters}`,
    );
  }
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new TrainError(`--dropout must be in [0, 1), got ${c.dropout}`);
  for (const key of ["beta1", "beta2"] as const) {
    if (!(c[key] >= 0 && c[key] < 1)) throw new TrainError(`${flag(key)} must be in [0, 1), got ${c[key]}`);
  }
  for (const key of ["learningRate", "minLr", "weightDecay", "gradClip"] as const) {
    if (!(c[key] >= 0 && Number.isFinite(c[key])))
      throw new TrainError(`${flag(key)} must be a number >= 0, got ${c[key]}`);
  }
  if (!Number.isInteger(c.dataParallel) || c.dataParallel < 1)
    throw new TrainError(`--data-parallel must be a whole number >= 1, got ${c.dataParallel}`);
  if (c.dataParallel > c.batchSize)
    throw new TrainError(`--data-parallel (${c.dataParallel}) cannot exceed --batch-size (${c.batchSize})`);
  if (!Number.isInteger(c.seed)) throw new TrainError(`--seed must be a whole number, got ${c.seed}`);
  if (c.initFrom === null && c.nEmbd % c.nHead !== 0) {
    throw new TrainError(`--n-head (${c.nHead}) must divide --n-embd (${c.nEmbd})`);
  }
  if (c.initFrom === null && c.arch !== "gpt2" && c.arch !== "llama") {
    throw new TrainError(
      `--arch ${c.arch}: a new model is gpt2 or llama; fine-tune the other families with --init-from ` +
        "(a checkpoint, or `llmts init --preset ...`)",
    );
  }
  if (c.initFrom === null && c.arch === "gpt2" && c.bias === false) {
    throw new TrainError(
      "--bias false: Hugging Face's GPT-2 always has biases (its config.json has no switch for them); " +
        "use --arch llama for a model without biases",
    );
  }
}

/**
 * The lrDecayIters a run uses: the given one, else maxIters — but never below warmupIters, which
 * validateConfig requires of an explicit value (a run shorter than its warmup never reaches the
 * cosine, so its learning rates are the same either way).
 */
export function lrDecayItersOf(c: TrainConfig): number {
  return c.lrDecayIters ?? Math.max(c.maxIters, c.warmupIters);
}

/** The kebab-case flag of a config key, for messages: nEmbd -> --n-embd. */
export function flag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)}`;
}

/**
 * The config.json of a fresh model for this run. GPT-2: nanoGPT's GPT is HF's GPT-2 with
 * n_positions = block_size. Llama: llama2.c's sizing — SwiGLU width 2/3 · 4 · n_embd rounded up to
 * a multiple of 32 (same parameter count as a 4× GELU MLP), tied embeddings, RoPE θ = 10000.
 * No special tokens: a character vocabulary has no BOS/EOS, and HF's defaults (50256, 1/2) would
 * point into it.
 */
export function modelConfigFor(c: TrainConfig, vocabSize: number): ModelConfig {
  if (c.arch === "gpt2") {
    return parseConfig({
      model_type: "gpt2",
      vocab_size: vocabSize,
      n_positions: c.blockSize,
      n_layer: c.nLayer,
      n_head: c.nHead,
      n_embd: c.nEmbd,
      embd_pdrop: c.dropout,
      resid_pdrop: c.dropout,
      attn_pdrop: c.dropout,
      bos_token_id: null,
      eos_token_id: null,
    });
  }
  if (c.arch !== "llama") throw new TrainError(`--arch ${c.arch}: a new model is gpt2 or llama`);
  const multipleOf = 32;
  const hidden = Math.floor((2 * 4 * c.nEmbd) / 3);
  const bias = c.bias ?? false;
  return parseConfig({
    model_type: "llama",
    vocab_size: vocabSize,
    max_position_embeddings: c.blockSize,
    hidden_size: c.nEmbd,
    intermediate_size: multipleOf * Math.ceil(hidden / multipleOf),
    num_hidden_layers: c.nLayer,
    num_attention_heads: c.nHead,
    num_key_value_heads: c.nHead,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    attention_bias: bias,
    mlp_bias: bias,
    attention_dropout: c.dropout,
    tie_word_embeddings: true,
    bos_token_id: null,
    eos_token_id: null,
  });
}

/**
 * The same model config with this run's dropout (fine-tuning overrides the checkpoint's, as nanoGPT),
 * in every place the family has one: GPT-2 embeddings, residuals and attention; GPT-NeoX
 * attention and hidden (embeddings, each branch); Phi-3 attention and residuals; the others
 * attention only.
 */
export function withDropout(config: ModelConfig, dropout: number): ModelConfig {
  switch (config.arch) {
    case "gpt2":
      return { ...config, embdPdrop: dropout, residPdrop: dropout, attnPdrop: dropout };
    case "gpt_neox":
      return { ...config, attentionDropout: dropout, hiddenDropout: dropout };
    case "phi3":
      return { ...config, attentionDropout: dropout, residPdrop: dropout };
    default:
      return { ...config, attentionDropout: dropout };
  }
}

/** Whether a family's linear layers have biases unless told otherwise (the meaning of --bias null). */
export function hasBiasByDefault(arch: Arch): boolean {
  return arch === "gpt2" || arch === "gpt_neox";
}

/** camelCase keys -> snake_case (nanoGPT's config names) for training_state.json. */
export function configToJson(c: TrainConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) out[k.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`)] = v;
  return out;
}

/**
 * The inverse of configToJson, and the one place where run settings saved by older versions are
 * brought up to date (every reader of a saved run goes through here):
 *   - a setting the file lacks (added since) takes its default;
 *   - "threads" (the data-parallel thread count before --threads meant kernel threads) is
 *     data_parallel;
 *   - lr_decay_iters null (runs saved before it was resolved when a run starts) is resolved from
 *     the run's own max_iters, as it was then.
 * Keys not in TrainConfig are rejected; so are values of the wrong type (validateConfig checks ranges).
 */
export function configFromJson(json: Record<string, unknown>, file: string): TrainConfig {
  const out: Record<string, unknown> = { ...DEFAULT_TRAIN_CONFIG };
  for (const [k, v] of Object.entries(json)) {
    const key =
      k === "threads" ? "dataParallel" : k.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
    if (!(key in DEFAULT_TRAIN_CONFIG)) throw new TrainError(`${file}: unknown run setting "${k}"`);
    const expected =
      key === "lrDecayIters" || key === "bias" || key === "initFrom"
        ? null
        : DEFAULT_TRAIN_CONFIG[key as keyof TrainConfig];
    if (
      v !== null &&
      expected !== null &&
      typeof v !== typeof expected &&
      !(Array.isArray(expected) && Array.isArray(v))
    ) {
      throw new TrainError(
        `${file}: run setting "${k}" should be a ${Array.isArray(expected) ? "list" : typeof expected}, got ${JSON.stringify(v)}`,
      );
    }
    out[key] = v;
  }
  const config = out as unknown as TrainConfig;
  return { ...config, lrDecayIters: lrDecayItersOf(config) };
}

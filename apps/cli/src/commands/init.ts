// `llmts init --arch gpt2|llama (--preset NAME | --n-layer ... --n-head ... --n-embd ... --vocab-size ...
// --block-size ...) --out DIR`: writes a randomly initialised model in Hugging Face's layout
// (config.json + model.safetensors), initialised as the references do (@llmts/model's createModel).
// The other families (qwen3, gemma3, gpt_neox, phi3) start from a preset in their real shape
// (`--preset qwen3-0.6b --n-layer 2`).
//
// Shape flags after a preset override it (`--preset gpt2 --vocab-size 65`); special token ids the
// smaller vocabulary does not have are written as null. Flag names follow
// nanoGPT's (n_layer, n_head, n_embd, block_size, dropout); each maps to the HF field of the
// architecture (GPT-2 n_positions, Llama max_position_embeddings, ...).
// Before anything is allocated or written: sizes that cannot fit are refused from the config alone
// ("model too large: N parameters (X GB)", @llmts/train's checkModelFits), --out must be a
// directory that can be written, and a model already there is replaced only with --force. A large
// model shows its progress while its parameters are drawn.
// Not here: training (`llmts train`), downloading trained weights.
import { totalmem } from "node:os";
import { join } from "node:path";
import {
  buildModel,
  type CausalLM,
  ConfigError,
  initParameters,
  type ModelConfig,
  PRESETS,
  parameterSpecs,
  parseConfig,
} from "@llmts/model";
import { saveModel } from "@llmts/model/node";
import { Rng, type Tensor } from "@llmts/tensor";
import { checkModelFits } from "@llmts/train";
import type { Command } from "commander";
import { CliError, parseNumberFlag } from "../errors.ts";
import { prepareOutputDir, refuseToReplace } from "../outputs.ts";

interface InitOptions {
  arch?: string;
  preset?: string;
  nLayer?: string;
  nHead?: string;
  nKvHead?: string;
  nEmbd?: string;
  vocabSize?: string;
  blockSize?: string;
  intermediateSize?: string;
  dropout: string;
  seed: string;
  dtype: string;
  out?: string;
  force?: boolean;
}

/** The HF config.json the flags describe. */
export function initConfig(o: InitOptions): Record<string, unknown> {
  const preset = o.preset === undefined ? undefined : PRESETS[o.preset];
  if (o.preset !== undefined && preset === undefined) {
    throw new CliError(`--preset: unknown preset "${o.preset}" (known: ${Object.keys(PRESETS).join(", ")})`);
  }
  const arch = o.arch ?? preset?.arch;
  if (arch === undefined) throw new CliError("--arch: required (gpt2 or llama) unless --preset is given");
  if (arch !== "gpt2" && arch !== "llama" && arch !== preset?.arch) {
    const others = Object.keys(PRESETS).filter((name) => !["gpt2", "llama"].includes(PRESETS[name]!.arch));
    throw new CliError(
      `--arch: expected gpt2 or llama, got "${arch}" (the other families start from a --preset: ${others.join(", ")})`,
    );
  }
  if (preset && preset.arch !== arch) {
    throw new CliError(`--preset: "${o.preset}" is a ${preset.arch} model, but --arch is ${arch}`);
  }
  const int = (flag: string, value: string | undefined) =>
    value === undefined ? undefined : parseNumberFlag(flag, value, { integer: true, min: 1 });
  const shape = {
    nLayer: int("--n-layer", o.nLayer),
    nHead: int("--n-head", o.nHead),
    nKvHead: int("--n-kv-head", o.nKvHead),
    nEmbd: int("--n-embd", o.nEmbd),
    vocabSize: int("--vocab-size", o.vocabSize),
    blockSize: int("--block-size", o.blockSize),
    intermediateSize: int("--intermediate-size", o.intermediateSize),
  };
  const dropout = parseNumberFlag("--dropout", o.dropout, { min: 0, max: 0.99 });
  if (!preset) {
    for (const [flag, value] of [
      ["--n-layer", shape.nLayer],
      ["--n-head", shape.nHead],
      ["--n-embd", shape.nEmbd],
      ["--vocab-size", shape.vocabSize],
      ["--block-size", shape.blockSize],
    ] as const) {
      if (value === undefined) throw new CliError(`${flag}: required unless --preset is given`);
    }
  }
  const base: Record<string, unknown> = { ...(preset?.config ?? { model_type: arch }) };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) base[key] = value;
  };
  if (arch === "gpt2") {
    if (shape.nKvHead !== undefined) throw new CliError("--n-kv-head: GPT-2 has no grouped-query attention");
    set("n_layer", shape.nLayer);
    set("n_head", shape.nHead);
    set("n_embd", shape.nEmbd);
    set("vocab_size", shape.vocabSize);
    set("n_positions", shape.blockSize);
    set("n_inner", shape.intermediateSize);
    for (const key of ["embd_pdrop", "resid_pdrop", "attn_pdrop"]) base[key] = dropout;
  } else {
    if (arch === "gpt_neox" && shape.nKvHead !== undefined)
      throw new CliError("--n-kv-head: GPT-NeoX has no grouped-query attention");
    set("num_hidden_layers", shape.nLayer);
    set("num_attention_heads", shape.nHead);
    set("hidden_size", shape.nEmbd);
    set("vocab_size", shape.vocabSize);
    set("max_position_embeddings", shape.blockSize);
    if (arch !== "gpt_neox" && (shape.nHead !== undefined || shape.nKvHead !== undefined)) {
      base.num_key_value_heads = shape.nKvHead ?? shape.nHead;
    }
    if (shape.intermediateSize !== undefined) base.intermediate_size = shape.intermediateSize;
    else if (shape.nEmbd !== undefined && arch === "llama")
      base.intermediate_size = llama2cHiddenDim(shape.nEmbd);
    base.attention_dropout = dropout;
    if (arch === "gpt_neox") base.hidden_dropout = dropout; // on the embeddings and each branch
    if (arch === "phi3") base.resid_pdrop = dropout; // on each branch
  }
  // A preset's special tokens (GPT-2's <|endoftext|> = 50256) do not exist in a smaller vocabulary
  // (`--preset gpt2 --vocab-size 65`): such a model has no bos/eos, so write null.
  const vocab = base.vocab_size as number;
  const inside = (id: unknown) => typeof id !== "number" || id < vocab;
  for (const key of ["bos_token_id", "eos_token_id"]) {
    const ids = base[key];
    if (Array.isArray(ids)) base[key] = ids.some(inside) ? ids.filter(inside) : null;
    else if (!inside(ids)) base[key] = null;
  }
  return base;
}

// HF field -> the flag that sets it, so a config error names what the user typed.
const FLAG_OF: Record<string, string> = {
  n_layer: "--n-layer",
  num_hidden_layers: "--n-layer",
  n_head: "--n-head",
  num_attention_heads: "--n-head",
  num_key_value_heads: "--n-kv-head",
  n_embd: "--n-embd",
  hidden_size: "--n-embd",
  vocab_size: "--vocab-size",
  n_positions: "--block-size",
  max_position_embeddings: "--block-size",
  n_inner: "--intermediate-size",
  intermediate_size: "--intermediate-size",
};

function parseFlagsConfig(json: Record<string, unknown>): ModelConfig {
  try {
    return parseConfig(json, "flags");
  } catch (e) {
    const match = e instanceof ConfigError ? /field "([^"]+)" (.*)$/.exec(e.message) : null;
    const flag = match && FLAG_OF[match[1]!];
    if (match && flag) throw new CliError(`${flag}: ${match[2]}`);
    throw e;
  }
}

/** Models with at least this many parameters show their progress while they are drawn (seconds and up). */
const PROGRESS_FROM = 50_000_000;

/** Milliseconds between two progress lines. */
const PROGRESS_EVERY_MS = 5000;

/**
 * createModel(config, rng), one tensor at a time so that a large model can show its progress on
 * `stream`: a line when it starts, one every 5 s, one at the end. (Plain lines, not a bar: the loop
 * is synchronous, so a bar redrawn by a timer would never move.) The same specs in the same order
 * draw the same numbers from `rng`, so the weights are identical to createModel's.
 */
export function initModel(
  config: ModelConfig,
  rng: Rng,
  {
    progressFrom = PROGRESS_FROM,
    stream = process.stderr,
  }: { progressFrom?: number; stream?: NodeJS.WritableStream } = {},
): CausalLM {
  const specs = parameterSpecs(config);
  const sizes = specs.map((spec) => spec.shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  let nextLine = 0;
  const progress = (done: number) => {
    if (total < progressFrom || (done < total && Date.now() < nextLine)) return;
    nextLine = Date.now() + PROGRESS_EVERY_MS;
    stream.write(
      `initialising ${total.toLocaleString("en-US")} parameters: ${Math.floor((100 * done) / total)}%\n`,
    );
  };
  progress(0);
  const params = new Map<string, Tensor>();
  let done = 0;
  specs.forEach((spec, i) => {
    for (const [name, tensor] of initParameters([spec], rng)) params.set(name, tensor);
    done += sizes[i]!;
    progress(done);
  });
  return buildModel(config, params);
}

/** llama2.c's rule for the SwiGLU width: 2/3 of 4·dim, rounded up to a multiple of 32. */
function llama2cHiddenDim(dim: number): number {
  const hidden = Math.floor((2 * 4 * dim) / 3);
  return 32 * Math.ceil(hidden / 32);
}

export function registerInit(program: Command): void {
  program
    .command("init")
    .description(
      "write a randomly initialised model (config.json + model.safetensors) in Hugging Face layout",
    )
    .option(
      "--arch <arch>",
      "gpt2 or llama (implied by --preset, which also has qwen3, gemma3, gpt_neox, phi3)",
    )
    .option("--preset <name>", `named shape: ${Object.keys(PRESETS).join(", ")}`)
    .option("--n-layer <n>", "transformer blocks")
    .option("--n-head <n>", "attention heads")
    .option("--n-kv-head <n>", "key/value heads for grouped-query attention (default: --n-head)")
    .option("--n-embd <n>", "model width (GPT-2 n_embd, Llama hidden_size)")
    .option("--vocab-size <n>", "vocabulary size")
    .option("--block-size <n>", "context length (GPT-2 n_positions, Llama max_position_embeddings)")
    .option(
      "--intermediate-size <n>",
      "MLP width (default: GPT-2 4·n_embd; Llama llama2.c's rule; the others their preset's)",
    )
    .option("--dropout <p>", "dropout probability written to the config", "0")
    .option("--seed <n>", "random seed of the initialisation", "1337")
    .option("--dtype <dtype>", "storage dtype of model.safetensors: F32, F16 or BF16", "F32")
    .option("--out <dir>", "output directory (created if missing)")
    .option("--force", "replace an existing model (config.json, model.safetensors) in --out")
    .action((o: InitOptions) => {
      const out = o.out;
      if (out === undefined) throw new CliError("--out: required (the directory to write the model to)");
      if (!["F32", "F16", "BF16"].includes(o.dtype)) {
        throw new CliError(`--dtype: expected F32, F16 or BF16, got "${o.dtype}"`);
      }
      const seed = parseNumberFlag("--seed", o.seed, { integer: true, min: 0 });
      const config = parseFlagsConfig(initConfig(o));
      const { parameters } = checkModelFits(config, totalmem());
      prepareOutputDir("--out", out);
      const files = ["config.json", "model.safetensors"].map((name) => join(out, name));
      refuseToReplace("--out", files, o.force === true, ", or choose another --out");
      const model = initModel(config, new Rng(seed));
      saveModel(out, model, { dtype: o.dtype as "F32" | "F16" | "BF16" });
      process.stdout.write(
        `wrote ${out}: ${config.modelType}, ${parameters.toLocaleString("en-US")} parameters, seed ${seed}\n`,
      );
    });
}

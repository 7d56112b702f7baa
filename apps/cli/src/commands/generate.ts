// `llmts generate --model DIR (--prompt TEXT | --prompt-ids 1,2,3) [sampling flags] [--json]`:
// load a checkpoint directory, encode the prompt, and stream the continuation to stdout as it is
// decoded. A thin composition, one import per hop of the walk docs/inference.md follows:
//
//   loadModel + stepModel (@llmts/model)  ->  loadTokenizer (@llmts/tokenizer)
//     ->  generate (@llmts/sample: prefill, then one step per token)  ->  stdout
//
// Output contract:
//   - text mode: the continuation (not the prompt, like HF's TextStreamer(skip_prompt=True)),
//     written piece by piece, UTF-8 safe, then one "\n". Without a tokenizer (--prompt-ids on a
//     directory that has none) the generated ids are streamed instead, space-separated.
//   - --json: nothing streams; one JSON object on one line at the end (for jq).
//   - stderr: with --trace the modules of one forward pass (trace-table.ts), run once generation
//     has checked every setting, then the stats (time to first token, prefill / decode tokens per
//     second, peak RSS).
// Checked once each: flag syntax here (naming the flag, before the model loads), the generation
// settings in generate() (resolveGenerationConfig, whose messages are given flag names at this
// boundary: generation-flags.ts), the prompt ids where they enter the model. A default
// --max-new-tokens lowered to fit the window is said in a warning line.
// A reader that closes stdout (`| head -c 20`) stops generation at the next token (stdout.ts).
// Flag names are Hugging Face's generate() knobs in kebab-case; defaults are HF's (temperature 1,
// top-k / top-p / min-p / repetition penalty off) with a fixed seed, so a run is reproducible.
// --crop-context is nanoGPT's sliding window (sample.py), for toy models with small windows.
// Not here: sampling logic (@llmts/sample), chat templates, batching several prompts.

import { existsSync, statSync } from "node:fs";
import { pinWeights } from "@llmts/kernels/node";
import { stepModel } from "@llmts/model";
import { ggufModelPath, loadModel } from "@llmts/model/node";
import { GENERATION_DEFAULTS, type GenerationConfig, type GenerationResult, generate } from "@llmts/sample";
import { residentSetBytes } from "@llmts/sample/node";
import { hasTokenizer, loadTokenizer } from "@llmts/tokenizer/node";
import type { Command } from "commander";
import {
  addBackendFlags,
  applyBackendFlags,
  type BackendFlags,
  inferenceAllocate,
} from "../backend-flags.ts";
import { CliError, parseNumberFlag, warn } from "../errors.ts";
import { withGenerationFlags } from "../generation-flags.ts";
import { encodePrompt, eosIds } from "../model-files.ts";
import { addSamplingFlags, parseSamplingFlags, type SamplingFlags } from "../sampling-flags.ts";
import { OutputClosed, writeStdout } from "../stdout.ts";
import { formatTrace, tracePrefill } from "../trace-table.ts";

interface GenerateFlags extends BackendFlags, SamplingFlags {
  model: string;
  prompt?: string;
  promptIds?: string;
  maxNewTokens?: string;
  cropContext?: boolean;
  trace?: boolean;
  json?: boolean;
}

const d = GENERATION_DEFAULTS;

export function registerGenerate(program: Command): void {
  const command = program
    .command("generate")
    .description("continue a prompt with a model: text streams to stdout, stats to stderr")
    .requiredOption(
      "--model <dir>",
      "model directory (config.json + model.safetensors or model.gguf; tokenizer files), or a GGUF file",
    )
    .option(
      "--prompt <text>",
      "prompt text, encoded with the directory's tokenizer (BOS added if it says so); this or --prompt-ids",
    )
    .option(
      "--prompt-ids <ids>",
      "prompt as comma-separated token ids, used as given (no tokenizer needed); this or --prompt",
    )
    .option(
      "--max-new-tokens <n>",
      `tokens to generate at most (default: ${d.max_new_tokens}, lowered to what fits in the context window unless --crop-context)`,
    );
  addSamplingFlags(command)
    .option(
      "--crop-context",
      "past the model's context window, keep only its last context-length tokens and re-run them in full " +
        "for every new token (nanoGPT sample.py); without it (default) a prompt + --max-new-tokens longer " +
        "than the window is an error",
    )
    .option(
      "--trace",
      "print each module of one forward pass (the prefill) with shapes and time to stderr (default: off)",
    )
    .option(
      "--json",
      "print only one JSON object to stdout at the end (prompt_ids, generated_ids, text, stats); no streaming (default: off)",
    );
  command.addHelpText(
    "after",
    `
Output: stdout gets the continuation (not the prompt) as it is decoded, then a newline; without a
tokenizer (--prompt-ids on a directory that has none) it gets the generated ids instead, space-separated.
--trace (after the continuation) and the stats (time to first token, prefill and decode tokens/s,
peak RSS) go to stderr.
--json streams nothing: stdout is one JSON object on one line, with prompt_ids, generated_ids, text
(null without a tokenizer), finish_reason ("length" | "eos_token" | "stop_sequence"),
time_to_first_token_ms, prefill_tokens_per_second, decode_tokens_per_second (null when not
measurable: one generated token, or a clock that saw 0 ms), peak_rss_mb, context_crops (full-window
re-runs done by --crop-context, else 0) and config.
Generation stops at an EOS id: generation_config.json's eos_token_id, else config.json's (Hugging
Face's precedence), plus the tokenizer's EOS token (as llama.cpp stops at its vocabulary's EOS).

Example:
  llmts generate --model out/moby-dick --prompt "Call me Ishmael" --temperature 0.8 --top-k 40 --seed 7`,
  );
  addBackendFlags(command).action((o: GenerateFlags) => runGenerate(o));
}

function runGenerate(o: GenerateFlags): void {
  // Everything the flags alone can get wrong is reported before the model is loaded.
  const settings = parseSettings(o);
  if ((o.prompt === undefined) === (o.promptIds === undefined)) {
    throw new CliError("give exactly one of --prompt TEXT or --prompt-ids 1,2,3");
  }
  const givenIds = o.promptIds === undefined ? undefined : parseIds(o.promptIds);
  if (!existsSync(o.model) || !(statSync(o.model).isDirectory() || ggufModelPath(o.model))) {
    throw new CliError(`--model: no such directory: ${o.model}`);
  }
  // --verbose: the rule now; at exit, the same line with the pinned weights and the kernels that ran.
  applyBackendFlags(o);

  const where = inferenceAllocate(o); // the weights and the KV cache in the kernels' memory
  const { model } = loadModel(o.model, where);
  pinWeights(model.parameters().values()); // read-only from here: any weight not loaded in place is copied in once
  const tokenizer = hasTokenizer(o.model) ? loadTokenizer(o.model) : undefined;
  const noTokenizer = `${o.model} has no tokenizer (tokenizer.json, vocab.json + merges.txt or tokenizer.bin)`;
  if (o.prompt !== undefined && !tokenizer) throw new CliError(`--prompt: ${noTokenizer}; use --prompt-ids`);
  if (o.stop && !tokenizer) throw new CliError(`--stop: ${noTokenizer} to decode text with`);

  const promptIds = givenIds ?? encodePrompt(tokenizer!, o.prompt!);
  const config: GenerationConfig = { ...settings, eos_token_id: eosIds(o.model, tokenizer) };

  const write = (s: string) => {
    if (!o.json) writeStdout(s);
  };
  let first = true;
  let result: GenerationResult;
  try {
    result = withGenerationFlags(() =>
      generate(stepModel(model, where), promptIds, config, {
        tokenizer,
        memoryBytes: residentSetBytes,
        onText: write,
        onToken: tokenizer
          ? undefined
          : (id) => {
              write(first ? `${id}` : ` ${id}`);
              first = false;
            },
      }),
    );
    write("\n");
  } catch (error) {
    if (error instanceof OutputClosed) return; // nobody is left to read the rest
    throw error;
  }
  if (settings.max_new_tokens === undefined && result.config.max_new_tokens < d.max_new_tokens) {
    warn(
      `--max-new-tokens: the default ${d.max_new_tokens} was lowered to ${result.config.max_new_tokens}, what fits ` +
        `in the model's context window of ${model.contextLength} after the ${promptIds.length}-token prompt ` +
        "(pass --crop-context to slide the window past it)",
    );
  }
  if (o.trace) {
    // The prefill generate() ran: with --crop-context, only the last window of a long prompt.
    const traced = result.config.crop_context ? promptIds.slice(-model.contextLength) : promptIds;
    const trace = tracePrefill(model, traced);
    process.stderr.write(
      `trace: one forward pass over the ${traced.length}-token prompt (${model.config.arch}, after an untraced warm-up)\n` +
        `${formatTrace(trace)}\n\n`,
    );
  }
  process.stderr.write(formatStats(result));
  if (o.json) {
    const json = {
      prompt_ids: result.prompt_ids,
      generated_ids: result.generated_ids,
      text: tokenizer ? result.text : null,
      finish_reason: result.finish_reason,
      time_to_first_token_ms: result.time_to_first_token_ms,
      prefill_tokens_per_second: result.prefill_tokens_per_second,
      decode_tokens_per_second: result.decode_tokens_per_second,
      peak_rss_mb: result.peak_rss_mb,
      context_crops: result.context_crops,
      config: result.config,
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  }
}

/** The sampling flags, --max-new-tokens and --crop-context as a GenerationConfig; each bad value is a CliError naming its flag. */
function parseSettings(o: GenerateFlags): GenerationConfig {
  return {
    max_new_tokens:
      o.maxNewTokens === undefined
        ? undefined
        : parseNumberFlag("--max-new-tokens", o.maxNewTokens, { integer: true, min: 1 }),
    ...parseSamplingFlags(o),
    crop_context: o.cropContext === true,
  };
}

/** "1, 2,3" -> [1, 2, 3]; anything but non-negative integers is an error naming the flag. */
function parseIds(text: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  return parts.map((part) => {
    if (!/^\d+$/.test(part)) {
      throw new CliError(`--prompt-ids: expected comma-separated token ids like 1,2,3, got "${text}"`);
    }
    return Number(part);
  });
}

function formatStats(r: GenerationResult): string {
  const rate = (x: number | null) => (x === null ? "n/a" : `${x.toFixed(1)} tok/s`);
  const crops = r.context_crops > 0 ? ` | ${r.context_crops} context crops` : "";
  const rss = r.peak_rss_mb === null ? "n/a" : `${r.peak_rss_mb.toFixed(0)} MB`;
  return (
    `[${r.prompt_ids.length} prompt tokens, ${r.generated_ids.length} generated (${r.finish_reason})` +
    ` | first token ${r.time_to_first_token_ms.toFixed(1)} ms | prefill ${rate(r.prefill_tokens_per_second)}` +
    ` | decode ${rate(r.decode_tokens_per_second)} | peak RSS ${rss}${crops}]\n`
  );
}

// The sampling flags of `llmts generate`, shared with `llmts chat`: Hugging Face's generate()
// knobs in kebab-case, with HF's defaults (temperature 1, top-k / top-p / min-p / repetition
// penalty off) and a fixed seed, so a run is reproducible. Each bad value is a CliError naming
// its flag, reported before the model loads.
// Not here: max tokens and context handling (each command's own), the sampling itself (@llmts/sample).

import { GENERATION_DEFAULTS, type GenerationConfig } from "@llmts/sample";
import { type Command, Option } from "commander";
import { CliError, parseNumberFlag } from "./errors.ts";

export interface SamplingFlags {
  temperature: string;
  topK: string;
  topP: string;
  minP: string;
  repetitionPenalty: string;
  seed: string;
  stop?: string[];
}

const d = GENERATION_DEFAULTS;

/** --temperature, --top-k, --top-p, --min-p, --repetition-penalty, --seed, --stop. */
export function addSamplingFlags(command: Command): Command {
  return command
    .addOption(
      knob("--temperature <t>", "divide logits by t before sampling; 0 = greedy (argmax)", d.temperature),
    )
    .addOption(knob("--top-k <k>", "keep the k most likely tokens; 0 = off", d.top_k))
    .addOption(
      knob(
        "--top-p <p>",
        "nucleus: smallest set of tokens whose probability reaches p, in [0, 1]; 1 = off, 0 = the most likely token only",
        d.top_p,
      ),
    )
    .addOption(
      knob("--min-p <p>", "keep tokens with probability >= p * the top one's, in [0, 1]; 0 = off", d.min_p),
    )
    .addOption(
      knob(
        "--repetition-penalty <r>",
        "> 1 discourages tokens already seen (HF / CTRL); 1 = off",
        d.repetition_penalty,
      ),
    )
    .addOption(knob("--seed <s>", "seed of the sampler: same seed + prompt + flags = same text", d.seed))
    .option(
      "--stop <str>",
      "stop when the text contains this (not printed); repeat for several (default: none)",
      (value: string, previous: string[] = []) => [...previous, value],
    );
}

/** A sampling flag with its default shown as a number in --help (values are parsed in parseSamplingFlags). */
function knob(flags: string, description: string, value: number): Option {
  return new Option(flags, description).default(String(value), String(value));
}

/** The sampling flags as a GenerationConfig; each bad value is a CliError naming its flag. */
export function parseSamplingFlags(o: SamplingFlags): GenerationConfig {
  return {
    temperature: parseNumberFlag("--temperature", o.temperature, { min: 0 }),
    top_k: parseNumberFlag("--top-k", o.topK, { integer: true, min: 0 }),
    top_p: parseNumberFlag("--top-p", o.topP, { min: 0, max: 1 }),
    min_p: parseNumberFlag("--min-p", o.minP, { min: 0, max: 1 }),
    repetition_penalty: positive("--repetition-penalty", o.repetitionPenalty),
    seed: parseNumberFlag("--seed", o.seed, { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER }),
    stop_strings: (o.stop ?? []).map((s) => {
      if (s === "") throw new CliError("--stop: the stop string is empty");
      return s;
    }),
  };
}

function positive(flag: string, value: string): number {
  const x = parseNumberFlag(flag, value);
  if (!(x > 0)) throw new CliError(`${flag}: must be greater than 0, got ${value}`);
  return x;
}

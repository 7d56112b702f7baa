// The architectures this package implements, by config.arch: for each, its parameter list, the
// checkpoint tensors it ignores, and the model class. The one place that dispatches on the
// architecture; everything else talks to a Family or to the CausalLM interface. A new family is
// one more entry here (and its model_type in config.ts).
//
//   gpt2      gpt2.ts       GPT-2
//   llama     llama.ts      Llama, Qwen2, Mistral
//   qwen3     qwen3.ts      Qwen3
//   gemma3    gemma3.ts     Gemma 3 (text)
//   gpt_neox  gpt-neox.ts   GPT-NeoX, Pythia
//   phi3      phi3.ts       Phi-3, Phi-4-mini
//
// Not here: the architectures themselves, loading and saving (load.ts).

import type { Arch, ModelConfig } from "./config.ts";
import { Gemma3, gemma3ParameterSpecs, isGemma3Ignored } from "./gemma3.ts";
import { GptNeoX, gptNeoXParameterSpecs, isGptNeoXIgnored } from "./gpt-neox.ts";
import { Gpt2, type Gpt2Prefix, gpt2ParameterSpecs, gpt2PrefixOf, isGpt2Ignored } from "./gpt2.ts";
import { isLlamaIgnored, Llama, llamaParameterSpecs } from "./llama.ts";
import type { CausalLM } from "./model.ts";
import type { ParamSpec, Weight } from "./params.ts";
import { isPhi3Ignored, Phi3, phi3ParameterSpecs } from "./phi3.ts";
import { isQwen3Ignored, Qwen3, qwen3ParameterSpecs } from "./qwen3.ts";

export interface CreateOptions {
  /** GPT-2 only: name parameters with GPT2LMHeadModel's "transformer." prefix (default) or without. */
  gpt2Prefix?: Gpt2Prefix;
}

export interface Family<C extends ModelConfig> {
  /** Every parameter as Hugging Face names it, with its shape and init. */
  parameterSpecs(config: C, options: CreateOptions): ParamSpec[];
  /** Tensors a checkpoint may hold that are not parameters (buffers, a tied lm_head). */
  isIgnored(name: string, config: C): boolean;
  /** The model over weights named as parameterSpecs lists them (linear weights may be quantized). */
  build(config: C, params: Map<string, Weight>): CausalLM;
}

/** One entry per arch, each typed with its own config. */
const FAMILIES: { [A in Arch]: Family<Extract<ModelConfig, { arch: A }>> } = {
  gpt2: {
    parameterSpecs: (c, o) => gpt2ParameterSpecs(c, o.gpt2Prefix ?? "transformer."),
    isIgnored: isGpt2Ignored,
    build: (c, params) => new Gpt2(c, params, gpt2PrefixOf(params.keys())),
  },
  llama: {
    parameterSpecs: (c) => llamaParameterSpecs(c),
    isIgnored: isLlamaIgnored,
    build: (c, params) => new Llama(c, params),
  },
  qwen3: {
    parameterSpecs: (c) => qwen3ParameterSpecs(c),
    isIgnored: isQwen3Ignored,
    build: (c, params) => new Qwen3(c, params),
  },
  gemma3: {
    parameterSpecs: (c) => gemma3ParameterSpecs(c),
    isIgnored: isGemma3Ignored,
    build: (c, params) => new Gemma3(c, params),
  },
  gpt_neox: {
    parameterSpecs: (c) => gptNeoXParameterSpecs(c),
    isIgnored: isGptNeoXIgnored,
    build: (c, params) => new GptNeoX(c, params),
  },
  phi3: {
    parameterSpecs: (c) => phi3ParameterSpecs(c),
    isIgnored: isPhi3Ignored,
    build: (c, params) => new Phi3(c, params),
  },
};

export function familyOf<C extends ModelConfig>(config: C): Family<C> {
  // config.arch picks the entry whose config type is C; TypeScript cannot follow that link itself.
  return FAMILIES[config.arch] as unknown as Family<C>;
}

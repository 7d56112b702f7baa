// The architectures this package implements, by config.arch: for each, its parameter list, the
// checkpoint tensors it ignores, and the model class. The one place that dispatches on the
// architecture; everything else talks to a Family or to the CausalLM interface. A new family is
// one more entry here (and its model_type in config.ts).
// Not here: the architectures themselves (gpt2.ts, llama.ts), loading and saving (load.ts).

import type { Gpt2Config, LlamaConfig, ModelConfig } from "./config.ts";
import { Gpt2, type Gpt2Prefix, gpt2ParameterSpecs, gpt2PrefixOf, isGpt2Ignored } from "./gpt2.ts";
import { isLlamaIgnored, Llama, llamaParameterSpecs } from "./llama.ts";
import type { CausalLM } from "./model.ts";
import type { ParamSpec, Weight } from "./params.ts";

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

const FAMILIES: { gpt2: Family<Gpt2Config>; llama: Family<LlamaConfig> } = {
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
};

export function familyOf<C extends ModelConfig>(config: C): Family<C> {
  // config.arch picks the entry whose config type is C; TypeScript cannot follow that link itself.
  return FAMILIES[config.arch] as unknown as Family<C>;
}

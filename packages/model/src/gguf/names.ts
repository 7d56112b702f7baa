// Tensor names between Hugging Face's layout and llama.cpp's GGUF layout, and the two ways the
// tensors themselves differ:
//
//   HF (GPT-2)                        GGUF "gpt2"            HF (Llama / Qwen2 / Mistral)        GGUF "llama" / "qwen2"
//   wte.weight                        token_embd.weight      model.embed_tokens.weight           token_embd.weight
//   wpe.weight                        position_embd.weight   model.layers.{i}.input_layernorm    blk.{i}.attn_norm
//   h.{i}.ln_1                        blk.{i}.attn_norm      model.layers.{i}.self_attn.q_proj   blk.{i}.attn_q
//   h.{i}.attn.c_attn                 blk.{i}.attn_qkv         .k_proj / .v_proj / .o_proj       attn_k / attn_v / attn_output
//   h.{i}.attn.c_proj                 blk.{i}.attn_output    model.layers.{i}.post_attention_layernorm  blk.{i}.ffn_norm
//   h.{i}.ln_2                        blk.{i}.ffn_norm       model.layers.{i}.mlp.gate_proj      blk.{i}.ffn_gate
//   h.{i}.mlp.c_fc / .c_proj          blk.{i}.ffn_up / ffn_down  .up_proj / .down_proj          ffn_up / ffn_down
//   ln_f                              output_norm            model.norm                          output_norm
//   lm_head.weight                    output.weight          lm_head.weight                      output.weight
//
// (".weight" and ".bias" follow each module name on both sides.)
//   - GPT-2's Conv1D weights are [in, out] in HF and [out, in] in GGUF: transposed
//     (convert_hf_to_gguf.py GPT2Model.modify_tensors).
//   - For the "llama" architecture llama.cpp rotates pairs of adjacent q/k features (GPT-J style)
//     where HF rotates the two halves of each head, so the converter permutes the rows of q_proj
//     and k_proj (weights and biases) head by head (permute.ts). "qwen2" keeps HF's order.
// Not here: metadata (config.ts), reading and writing (read.ts, write.ts).
// Reference: gguf-py's tensor_mapping.py and constants.py (MODEL_TENSOR names);
// llama.cpp convert_hf_to_gguf.py (LlamaModel.permute, GPT2Model).

/** The GGUF architectures read and written here. */
export type GgufArch = "llama" | "qwen2" | "gpt2";
export const GGUF_ARCHES: readonly GgufArch[] = ["gpt2", "llama", "qwen2"];

type Pair = readonly [hf: string, gguf: string];

const LLAMA_TOP: Pair[] = [
  ["model.embed_tokens", "token_embd"],
  ["model.norm", "output_norm"],
  ["lm_head", "output"],
];
const LLAMA_LAYER: Pair[] = [
  ["input_layernorm", "attn_norm"],
  ["self_attn.q_proj", "attn_q"],
  ["self_attn.k_proj", "attn_k"],
  ["self_attn.v_proj", "attn_v"],
  ["self_attn.o_proj", "attn_output"],
  ["post_attention_layernorm", "ffn_norm"],
  ["mlp.gate_proj", "ffn_gate"],
  ["mlp.up_proj", "ffn_up"],
  ["mlp.down_proj", "ffn_down"],
];
const GPT2_TOP: Pair[] = [
  ["wte", "token_embd"],
  ["wpe", "position_embd"],
  ["ln_f", "output_norm"],
  ["lm_head", "output"],
];
const GPT2_LAYER: Pair[] = [
  ["ln_1", "attn_norm"],
  ["attn.c_attn", "attn_qkv"],
  ["attn.c_proj", "attn_output"],
  ["ln_2", "ffn_norm"],
  ["mlp.c_fc", "ffn_up"],
  ["mlp.c_proj", "ffn_down"],
];

/** The GGUF name of an HF tensor (GPT-2's "transformer." prefix or none); undefined if none. */
export function ggufNameOf(hfName: string, arch: GgufArch): string | undefined {
  const gpt2 = arch === "gpt2";
  const name = gpt2 ? hfName.replace(/^transformer\./, "") : hfName;
  const m = /^(.*)\.(weight|bias)$/.exec(name);
  if (m === null) return undefined;
  const [, module, kind] = m as unknown as [string, string, string];
  for (const [hf, gg] of gpt2 ? GPT2_TOP : LLAMA_TOP) if (module === hf) return `${gg}.${kind}`;
  const layer = (gpt2 ? /^h\.(\d+)\.(.+)$/ : /^model\.layers\.(\d+)\.(.+)$/).exec(module);
  if (layer === null) return undefined;
  for (const [hf, gg] of gpt2 ? GPT2_LAYER : LLAMA_LAYER)
    if (layer[2] === hf) return `blk.${layer[1]}.${gg}.${kind}`;
  return undefined;
}

/** The HF name of a GGUF tensor (GPT-2 names without the "transformer." prefix); undefined if none. */
export function hfNameOf(ggufName: string, arch: GgufArch): string | undefined {
  const gpt2 = arch === "gpt2";
  const m = /^(.*)\.(weight|bias)$/.exec(ggufName);
  if (m === null) return undefined;
  const [, module, kind] = m as unknown as [string, string, string];
  for (const [hf, gg] of gpt2 ? GPT2_TOP : LLAMA_TOP) if (module === gg) return `${hf}.${kind}`;
  const layer = /^blk\.(\d+)\.(.+)$/.exec(module);
  if (layer === null) return undefined;
  for (const [hf, gg] of gpt2 ? GPT2_LAYER : LLAMA_LAYER) {
    if (layer[2] === gg)
      return gpt2 ? `h.${layer[1]}.${hf}.${kind}` : `model.layers.${layer[1]}.${hf}.${kind}`;
  }
  return undefined;
}

/** GPT-2's Conv1D weights: [in, out] in HF, [out, in] in GGUF. */
export function isConv1dWeight(hfName: string, arch: GgufArch): boolean {
  return (
    arch === "gpt2" && /(^|\.)h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/.test(hfName)
  );
}

/** Which heads' rows llama.cpp's "llama" layout interleaves: "q", "k", or null for other tensors. */
export function permutedHeads(hfName: string, arch: GgufArch): "q" | "k" | null {
  if (arch !== "llama") return null;
  const m = /\.self_attn\.(q|k)_proj\.(weight|bias)$/.exec(hfName);
  return m === null ? null : (m[1] as "q" | "k");
}

/**
 * Whether a weight may stay quantized in memory: the matrices a model multiplies by (linear
 * layers, the output layer) and the token embedding (rows decoded as they are looked up). Norms,
 * biases and GPT-2's position embeddings stay float (they are tiny, or added, not multiplied).
 */
export function mayBeQuantized(hfName: string, shape: readonly number[]): boolean {
  return shape.length === 2 && hfName.endsWith(".weight") && !/(^|\.)wpe\.weight$/.test(hfName);
}

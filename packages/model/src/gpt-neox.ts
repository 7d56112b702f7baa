// GPT-NeoX (Black et al. 2022, "GPT-NeoX-20B") and the Pythia suite (Biderman et al. 2023), the
// model of Hugging Face's GPTNeoXForCausalLM. GPT-2's LayerNorm-and-GELU block with rotary
// positions, and by default both branches read the same input (the parallel residual):
//
//   x = embed_in[ids]
//   for each layer:  x = x + attention(input_layernorm(x)) + mlp(post_attention_layernorm(x))
//                    (use_parallel_residual false: x = x + attention(ln1(x));  x = x + mlp(ln2(x)))
//   logits = final_layer_norm(x) @ embed_outᵀ                          (untied head)
//
// attention: one fused projection query_key_value [3C, C] whose output rows are grouped by head —
//   for head h, rows h·3D .. h·3D+D are its query, the next D its key, the next D its value
//   (HF: `qkv.view(B, T, H, 3D).transpose(1, 2).chunk(3, dim=-1)`), not [all q | all k | all v];
//   RoPE on the first rotaryDim = floor(D · rotary_pct) dims of each head only (Pythia: 16 of 64),
//   frequencies 1 / base^(2i / rotaryDim); scores / sqrt(D); dense.
// mlp: dense_4h_to_h(gelu(dense_h_to_4h(x))), exact erf GELU; biases everywhere (attention_bias
//   can turn off the attention's).
// Dropout (training only) where HF has it: hidden_dropout on the embeddings and on each branch's
// output, attention_dropout on the attention probabilities.
// Follows transformers 5.17 models/gpt_neox/modeling_gpt_neox.py: GPTNeoXMLP (l. 38-49),
// apply_rotary_pos_emb (l. 118-151: `rotary_dim = cos.shape[-1]`, the rest concatenated back),
// GPTNeoXAttention.forward (l. 195-236), GPTNeoXLayer.forward (l. 250-281), GPTNeoXModel.forward
// (l. 323-373).
// Not here: tensor-parallel / pipeline plans, the classification heads.

import { embedding, gelu, type Tensor } from "@llmts/tensor";
import { causalSelfAttention } from "./attention.ts";
import type { GptNeoXConfig } from "./config.ts";
import { Decoder } from "./decoder.ts";
import { type Linear, layerNorm, linear, type Norm, normOf, paramsOf } from "./layers.ts";
import { type ParamSpec, take, type Weight } from "./params.ts";
import type { Pass } from "./pass.ts";
import { applyRope, RopeTables, ropeInverseFrequencies } from "./rope.ts";
import type { Module } from "./trace.ts";

// --- the parameter list: HF names, shapes, init (PreTrainedModel._init_weights) ------------------

/** Every parameter as HF stores it. Init: N(0, initializer_range) weights, 0 biases, LayerNorm 1 and 0. */
export function gptNeoXParameterSpecs(c: GptNeoXConfig): ParamSpec[] {
  const [C, I] = [c.hiddenSize, c.intermediateSize];
  const w = { normal: c.initializerRange };
  const specs: ParamSpec[] = [{ name: "gpt_neox.embed_in.weight", shape: [c.vocabSize, C], init: w }];
  const lin = (name: string, out: number, inp: number, bias: boolean) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], init: w });
    if (bias) specs.push({ name: `${name}.bias`, shape: [out], init: "zeros" });
  };
  const norm = (name: string) => {
    specs.push({ name: `${name}.weight`, shape: [C], init: "ones" });
    specs.push({ name: `${name}.bias`, shape: [C], init: "zeros" });
  };
  for (let i = 0; i < c.nLayer; i++) {
    const l = `gpt_neox.layers.${i}.`;
    norm(`${l}input_layernorm`);
    norm(`${l}post_attention_layernorm`);
    lin(`${l}attention.query_key_value`, 3 * C, C, c.attentionBias);
    lin(`${l}attention.dense`, C, C, c.attentionBias);
    lin(`${l}mlp.dense_h_to_4h`, I, C, true);
    lin(`${l}mlp.dense_4h_to_h`, C, I, true);
  }
  norm("gpt_neox.final_layer_norm");
  if (!c.tieWordEmbeddings) specs.push({ name: "embed_out.weight", shape: [c.vocabSize, C], init: w });
  return specs;
}

/**
 * Not parameters: the buffers older checkpoints (every Pythia) store per layer — attention.bias
 * (the causal mask, BOOL [1, 1, P, P]), attention.masked_bias, attention.rotary_emb.inv_freq —
 * and embed_out.weight when the embeddings are tied.
 */
export function isGptNeoXIgnored(name: string, c: GptNeoXConfig): boolean {
  if (/^gpt_neox\.layers\.\d+\.attention\.(bias|masked_bias|rotary_emb\.inv_freq)$/.test(name)) return true;
  return c.tieWordEmbeddings && name === "embed_out.weight";
}

// --- the model ----------------------------------------------------------------------------------

interface GptNeoXLayer {
  input_layernorm: Norm; // [C], [C]
  post_attention_layernorm: Norm; // [C], [C]
  attention: { query_key_value: Linear; dense: Linear }; // [3C, C] + [3C];  [C, C] + [C]
  mlp: { dense_h_to_4h: Linear; dense_4h_to_h: Linear }; // [I, C] + [I];  [C, I] + [C]
}

type GptNeoXParts = {
  input_layernorm: Module;
  attention: Module;
  post_attention_layernorm: Module;
  mlp: Module;
};

export class GptNeoX extends Decoder<GptNeoXLayer, GptNeoXParts> {
  declare readonly config: GptNeoXConfig;
  protected readonly names = { embed: "embed_in", blocks: "layers", norm: "final_layer_norm" };
  protected readonly blocks: GptNeoXLayer[];
  protected readonly lmHead: Linear; // weight [V, C]: embed_out (embed_in when tied)
  protected readonly kvShape: { nKvHead: number; headDim: number };
  private readonly embed_in: Tensor; // [V, C]
  private readonly final_layer_norm: Norm; // [C], [C]
  private readonly rope: RopeTables; // [rotaryDim] per position

  constructor(config: GptNeoXConfig, params: Map<string, Weight>) {
    super(config, params);
    const c = config;
    const p = (name: string, hasBias = true) => paramsOf(params, `gpt_neox.${name}`, hasBias);
    const norm = (name: string) => normOf(params, `gpt_neox.${name}`, true);
    this.embed_in = take(params, "gpt_neox.embed_in.weight");
    this.blocks = Array.from({ length: c.nLayer }, (_, i) => ({
      input_layernorm: norm(`layers.${i}.input_layernorm`),
      post_attention_layernorm: norm(`layers.${i}.post_attention_layernorm`),
      attention: {
        query_key_value: p(`layers.${i}.attention.query_key_value`, c.attentionBias),
        dense: p(`layers.${i}.attention.dense`, c.attentionBias),
      },
      mlp: {
        dense_h_to_4h: p(`layers.${i}.mlp.dense_h_to_4h`),
        dense_4h_to_h: p(`layers.${i}.mlp.dense_4h_to_h`),
      },
    }));
    this.final_layer_norm = norm("final_layer_norm");
    this.lmHead = c.tieWordEmbeddings
      ? { weight: this.embed_in, bias: null }
      : paramsOf(params, "embed_out", false);
    this.kvShape = { nKvHead: c.nHead, headDim: c.headDim };
    this.rope = new RopeTables(
      ropeInverseFrequencies(c.rotaryDim, c.ropeTheta, c.ropeScaling),
      c.contextLength,
    );
  }

  /** ids [B, T] -> embed_in[ids] [B, T, C] (emb_dropout while training) */
  protected embed(ids: Tensor, pass: Pass): Tensor {
    return pass.dropout(embedding(this.embed_in, ids), this.config.hiddenDropout);
  }

  protected parts(l: GptNeoXLayer, layer: number, pass: Pass): GptNeoXParts {
    const eps = this.config.layerNormEps;
    const p = this.config.hiddenDropout;
    return {
      input_layernorm: (x) => layerNorm(x, l.input_layernorm, eps),
      attention: (x) => pass.dropout(this.attention(x, l.attention, layer, pass), p),
      post_attention_layernorm: (x) => layerNorm(x, l.post_attention_layernorm, eps),
      mlp: (x) => pass.dropout(this.mlp(x, l.mlp), p),
    };
  }

  /** GPTNeoXLayer.forward: both branches from the same x, or one after the other. */
  protected block(
    x: Tensor,
    { input_layernorm, attention, post_attention_layernorm, mlp }: GptNeoXParts,
  ): Tensor {
    if (this.config.parallelResidual) {
      return x.add(attention(input_layernorm(x))).add(mlp(post_attention_layernorm(x))); // [B, T, C]
    }
    x = x.add(attention(input_layernorm(x))); // [B, T, C]
    x = x.add(mlp(post_attention_layernorm(x))); // [B, T, C]
    return x;
  }

  protected finalNorm(x: Tensor): Tensor {
    return layerNorm(x, this.final_layer_norm, this.config.layerNormEps);
  }

  /** x: [B, T, C] -> [B, T, C] */
  private attention(x: Tensor, a: GptNeoXLayer["attention"], layer: number, pass: Pass): Tensor {
    const c = this.config;
    const [B, T] = x.shape as [number, number, number];
    const [nHead, D] = [c.nHead, c.headDim];
    const qkv = linear(x, a.query_key_value); // [B, T, 3C]
    // Head-interleaved: head h's [q | k | v] are 3D consecutive outputs of the projection.
    const perHead = qkv.reshape(B, T, nHead, 3 * D).transpose(1, 2); // [B, nHead, T, 3D]
    const q = applyRope(perHead.narrow(-1, 0, D), this.rope, pass.start); // [B, nHead, T, D]
    const k = applyRope(perHead.narrow(-1, D, D), this.rope, pass.start); // [B, nHead, T, D]
    const v = perHead.narrow(-1, 2 * D, D); // [B, nHead, T, D]
    const settings = { scale: 1 / Math.sqrt(D), slidingWindow: null, dropout: c.attentionDropout };
    const y = causalSelfAttention(q, k, v, pass.attention(layer, settings)); // [B, T, C]
    return linear(y, a.dense); // [B, T, C]
  }

  /** x: [B, T, C] -> [B, T, C] */
  private mlp(x: Tensor, { dense_h_to_4h, dense_4h_to_h }: GptNeoXLayer["mlp"]): Tensor {
    const approximate = this.config.activation === "gelu" ? "none" : "tanh";
    return linear(gelu(linear(x, dense_h_to_4h), approximate), dense_4h_to_h); // [B, T, I] -> [B, T, C]
  }
}

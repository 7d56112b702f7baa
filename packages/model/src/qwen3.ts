// Qwen3 (Qwen Team 2025, "Qwen3 Technical Report"), the model of Hugging Face's Qwen3ForCausalLM:
// Llama's decoder plus one RMSNorm per head on the queries and on the keys (QK-norm, which keeps
// attention logits from growing without bound), applied after the projections and before RoPE:
//
//   x = embed_tokens[ids]
//   for each layer:  x = x + self_attn(input_layernorm(x));  x = x + mlp(post_attention_layernorm(x))
//     self_attn:  q = rope(q_norm(q_proj(x) per head)),  k = rope(k_norm(k_proj(x) per head)),  v = v_proj(x)
//   logits = norm(x) @ lm_headᵀ                                        (every norm an RMSNorm)
//
// q_norm and k_norm have one weight [head_dim], shared by every head. head_dim is a config field
// (Qwen3-0.6B: 128 while hidden / heads = 64), so q_proj is [nHead·128, 1024] there.
// attention_bias (false in every released Qwen3) puts biases on q, k, v and o.
// Follows transformers 5.17 models/qwen3/modeling_qwen3.py: Qwen3RMSNorm (l. 50-67), Qwen3MLP
// (l. 70-83), Qwen3Attention.forward (l. 241-280: `self.q_norm(self.q_proj(hidden_states)
// .view(hidden_shape)).transpose(1, 2)` then apply_rotary_pos_emb), Qwen3DecoderLayer.forward
// (l. 294-323), Qwen3Model.forward (l. 367-427).
// Not here: the sliding window (use_sliding_window is refused by config-qwen3.ts), Qwen3-MoE.

import { embedding, type Tensor } from "@llmts/tensor";
import { causalSelfAttention } from "./attention.ts";
import type { Qwen3Config } from "./config.ts";
import { Decoder } from "./decoder.ts";
import { type Linear, linear, type Norm, normOf, paramsOf, rmsNorm } from "./layers.ts";
import { swiGlu } from "./llama.ts";
import { type ParamSpec, take, type Weight } from "./params.ts";
import type { Pass } from "./pass.ts";
import { applyRope, RopeTables, ropeInverseFrequencies } from "./rope.ts";
import type { Module } from "./trace.ts";

// --- the parameter list: HF names, shapes, init (PreTrainedModel._init_weights) ------------------

/** Every parameter as HF stores it. Init: N(0, initializer_range) for weights, 0 biases, 1 norms. */
export function qwen3ParameterSpecs(c: Qwen3Config): ParamSpec[] {
  const [H, D, I] = [c.hiddenSize, c.headDim, c.intermediateSize];
  const w = { normal: c.initializerRange };
  const specs: ParamSpec[] = [{ name: "model.embed_tokens.weight", shape: [c.vocabSize, H], init: w }];
  const lin = (name: string, out: number, inp: number, bias: boolean) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], init: w });
    if (bias) specs.push({ name: `${name}.bias`, shape: [out], init: "zeros" });
  };
  const norm = (name: string, size: number) =>
    specs.push({ name: `${name}.weight`, shape: [size], init: "ones" });
  for (let i = 0; i < c.nLayer; i++) {
    const l = `model.layers.${i}.`;
    norm(`${l}input_layernorm`, H);
    lin(`${l}self_attn.q_proj`, c.nHead * D, H, c.attentionBias);
    lin(`${l}self_attn.k_proj`, c.nKvHead * D, H, c.attentionBias);
    lin(`${l}self_attn.v_proj`, c.nKvHead * D, H, c.attentionBias);
    lin(`${l}self_attn.o_proj`, H, c.nHead * D, c.attentionBias);
    norm(`${l}self_attn.q_norm`, D);
    norm(`${l}self_attn.k_norm`, D);
    norm(`${l}post_attention_layernorm`, H);
    lin(`${l}mlp.gate_proj`, I, H, false);
    lin(`${l}mlp.up_proj`, I, H, false);
    lin(`${l}mlp.down_proj`, H, I, false);
  }
  norm("model.norm", H);
  if (!c.tieWordEmbeddings) specs.push({ name: "lm_head.weight", shape: [c.vocabSize, H], init: w });
  return specs;
}

/** Not parameters: rotary inv_freq buffers some conversions saved; lm_head.weight when tied. */
export function isQwen3Ignored(name: string, c: Qwen3Config): boolean {
  if (name.endsWith("rotary_emb.inv_freq")) return true;
  return c.tieWordEmbeddings && name === "lm_head.weight";
}

// --- the model ----------------------------------------------------------------------------------

/** One layer's parameters, named as HF's modules are (model.layers.{i}.self_attn.q_norm, ...). */
interface Qwen3Layer {
  input_layernorm: Norm; // [H]
  self_attn: {
    q_proj: Linear; // [nHead * D, H]
    k_proj: Linear; // [nKvHead * D, H]
    v_proj: Linear; // [nKvHead * D, H]
    o_proj: Linear; // [H, nHead * D]
    q_norm: Norm; // [D], shared by the query heads
    k_norm: Norm; // [D], shared by the key heads
  };
  post_attention_layernorm: Norm; // [H]
  mlp: { gate_proj: Linear; up_proj: Linear; down_proj: Linear }; // [I, H], [I, H], [H, I]
}

type Qwen3Parts = {
  input_layernorm: Module;
  self_attn: Module;
  post_attention_layernorm: Module;
  mlp: Module;
};

export class Qwen3 extends Decoder<Qwen3Layer, Qwen3Parts> {
  declare readonly config: Qwen3Config;
  protected readonly names = { embed: "embed_tokens", blocks: "layers", norm: "norm" };
  protected readonly blocks: Qwen3Layer[];
  protected readonly lmHead: Linear; // weight [V, H]: embed_tokens itself when tied
  protected readonly kvShape: { nKvHead: number; headDim: number };
  private readonly embed_tokens: Tensor; // [V, H]
  private readonly norm: Norm; // [H]
  private readonly rope: RopeTables;

  constructor(config: Qwen3Config, params: Map<string, Weight>) {
    super(config, params);
    const c = config;
    const p = (name: string, hasBias = false) => paramsOf(params, `model.${name}`, hasBias);
    const norm = (name: string) => normOf(params, `model.${name}`, false);
    this.embed_tokens = take(params, "model.embed_tokens.weight");
    this.blocks = Array.from({ length: c.nLayer }, (_, i) => ({
      input_layernorm: norm(`layers.${i}.input_layernorm`),
      self_attn: {
        q_proj: p(`layers.${i}.self_attn.q_proj`, c.attentionBias),
        k_proj: p(`layers.${i}.self_attn.k_proj`, c.attentionBias),
        v_proj: p(`layers.${i}.self_attn.v_proj`, c.attentionBias),
        o_proj: p(`layers.${i}.self_attn.o_proj`, c.attentionBias),
        q_norm: norm(`layers.${i}.self_attn.q_norm`),
        k_norm: norm(`layers.${i}.self_attn.k_norm`),
      },
      post_attention_layernorm: norm(`layers.${i}.post_attention_layernorm`),
      mlp: {
        gate_proj: p(`layers.${i}.mlp.gate_proj`),
        up_proj: p(`layers.${i}.mlp.up_proj`),
        down_proj: p(`layers.${i}.mlp.down_proj`),
      },
    }));
    this.norm = norm("norm");
    this.lmHead = c.tieWordEmbeddings
      ? { weight: this.embed_tokens, bias: null }
      : paramsOf(params, "lm_head", false);
    this.kvShape = { nKvHead: c.nKvHead, headDim: c.headDim };
    this.rope = new RopeTables(
      ropeInverseFrequencies(c.headDim, c.ropeTheta, c.ropeScaling),
      c.contextLength,
    );
  }

  /** ids [B, T] -> embed_tokens[ids] [B, T, H] */
  protected embed(ids: Tensor): Tensor {
    return embedding(this.embed_tokens, ids);
  }

  protected parts(l: Qwen3Layer, layer: number, pass: Pass): Qwen3Parts {
    const eps = this.config.rmsNormEps;
    return {
      input_layernorm: (x) => rmsNorm(x, l.input_layernorm, eps),
      self_attn: (x) => this.attention(x, l.self_attn, layer, pass),
      post_attention_layernorm: (x) => rmsNorm(x, l.post_attention_layernorm, eps),
      mlp: (x) => swiGlu(x, l.mlp),
    };
  }

  /** Qwen3DecoderLayer.forward: Llama's pre-norm residuals. */
  protected block(
    x: Tensor,
    { input_layernorm, self_attn, post_attention_layernorm, mlp }: Qwen3Parts,
  ): Tensor {
    x = x.add(self_attn(input_layernorm(x))); // [B, T, H]
    x = x.add(mlp(post_attention_layernorm(x))); // [B, T, H]
    return x;
  }

  protected finalNorm(x: Tensor): Tensor {
    return rmsNorm(x, this.norm, this.config.rmsNormEps);
  }

  /** x: [B, T, H] -> [B, T, H] */
  private attention(x: Tensor, a: Qwen3Layer["self_attn"], layer: number, pass: Pass): Tensor {
    const c = this.config;
    const [B, T] = x.shape as [number, number, number];
    const D = c.headDim;
    const eps = c.rmsNormEps;
    const heads = (t: Tensor, n: number) => t.reshape(B, T, n, D).transpose(1, 2); // [B, n, T, D]
    let q = heads(linear(x, a.q_proj), c.nHead); // [B, nHead, T, D]
    let k = heads(linear(x, a.k_proj), c.nKvHead); // [B, nKvHead, T, D]
    const v = heads(linear(x, a.v_proj), c.nKvHead); // [B, nKvHead, T, D]
    // QK-norm: an RMSNorm over the last dim normalises each head's D values on their own.
    q = applyRope(rmsNorm(q, a.q_norm, eps), this.rope, pass.start); // norm, then rotate
    k = applyRope(rmsNorm(k, a.k_norm, eps), this.rope, pass.start);
    const settings = { scale: 1 / Math.sqrt(D), slidingWindow: null, dropout: c.attentionDropout };
    const y = causalSelfAttention(q, k, v, pass.attention(layer, settings)); // [B, T, nHead * D]
    return linear(y, a.o_proj); // [B, T, H]
  }
}

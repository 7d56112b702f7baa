// Gemma 3 (Gemma Team 2025, "Gemma 3 Technical Report"), the text model of Hugging Face's
// Gemma3ForCausalLM (gemma-3-270m, gemma-3-1b). A Llama-shaped decoder with these differences:
//
//   x = embed_tokens[ids] · √H                       embeddings scaled by sqrt(hidden_size)
//   for each layer (sliding or full, config.layerTypes[i]):
//     x = x + post_attention_layernorm(self_attn(input_layernorm(x)))        four norms a layer:
//     x = x + post_feedforward_layernorm(mlp(pre_feedforward_layernorm(x)))  around both branches
//   logits = norm(x) @ embed_tokensᵀ                 tied head, the unscaled embedding
//
// - RMSNorm scales by (1 + w), its weights stored centred on 0: norm(x) = x / rms(x) · (1 + w).
//   Note the name: Gemma's post_attention_layernorm normalises the attention *output*, where
//   Llama's normalises the MLP input.
// - self_attn: q_norm / k_norm (that same norm per head, before RoPE), scores scaled by
//   query_pre_attn_scalar^-1/2 instead of head_dim^-1/2, GQA (gemma-3-270m: one K/V head).
// - "sliding_attention" layers see the last sliding_window keys (query i sees key j iff
//   i - window < j <= i) and rotate with rope_local_base_freq; "full_attention" layers see every
//   earlier key and rotate with rope_theta (and rope_scaling, on the 4B+ models). Five of every
//   six layers slide: the KV cache still keeps every key of every layer, and the mask hides the
//   old ones on the sliding layers.
// - mlp: GeGLU, down_proj(gelu_tanh(gate_proj(x)) · up_proj(x)).
// Follows transformers 5.17 models/gemma3/modeling_gemma3.py: Gemma3TextScaledWordEmbedding
// (l. 106-117), Gemma3MLP (l. 120-133), Gemma3RMSNorm (l. 136-153: `output * (1.0 +
// self.weight.float())`), Gemma3Attention.forward (l. 341-383), Gemma3DecoderLayer.forward
// (l. 399-429), Gemma3TextModel.forward (l. 511-578); masking_utils.py sliding_window_overlay.
// Not here: softcapping and bidirectional attention (config-gemma3.ts refuses them), the vision
// tower of the 4B+ multimodal checkpoints (Gemma3ForConditionalGeneration).

import { embedding, gelu, type Tensor } from "@llmts/tensor";
import { causalSelfAttention } from "./attention.ts";
import type { Gemma3Config } from "./config.ts";
import { Decoder } from "./decoder.ts";
import { type Linear, linear, type Norm, normOf, paramsOf, rmsNorm } from "./layers.ts";
import { type ParamSpec, take, type Weight } from "./params.ts";
import type { Pass } from "./pass.ts";
import { applyRope, RopeTables, ropeInverseFrequencies } from "./rope.ts";
import type { Module } from "./trace.ts";

// --- the parameter list: HF names, shapes, init (Gemma3PreTrainedModel._init_weights) -----------

/** Every parameter as HF stores it. Init: N(0, initializer_range) weights, 0 norms (scale 1 + 0). */
export function gemma3ParameterSpecs(c: Gemma3Config): ParamSpec[] {
  const [H, D, I] = [c.hiddenSize, c.headDim, c.intermediateSize];
  const w = { normal: c.initializerRange };
  const specs: ParamSpec[] = [{ name: "model.embed_tokens.weight", shape: [c.vocabSize, H], init: w }];
  const lin = (name: string, out: number, inp: number, bias = false) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], init: w });
    if (bias) specs.push({ name: `${name}.bias`, shape: [out], init: "zeros" });
  };
  const norm = (name: string, size: number) =>
    specs.push({ name: `${name}.weight`, shape: [size], init: "zeros" });
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
    norm(`${l}pre_feedforward_layernorm`, H);
    lin(`${l}mlp.gate_proj`, I, H);
    lin(`${l}mlp.up_proj`, I, H);
    lin(`${l}mlp.down_proj`, H, I);
    norm(`${l}post_feedforward_layernorm`, H);
  }
  norm("model.norm", H);
  if (!c.tieWordEmbeddings) specs.push({ name: "lm_head.weight", shape: [c.vocabSize, H], init: w });
  return specs;
}

/** Not parameters: rotary inv_freq buffers a conversion may have saved; lm_head.weight when tied. */
export function isGemma3Ignored(name: string, c: Gemma3Config): boolean {
  if (/rotary_emb\.\w*inv_freq$/.test(name)) return true;
  return c.tieWordEmbeddings && name === "lm_head.weight";
}

// --- the model ----------------------------------------------------------------------------------

interface Gemma3Layer {
  input_layernorm: Norm; // [H]
  self_attn: {
    q_proj: Linear; // [nHead * D, H]
    k_proj: Linear; // [nKvHead * D, H]
    v_proj: Linear; // [nKvHead * D, H]
    o_proj: Linear; // [H, nHead * D]
    q_norm: Norm; // [D]
    k_norm: Norm; // [D]
  };
  post_attention_layernorm: Norm; // [H]
  pre_feedforward_layernorm: Norm; // [H]
  mlp: { gate_proj: Linear; up_proj: Linear; down_proj: Linear }; // [I, H], [I, H], [H, I]
  post_feedforward_layernorm: Norm; // [H]
}

type Gemma3Parts = {
  input_layernorm: Module;
  self_attn: Module;
  post_attention_layernorm: Module;
  pre_feedforward_layernorm: Module;
  mlp: Module;
  post_feedforward_layernorm: Module;
};

/** Gemma's RMSNorm: x / sqrt(mean(x²) + eps) · (1 + w).  x: [..., C] -> [..., C] */
function gemmaRmsNorm(x: Tensor, { weight }: Norm, eps: number): Tensor {
  return rmsNorm(x, { weight: weight.add(1), bias: null }, eps); // 1 + w: differentiable in w
}

export class Gemma3 extends Decoder<Gemma3Layer, Gemma3Parts> {
  declare readonly config: Gemma3Config;
  protected readonly names = { embed: "embed_tokens", blocks: "layers", norm: "norm" };
  protected readonly blocks: Gemma3Layer[];
  protected readonly lmHead: Linear; // weight [V, H]: embed_tokens itself when tied
  protected readonly kvShape: { nKvHead: number; headDim: number };
  private readonly embed_tokens: Tensor; // [V, H]
  private readonly norm: Norm; // [H]
  /** One rotation per layer type: local base on sliding layers, rope_theta (+ scaling) on full. */
  private readonly rope: { sliding_attention: RopeTables; full_attention: RopeTables };

  constructor(config: Gemma3Config, params: Map<string, Weight>) {
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
      pre_feedforward_layernorm: norm(`layers.${i}.pre_feedforward_layernorm`),
      mlp: {
        gate_proj: p(`layers.${i}.mlp.gate_proj`),
        up_proj: p(`layers.${i}.mlp.up_proj`),
        down_proj: p(`layers.${i}.mlp.down_proj`),
      },
      post_feedforward_layernorm: norm(`layers.${i}.post_feedforward_layernorm`),
    }));
    this.norm = norm("norm");
    this.lmHead = c.tieWordEmbeddings
      ? { weight: this.embed_tokens, bias: null }
      : paramsOf(params, "lm_head", false);
    this.kvShape = { nKvHead: c.nKvHead, headDim: c.headDim };
    const tables = ({ theta, scaling }: Gemma3Config["rope"]["full"]) =>
      new RopeTables(ropeInverseFrequencies(c.headDim, theta, scaling), c.contextLength);
    this.rope = { sliding_attention: tables(c.rope.sliding), full_attention: tables(c.rope.full) };
  }

  /**
   * ids [B, T] -> embed_tokens[ids] · √H [B, T, H]. HF keeps √H as a float32 tensor and casts it
   * to the weights' dtype: in float32, Math.fround(√H) (run in bfloat16 it would round to 25.25
   * for H = 640, and the logits would move by ~1e-2).
   */
  protected embed(ids: Tensor): Tensor {
    return embedding(this.embed_tokens, ids).mul(Math.fround(Math.sqrt(this.config.hiddenSize)));
  }

  protected parts(l: Gemma3Layer, layer: number, pass: Pass): Gemma3Parts {
    const eps = this.config.rmsNormEps;
    return {
      input_layernorm: (x) => gemmaRmsNorm(x, l.input_layernorm, eps),
      self_attn: (x) => this.attention(x, l.self_attn, layer, pass),
      post_attention_layernorm: (x) => gemmaRmsNorm(x, l.post_attention_layernorm, eps),
      pre_feedforward_layernorm: (x) => gemmaRmsNorm(x, l.pre_feedforward_layernorm, eps),
      mlp: (x) => this.mlp(x, l.mlp),
      post_feedforward_layernorm: (x) => gemmaRmsNorm(x, l.post_feedforward_layernorm, eps),
    };
  }

  /** Gemma3DecoderLayer.forward: each branch normalised on the way in and on the way out. */
  protected block(x: Tensor, n: Gemma3Parts): Tensor {
    x = x.add(n.post_attention_layernorm(n.self_attn(n.input_layernorm(x)))); // [B, T, H]
    x = x.add(n.post_feedforward_layernorm(n.mlp(n.pre_feedforward_layernorm(x)))); // [B, T, H]
    return x;
  }

  protected finalNorm(x: Tensor): Tensor {
    return gemmaRmsNorm(x, this.norm, this.config.rmsNormEps);
  }

  /** x: [B, T, H] -> [B, T, H] */
  private attention(x: Tensor, a: Gemma3Layer["self_attn"], layer: number, pass: Pass): Tensor {
    const c = this.config;
    const [B, T] = x.shape as [number, number, number];
    const D = c.headDim;
    const type = c.layerTypes[layer]!;
    const rope = this.rope[type];
    const heads = (t: Tensor, n: number) => t.reshape(B, T, n, D).transpose(1, 2); // [B, n, T, D]
    let q = heads(linear(x, a.q_proj), c.nHead); // [B, nHead, T, D]
    let k = heads(linear(x, a.k_proj), c.nKvHead); // [B, nKvHead, T, D]
    const v = heads(linear(x, a.v_proj), c.nKvHead); // [B, nKvHead, T, D]
    q = applyRope(gemmaRmsNorm(q, a.q_norm, c.rmsNormEps), rope, pass.start); // per-head norm, then rotate
    k = applyRope(gemmaRmsNorm(k, a.k_norm, c.rmsNormEps), rope, pass.start);
    const settings = {
      scale: c.queryPreAttnScalar ** -0.5, // query_pre_attn_scalar^-1/2, not head_dim^-1/2
      slidingWindow: type === "sliding_attention" ? c.slidingWindow : null,
      dropout: c.attentionDropout,
    };
    const y = causalSelfAttention(q, k, v, pass.attention(layer, settings)); // [B, T, nHead * D]
    return linear(y, a.o_proj); // [B, T, H]
  }

  /** GeGLU: down_proj(gelu_tanh(gate_proj(x)) · up_proj(x)).  x: [B, T, H] -> [B, T, H] */
  private mlp(x: Tensor, { gate_proj, up_proj, down_proj }: Gemma3Layer["mlp"]): Tensor {
    const approximate = this.config.activation === "gelu" ? "none" : "tanh";
    const gate = gelu(linear(x, gate_proj), approximate); // [B, T, I]
    return linear(gate.mul(linear(x, up_proj)), down_proj); // [B, T, H]
  }
}

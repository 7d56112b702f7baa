// Llama (Touvron et al. 2023, "Llama 2"), the model of Hugging Face's LlamaForCausalLM
// (modeling_llama.py); the same code runs Qwen2 (q/k/v biases) and Mistral (sliding window), whose
// HF implementations differ from Llama's only there. The decoder, as in llama2.c's forward():
//
//   x = embed_tokens[ids]
//   for each layer:  x = x + self_attn(input_layernorm(x));  x = x + mlp(post_attention_layernorm(x))
//   logits = norm(x) @ lm_headᵀ                                    (every norm an RMSNorm)
//
// This file holds what is Llama's own: the parameter list with HF's names, the layer and its
// modules. The loop over layers, lm_head, the KV cache and tracing are the shared decoder's
// (decoder.ts).
//
// self_attn: q, k, v projections; RoPE on q and k (rope.ts); grouped-query attention (nKvHead
//            K/V heads shared by nHead query heads); o_proj.
// mlp:       SwiGLU (Shazeer 2020): down_proj(silu(gate_proj(x)) * up_proj(x)).
// No biases except where the config says (Qwen2's q/k/v, Llama's attention_bias / mlp_bias).
// Weights are nn.Linear's [out, in], used as x @ Wᵀ through a transposed view.
// Not here: Qwen2's per-layer sliding window (config.ts refuses it), tensor-parallel slicing
// (pretraining_tp), Mistral's rolling-buffer cache (the whole sequence is cached and masked).

import { silu, type Tensor } from "@llmts/tensor";
import { causalSelfAttention } from "./attention.ts";
import type { LlamaConfig } from "./config.ts";
import { Decoder } from "./decoder.ts";
import { embed, type Linear, linear, type Norm, normOf, paramsOf, rmsNorm } from "./layers.ts";
import { type ParamSpec, takeWeight, type Weight } from "./params.ts";
import type { Pass } from "./pass.ts";
import { applyRope, RopeTables, ropeInverseFrequencies } from "./rope.ts";
import type { Module } from "./trace.ts";

// --- the parameter list: HF names, shapes, init (LlamaPreTrainedModel._init_weights) ------------

/** Every parameter as HF stores it. Init: N(0, initializer_range) for weights, 0 biases, 1 norms. */
export function llamaParameterSpecs(c: LlamaConfig): ParamSpec[] {
  const H = c.hiddenSize;
  const qDim = c.nHead * c.headDim;
  const kvDim = c.nKvHead * c.headDim;
  const I = c.intermediateSize;
  const w = { normal: c.initializerRange };
  const specs: ParamSpec[] = [{ name: "model.embed_tokens.weight", shape: [c.vocabSize, H], init: w }];
  const lin = (name: string, out: number, inp: number, bias: boolean) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], init: w });
    if (bias) specs.push({ name: `${name}.bias`, shape: [out], init: "zeros" });
  };
  for (let i = 0; i < c.nLayer; i++) {
    const l = `model.layers.${i}.`;
    specs.push({ name: `${l}input_layernorm.weight`, shape: [H], init: "ones" });
    lin(`${l}self_attn.q_proj`, qDim, H, c.qkvBias);
    lin(`${l}self_attn.k_proj`, kvDim, H, c.qkvBias);
    lin(`${l}self_attn.v_proj`, kvDim, H, c.qkvBias);
    lin(`${l}self_attn.o_proj`, H, qDim, c.oBias);
    specs.push({ name: `${l}post_attention_layernorm.weight`, shape: [H], init: "ones" });
    lin(`${l}mlp.gate_proj`, I, H, c.mlpBias);
    lin(`${l}mlp.up_proj`, I, H, c.mlpBias);
    lin(`${l}mlp.down_proj`, H, I, c.mlpBias);
  }
  specs.push({ name: "model.norm.weight", shape: [H], init: "ones" });
  if (!c.tieWordEmbeddings) specs.push({ name: "lm_head.weight", shape: [c.vocabSize, H], init: w });
  return specs;
}

/**
 * Tensors a Llama checkpoint may hold that are not parameters: the rotary inv_freq buffers some
 * conversions saved, and lm_head.weight when embeddings are tied (HF re-ties it after loading).
 */
export function isLlamaIgnored(name: string, c: LlamaConfig): boolean {
  if (name.endsWith("rotary_emb.inv_freq")) return true;
  return c.tieWordEmbeddings && name === "lm_head.weight";
}

// --- the model ----------------------------------------------------------------------------------

/** One layer's parameters, named as HF's modules are (model.layers.{i}.self_attn.q_proj, ...). */
interface LlamaLayer {
  input_layernorm: Norm; // [H]
  self_attn: {
    q_proj: Linear; // [nHead * D, H]
    k_proj: Linear; // [nKvHead * D, H]
    v_proj: Linear; // [nKvHead * D, H]
    o_proj: Linear; // [H, nHead * D]
  };
  post_attention_layernorm: Norm; // [H]
  mlp: { gate_proj: Linear; up_proj: Linear; down_proj: Linear }; // [I, H], [I, H], [H, I]
}

/** A layer's modules for one forward pass: x [B, T, H] -> [B, T, H] each. */
type LlamaParts = {
  input_layernorm: Module;
  self_attn: Module;
  post_attention_layernorm: Module;
  mlp: Module;
};

export class Llama extends Decoder<LlamaLayer, LlamaParts> {
  declare readonly config: LlamaConfig;
  protected readonly names = { embed: "embed_tokens", blocks: "layers", norm: "norm" };
  protected readonly blocks: LlamaLayer[];
  protected readonly lmHead: Linear; // weight [V, H]: embed_tokens itself when tied
  protected readonly kvShape: { nKvHead: number; headDim: number };
  private readonly embed_tokens: Weight; // [V, H]
  private readonly norm: Norm; // [H]
  private readonly rope: RopeTables;

  constructor(config: LlamaConfig, params: Map<string, Weight>) {
    super(config, params);
    const c = config;
    const p = (name: string, hasBias = false) => paramsOf(params, `model.${name}`, hasBias);
    const norm = (name: string) => normOf(params, `model.${name}`, false);
    this.embed_tokens = takeWeight(params, "model.embed_tokens.weight");
    this.blocks = Array.from({ length: c.nLayer }, (_, i) => ({
      input_layernorm: norm(`layers.${i}.input_layernorm`),
      self_attn: {
        q_proj: p(`layers.${i}.self_attn.q_proj`, c.qkvBias),
        k_proj: p(`layers.${i}.self_attn.k_proj`, c.qkvBias),
        v_proj: p(`layers.${i}.self_attn.v_proj`, c.qkvBias),
        o_proj: p(`layers.${i}.self_attn.o_proj`, c.oBias),
      },
      post_attention_layernorm: norm(`layers.${i}.post_attention_layernorm`),
      mlp: {
        gate_proj: p(`layers.${i}.mlp.gate_proj`, c.mlpBias),
        up_proj: p(`layers.${i}.mlp.up_proj`, c.mlpBias),
        down_proj: p(`layers.${i}.mlp.down_proj`, c.mlpBias),
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

  /** ids [B, T] -> embed_tokens[ids] [B, T, H]; positions enter later, through RoPE. */
  protected embed(ids: Tensor): Tensor {
    return embed(this.embed_tokens, ids);
  }

  /** Layer `layer`'s modules, by HF's names: each closes over its parameters and this pass. */
  protected parts(l: LlamaLayer, layer: number, pass: Pass): LlamaParts {
    const eps = this.config.rmsNormEps;
    return {
      input_layernorm: (x) => rmsNorm(x, l.input_layernorm, eps),
      self_attn: (x) => this.attention(x, l.self_attn, layer, pass),
      post_attention_layernorm: (x) => rmsNorm(x, l.post_attention_layernorm, eps),
      mlp: (x) => swiGlu(x, l.mlp),
    };
  }

  /** HF's LlamaDecoderLayer.forward: RMSNorm, attention, residual add; RMSNorm, MLP, residual add. */
  protected block(
    x: Tensor,
    { input_layernorm, self_attn, post_attention_layernorm, mlp }: LlamaParts,
  ): Tensor {
    x = x.add(self_attn(input_layernorm(x))); // [B, T, H]
    x = x.add(mlp(post_attention_layernorm(x))); // [B, T, H]
    return x;
  }

  protected finalNorm(x: Tensor): Tensor {
    return rmsNorm(x, this.norm, this.config.rmsNormEps);
  }

  /** x: [B, T, H] -> [B, T, H] */
  private attention(x: Tensor, a: LlamaLayer["self_attn"], layer: number, pass: Pass): Tensor {
    const c = this.config;
    const [B, T] = x.shape as [number, number, number];
    const D = c.headDim;
    const heads = (t: Tensor, n: number) => t.reshape(B, T, n, D).transpose(1, 2); // [B, n, T, D]
    const q = applyRope(heads(linear(x, a.q_proj), c.nHead), this.rope, pass.start); // [B, nHead, T, D]
    const k = applyRope(heads(linear(x, a.k_proj), c.nKvHead), this.rope, pass.start); // [B, nKvHead, T, D]
    const v = heads(linear(x, a.v_proj), c.nKvHead); // [B, nKvHead, T, D]
    const settings = { scale: 1 / Math.sqrt(D), slidingWindow: c.slidingWindow, dropout: c.attentionDropout };
    const y = causalSelfAttention(q, k, v, pass.attention(layer, settings)); // [B, T, nHead * D]
    return linear(y, a.o_proj); // [B, T, H]
  }
}

/** SwiGLU: down_proj(silu(gate_proj(x)) * up_proj(x)).  x: [B, T, H] -> [B, T, H] */
export function swiGlu(x: Tensor, { gate_proj, up_proj, down_proj }: LlamaLayer["mlp"]): Tensor {
  const gate = silu(linear(x, gate_proj)); // [B, T, I]
  const up = linear(x, up_proj); // [B, T, I]
  return linear(gate.mul(up), down_proj); // [B, T, H]
}

// Phi-3 (Abdin et al. 2024, "Phi-3 Technical Report") and Phi-4-mini, the model of Hugging Face's
// Phi3ForCausalLM: Llama's decoder with fused projections, partial rotary embeddings and, on the
// long-context models, LongRoPE:
//
//   x = embed_tokens[ids]
//   for each layer:  x = x + self_attn(input_layernorm(x));  x = x + mlp(post_attention_layernorm(x))
//   logits = norm(x) @ lm_headᵀ                                        (every norm an RMSNorm)
//
// self_attn: one projection qkv_proj [(nHead + 2·nKvHead)·D, C] in blocks — rows [0, nHead·D) are
//   the queries, the next nKvHead·D the keys, the last nKvHead·D the values, each block head-major
//   (not interleaved per head as GPT-NeoX's); RoPE on the first rotaryDim = floor(D ·
//   partial_rotary_factor) dims of each head (Phi-4-mini: 96 of 128); GQA; an optional sliding
//   window (Phi-3-mini-4k: 2047); o_proj.
// mlp: one projection gate_up_proj [2I, C], gate first: down_proj(up · silu(gate)).
// No biases anywhere. Dropout (training only): attention_dropout on the probabilities, resid_pdrop
// on each branch's output.
// LongRoPE (longrope.ts): a sequence longer than original_max_position_embeddings rotates every
// position with the long factors. With a KV cache the pass that crosses that length reruns the
// sequence's earlier tokens (recomputesPrefix), because their cached keys were rotated with the
// short ones — what transformers' prepare_inputs_for_generation sets up by dropping its cache.
// Follows transformers 5.17 models/phi3/modeling_phi3.py: Phi3MLP (l. 49-64: `gate, up_states =
// up_states.chunk(2, dim=-1)`), apply_rotary_pos_emb (l. 170-197: rotary_dim = cos.shape[-1]),
// Phi3Attention.forward (l. 218-263: `query_states = qkv[..., :query_pos]`), Phi3DecoderLayer.forward
// (l. 299-327), Phi3ForCausalLM.prepare_inputs_for_generation (l. 498-533).
// Not here: Phi-3-small (a different architecture: phi3small), Phi-3.5-MoE (phimoe).

import { embedding, silu, type Tensor } from "@llmts/tensor";
import { causalSelfAttention } from "./attention.ts";
import type { Phi3Config } from "./config.ts";
import { Decoder } from "./decoder.ts";
import { type Linear, linear, type Norm, normOf, paramsOf, rmsNorm } from "./layers.ts";
import { LongRope } from "./longrope.ts";
import { type ParamSpec, take, type Weight } from "./params.ts";
import type { Pass } from "./pass.ts";
import { applyRope, RopeTables, ropeInverseFrequencies } from "./rope.ts";
import type { Module } from "./trace.ts";

// --- the parameter list: HF names, shapes, init (PreTrainedModel._init_weights) ------------------

/** Every parameter as HF stores it. Init: N(0, initializer_range) for weights, 1 for norms. */
export function phi3ParameterSpecs(c: Phi3Config): ParamSpec[] {
  const [C, D, I] = [c.hiddenSize, c.headDim, c.intermediateSize];
  const w = { normal: c.initializerRange };
  const specs: ParamSpec[] = [{ name: "model.embed_tokens.weight", shape: [c.vocabSize, C], init: w }];
  const lin = (name: string, out: number, inp: number) =>
    specs.push({ name: `${name}.weight`, shape: [out, inp], init: w });
  const norm = (name: string) => specs.push({ name: `${name}.weight`, shape: [C], init: "ones" });
  for (let i = 0; i < c.nLayer; i++) {
    const l = `model.layers.${i}.`;
    norm(`${l}input_layernorm`);
    lin(`${l}self_attn.qkv_proj`, (c.nHead + 2 * c.nKvHead) * D, C);
    lin(`${l}self_attn.o_proj`, C, c.nHead * D);
    norm(`${l}post_attention_layernorm`);
    lin(`${l}mlp.gate_up_proj`, 2 * I, C);
    lin(`${l}mlp.down_proj`, C, I);
  }
  norm("model.norm");
  if (!c.tieWordEmbeddings) specs.push({ name: "lm_head.weight", shape: [c.vocabSize, C], init: w });
  return specs;
}

/** Not parameters: rotary inv_freq buffers a conversion may have saved; lm_head.weight when tied. */
export function isPhi3Ignored(name: string, c: Phi3Config): boolean {
  if (/rotary_emb\.\w*inv_freq$/.test(name)) return true;
  return c.tieWordEmbeddings && name === "lm_head.weight";
}

// --- the model ----------------------------------------------------------------------------------

interface Phi3Layer {
  input_layernorm: Norm; // [C]
  self_attn: { qkv_proj: Linear; o_proj: Linear }; // [(nHead + 2 nKvHead) D, C];  [C, nHead D]
  post_attention_layernorm: Norm; // [C]
  mlp: { gate_up_proj: Linear; down_proj: Linear }; // [2I, C];  [C, I]
}

type Phi3Parts = {
  input_layernorm: Module;
  self_attn: Module;
  post_attention_layernorm: Module;
  mlp: Module;
};

/** The rotation: one set of tables, or LongRoPE's two with the rule that picks between them. */
type Rope = { kind: "plain"; tables: RopeTables } | { kind: "longrope"; longRope: LongRope };

export class Phi3 extends Decoder<Phi3Layer, Phi3Parts> {
  declare readonly config: Phi3Config;
  protected readonly names = { embed: "embed_tokens", blocks: "layers", norm: "norm" };
  protected readonly blocks: Phi3Layer[];
  protected readonly lmHead: Linear; // weight [V, C]: embed_tokens itself when tied
  protected readonly kvShape: { nKvHead: number; headDim: number };
  private readonly embed_tokens: Tensor; // [V, C]
  private readonly norm: Norm; // [C]
  private readonly rope: Rope;

  constructor(config: Phi3Config, params: Map<string, Weight>) {
    super(config, params);
    const c = config;
    const p = (name: string) => paramsOf(params, `model.${name}`, false);
    const norm = (name: string) => normOf(params, `model.${name}`, false);
    this.embed_tokens = take(params, "model.embed_tokens.weight");
    this.blocks = Array.from({ length: c.nLayer }, (_, i) => ({
      input_layernorm: norm(`layers.${i}.input_layernorm`),
      self_attn: { qkv_proj: p(`layers.${i}.self_attn.qkv_proj`), o_proj: p(`layers.${i}.self_attn.o_proj`) },
      post_attention_layernorm: norm(`layers.${i}.post_attention_layernorm`),
      mlp: { gate_up_proj: p(`layers.${i}.mlp.gate_up_proj`), down_proj: p(`layers.${i}.mlp.down_proj`) },
    }));
    this.norm = norm("norm");
    this.lmHead = c.tieWordEmbeddings
      ? { weight: this.embed_tokens, bias: null }
      : paramsOf(params, "lm_head", false);
    this.kvShape = { nKvHead: c.nKvHead, headDim: c.headDim };
    this.rope =
      c.ropeScaling === null
        ? {
            kind: "plain",
            tables: new RopeTables(ropeInverseFrequencies(c.rotaryDim, c.ropeTheta, null), c.contextLength),
          }
        : {
            kind: "longrope",
            longRope: new LongRope(c.rotaryDim, c.ropeTheta, c.ropeScaling, c.contextLength),
          };
  }

  /** LongRoPE: the cached keys are stale when this pass takes the sequence past original. */
  protected override recomputesPrefix(past: number, T: number): boolean {
    return this.rope.kind === "longrope" && this.rope.longRope.crosses(past, T);
  }

  /** ids [B, T] -> embed_tokens[ids] [B, T, C] */
  protected embed(ids: Tensor): Tensor {
    return embedding(this.embed_tokens, ids);
  }

  protected parts(l: Phi3Layer, layer: number, pass: Pass): Phi3Parts {
    const eps = this.config.rmsNormEps;
    const p = this.config.residPdrop;
    return {
      input_layernorm: (x) => rmsNorm(x, l.input_layernorm, eps),
      self_attn: (x) => pass.dropout(this.attention(x, l.self_attn, layer, pass), p),
      post_attention_layernorm: (x) => rmsNorm(x, l.post_attention_layernorm, eps),
      mlp: (x) => pass.dropout(this.mlp(x, l.mlp), p),
    };
  }

  /** Phi3DecoderLayer.forward: Llama's pre-norm residuals. */
  protected block(
    x: Tensor,
    { input_layernorm, self_attn, post_attention_layernorm, mlp }: Phi3Parts,
  ): Tensor {
    x = x.add(self_attn(input_layernorm(x))); // [B, T, C]
    x = x.add(mlp(post_attention_layernorm(x))); // [B, T, C]
    return x;
  }

  protected finalNorm(x: Tensor): Tensor {
    return rmsNorm(x, this.norm, this.config.rmsNormEps);
  }

  /** x: [B, nHeads, T, D] -> rotated, row b at positions pass.start[b] ... */
  private rotate(x: Tensor, pass: Pass): Tensor {
    return this.rope.kind === "plain"
      ? applyRope(x, this.rope.tables, pass.start)
      : this.rope.longRope.apply(x, pass.start);
  }

  /** x: [B, T, C] -> [B, T, C] */
  private attention(x: Tensor, a: Phi3Layer["self_attn"], layer: number, pass: Pass): Tensor {
    const c = this.config;
    const [B, T] = x.shape as [number, number, number];
    const [D, qDim, kvDim] = [c.headDim, c.nHead * c.headDim, c.nKvHead * c.headDim];
    const qkv = linear(x, a.qkv_proj); // [B, T, qDim + 2 kvDim]: [q | k | v] in blocks
    const heads = (t: Tensor, n: number) => t.reshape(B, T, n, D).transpose(1, 2); // [B, n, T, D]
    const q = this.rotate(heads(qkv.narrow(-1, 0, qDim), c.nHead), pass); // [B, nHead, T, D]
    const k = this.rotate(heads(qkv.narrow(-1, qDim, kvDim), c.nKvHead), pass); // [B, nKvHead, T, D]
    const v = heads(qkv.narrow(-1, qDim + kvDim, kvDim), c.nKvHead); // [B, nKvHead, T, D]
    const settings = { scale: 1 / Math.sqrt(D), slidingWindow: c.slidingWindow, dropout: c.attentionDropout };
    const y = causalSelfAttention(q, k, v, pass.attention(layer, settings)); // [B, T, nHead * D]
    return linear(y, a.o_proj); // [B, T, C]
  }

  /** down_proj(up · silu(gate)), gate and up the two halves of gate_up_proj.  x: [B, T, C] -> [B, T, C] */
  private mlp(x: Tensor, { gate_up_proj, down_proj }: Phi3Layer["mlp"]): Tensor {
    const I = this.config.intermediateSize;
    const gateUp = linear(x, gate_up_proj); // [B, T, 2I]
    const gate = gateUp.narrow(-1, 0, I); // [B, T, I]
    const up = gateUp.narrow(-1, I, I); // [B, T, I]
    return linear(up.mul(silu(gate)), down_proj); // [B, T, C]
  }
}

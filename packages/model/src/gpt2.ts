// GPT-2 (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners"), the model of
// Hugging Face's GPT2LMHeadModel (modeling_gpt2.py), written the way nanoGPT's model.py reads:
//
//   x = wte[ids] + wpe[positions]
//   for each block:  x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))      (pre-LayerNorm residuals)
//   logits = ln_f(x) @ wteᵀ                                            (tied output embedding)
//
// This file holds what is GPT-2's own: the parameter list with HF's names, the embedding, the
// block and its modules. The loop over blocks, lm_head, the KV cache and tracing are the shared
// decoder's (decoder.ts).
//
// attn: one fused projection c_attn to q, k, v; causal softmax attention over nHead heads; c_proj.
// mlp:  c_fc to 4·C, GELU with the tanh approximation (activation_function "gelu_new"), c_proj.
// Dropout (training only) as nanoGPT places it: on the embeddings, on the attention
// probabilities, and on the output of attn and of mlp before each residual add.
// Weights are HF's Conv1D layout [in, out], used as x @ W without transposing.
// Checkpoints name tensors with or without the "transformer." prefix (GPT2Model vs
// GPT2LMHeadModel); the prefix found is kept, so parameters() and saving use the file's names.
// Not here: scale_attn_by_inverse_layer_idx, reorder_and_upcast_attn (numerically equal in f32),
// cross-attention, token-type embeddings.

import { gelu, split, type Tensor } from "@llmts/tensor";
import { causalSelfAttention } from "./attention.ts";
import type { Gpt2Config } from "./config.ts";
import { Decoder } from "./decoder.ts";
import { conv1d, embed, type Linear, layerNorm, type Norm, normOf, paramsOf } from "./layers.ts";
import { type ParamSpec, take, takeWeight, type Weight } from "./params.ts";
import type { Pass } from "./pass.ts";
import type { Module } from "./trace.ts";

export type Gpt2Prefix = "" | "transformer.";

// --- the parameter list: HF names, shapes, init (GPT2PreTrainedModel._init_weights) -------------

/**
 * Every parameter of a GPT-2, as stored by Hugging Face. Init: N(0, 0.02) for weights and
 * embeddings, 0 for biases, 1 for LayerNorm gains, and the residual projections (c_proj) scaled by
 * 1/sqrt(2·nLayer) so each block's contribution to the residual stream stays small at the start.
 */
export function gpt2ParameterSpecs(c: Gpt2Config, prefix: Gpt2Prefix = "transformer."): ParamSpec[] {
  const C = c.nEmbd;
  const std = c.initializerRange;
  const projStd = std / Math.sqrt(2 * c.nLayer);
  const p = (name: string, shape: number[], init: ParamSpec["init"]): ParamSpec => ({
    name: prefix + name,
    shape,
    init,
  });
  const specs: ParamSpec[] = [p("wte.weight", [c.vocabSize, C], { normal: std })];
  specs.push(p("wpe.weight", [c.contextLength, C], { normal: std }));
  for (let i = 0; i < c.nLayer; i++) {
    const h = `h.${i}.`;
    specs.push(
      p(`${h}ln_1.weight`, [C], "ones"),
      p(`${h}ln_1.bias`, [C], "zeros"),
      p(`${h}attn.c_attn.weight`, [C, 3 * C], { normal: std }),
      p(`${h}attn.c_attn.bias`, [3 * C], "zeros"),
      p(`${h}attn.c_proj.weight`, [C, C], { normal: projStd }),
      p(`${h}attn.c_proj.bias`, [C], "zeros"),
      p(`${h}ln_2.weight`, [C], "ones"),
      p(`${h}ln_2.bias`, [C], "zeros"),
      p(`${h}mlp.c_fc.weight`, [C, c.nInner], { normal: std }),
      p(`${h}mlp.c_fc.bias`, [c.nInner], "zeros"),
      p(`${h}mlp.c_proj.weight`, [c.nInner, C], { normal: projStd }),
      p(`${h}mlp.c_proj.bias`, [C], "zeros"),
    );
  }
  specs.push(p("ln_f.weight", [C], "ones"), p("ln_f.bias", [C], "zeros"));
  if (!c.tieWordEmbeddings)
    specs.push({ name: "lm_head.weight", shape: [c.vocabSize, C], init: { normal: std } });
  return specs;
}

/** "transformer." when the checkpoint's names carry the GPT2LMHeadModel prefix, else "". */
export function gpt2PrefixOf(names: Iterable<string>): Gpt2Prefix {
  for (const n of names) if (n.startsWith("transformer.")) return "transformer.";
  return "";
}

/**
 * Tensors a GPT-2 checkpoint may hold that are not parameters: the causal-mask buffers older HF
 * versions saved (attn.bias, attn.masked_bias), and lm_head.weight when embeddings are tied
 * (HF re-ties it to wte after loading, so its stored value is never used).
 */
export function isGpt2Ignored(name: string, c: Gpt2Config): boolean {
  if (/(^|\.)h\.\d+\.attn\.(bias|masked_bias)$/.test(name)) return true;
  return c.tieWordEmbeddings && name === "lm_head.weight";
}

// --- the model ----------------------------------------------------------------------------------

/** One block's parameters, named as HF's modules are (h.{i}.ln_1, h.{i}.attn.c_attn, ...). */
interface Gpt2Block {
  ln_1: Norm; // [C], [C]
  attn: { c_attn: Linear; c_proj: Linear }; // [C, 3C] + [3C];  [C, C] + [C]
  ln_2: Norm;
  mlp: { c_fc: Linear; c_proj: Linear }; // [C, 4C] + [4C];  [4C, C] + [C]
}

/** A block's modules for one forward pass: x [B, T, C] -> [B, T, C] each. */
type Gpt2Parts = { ln_1: Module; attn: Module; ln_2: Module; mlp: Module };

export class Gpt2 extends Decoder<Gpt2Block, Gpt2Parts> {
  declare readonly config: Gpt2Config;
  protected readonly names = { embed: "wte + wpe", blocks: "h", norm: "ln_f" };
  protected readonly blocks: Gpt2Block[];
  protected readonly lmHead: Linear; // weight [V, C]: wte itself when tied
  protected readonly kvShape: { nKvHead: number; headDim: number };
  private readonly wte: Weight; // [V, C]
  private readonly wpe: Tensor; // [contextLength, C]
  private readonly ln_f: Norm; // [C], [C]

  constructor(config: Gpt2Config, params: Map<string, Weight>, prefix: Gpt2Prefix) {
    super(config, params);
    const p = (name: string, hasBias = true) => paramsOf(params, prefix + name, hasBias);
    const norm = (name: string) => normOf(params, prefix + name, true);
    this.wte = takeWeight(params, `${prefix}wte.weight`);
    this.wpe = take(params, `${prefix}wpe.weight`);
    this.blocks = Array.from({ length: config.nLayer }, (_, i) => ({
      ln_1: norm(`h.${i}.ln_1`),
      attn: { c_attn: p(`h.${i}.attn.c_attn`), c_proj: p(`h.${i}.attn.c_proj`) },
      ln_2: norm(`h.${i}.ln_2`),
      mlp: { c_fc: p(`h.${i}.mlp.c_fc`), c_proj: p(`h.${i}.mlp.c_proj`) },
    }));
    this.ln_f = norm("ln_f");
    this.lmHead = config.tieWordEmbeddings
      ? { weight: this.wte, bias: null }
      : paramsOf(params, "lm_head", false);
    this.kvShape = { nKvHead: config.nHead, headDim: config.nEmbd / config.nHead };
  }

  /** ids [B, T] -> wte[ids] [B, T, C] + wpe[positions] [T, C] (or [B, T, C]) */
  protected embed(ids: Tensor, pass: Pass): Tensor {
    const x = embed(this.wte, ids).add(embed(this.wpe, pass.positionIds())); // [B, T, C]
    return pass.dropout(x, this.config.embdPdrop);
  }

  /** Block `layer`'s modules, by HF's names: each closes over its parameters and this pass. */
  protected parts(b: Gpt2Block, layer: number, pass: Pass): Gpt2Parts {
    const eps = this.config.layerNormEps;
    return {
      ln_1: (x) => layerNorm(x, b.ln_1, eps),
      attn: (x) => this.attention(x, b.attn, layer, pass),
      ln_2: (x) => layerNorm(x, b.ln_2, eps),
      mlp: (x) => this.mlp(x, b.mlp, pass),
    };
  }

  /** nanoGPT's Block.forward: pre-LayerNorm attention, then MLP, each added to the residual x. */
  protected block(x: Tensor, { ln_1, attn, ln_2, mlp }: Gpt2Parts): Tensor {
    x = x.add(attn(ln_1(x))); // [B, T, C]
    x = x.add(mlp(ln_2(x))); // [B, T, C]
    return x;
  }

  protected finalNorm(x: Tensor): Tensor {
    return layerNorm(x, this.ln_f, this.config.layerNormEps);
  }

  /** x: [B, T, C] -> [B, T, C] */
  private attention(x: Tensor, { c_attn, c_proj }: Gpt2Block["attn"], layer: number, pass: Pass): Tensor {
    const c = this.config;
    const [B, T, C] = x.shape as [number, number, number];
    const nHead = c.nHead;
    const D = C / nHead;
    const qkv = conv1d(x, c_attn); // [B, T, 3C]
    const heads = (t: Tensor) => t.reshape(B, T, nHead, D).transpose(1, 2); // [B, nHead, T, D]
    const [q, k, v] = split(qkv, C, -1).map(heads) as [Tensor, Tensor, Tensor];
    const scale = c.scaleAttnWeights ? 1 / Math.sqrt(D) : 1;
    const settings = { scale, slidingWindow: null, dropout: c.attnPdrop };
    const y = causalSelfAttention(q, k, v, pass.attention(layer, settings)); // [B, T, C]
    return pass.dropout(conv1d(y, c_proj), c.residPdrop); // [B, T, C]
  }

  /** x: [B, T, C] -> [B, T, C] */
  private mlp(x: Tensor, { c_fc, c_proj }: Gpt2Block["mlp"], pass: Pass): Tensor {
    const approximate = this.config.activation === "gelu_new" ? "tanh" : "none";
    const h = gelu(conv1d(x, c_fc), approximate); // [B, T, 4C]
    return pass.dropout(conv1d(h, c_proj), this.config.residPdrop); // [B, T, C]
  }
}

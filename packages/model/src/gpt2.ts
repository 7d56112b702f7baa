// GPT-2 (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners"), the model of
// Hugging Face's GPT2LMHeadModel (modeling_gpt2.py), written the way nanoGPT's model.py reads:
//
//   x = wte[ids] + wpe[positions]
//   for each block:  x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))      (pre-LayerNorm residuals)
//   logits = ln_f(x) @ wteᵀ                                            (tied output embedding)
//
// Each module runs through m(name, x, f) (trace.ts): f(x) itself, plus shapes and time when the
// caller asked for a trace (`llmts generate --trace`).
//
// attn: one fused projection c_attn to q, k, v; causal softmax attention over nHead heads; c_proj.
// mlp:  c_fc to 4·C, GELU with the tanh approximation (activation_function "gelu_new"), c_proj.
// Weights are HF's Conv1D layout [in, out], used as x @ W without transposing.
// Checkpoints name tensors with or without the "transformer." prefix (GPT2Model vs
// GPT2LMHeadModel); the prefix found is kept, so parameters() and saving use the file's names.
// Not here: scale_attn_by_inverse_layer_idx, reorder_and_upcast_attn (numerically equal in f32),
// cross-attention, token-type embeddings.

import {
  dropout,
  embedding,
  gelu,
  intTensor,
  layerNorm,
  matmul,
  noGrad,
  split,
  type Tensor,
} from "@llmts/tensor";
import { causalSelfAttention, requireRng } from "./attention.ts";
import type { Gpt2Config } from "./config.ts";
import { KVCache } from "./kv-cache.ts";
import { type CacheOptions, type CausalLM, checkIds, type ForwardOptions } from "./model.ts";
import { conv1d, type ParamSpec, take } from "./params.ts";
import { moduleRunner } from "./trace.ts";

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

interface Block {
  ln1: [Tensor, Tensor]; // weight, bias [C]
  cAttn: [Tensor, Tensor]; // [C, 3C], [3C]
  attnProj: [Tensor, Tensor]; // [C, C], [C]
  ln2: [Tensor, Tensor];
  cFc: [Tensor, Tensor]; // [C, 4C], [4C]
  mlpProj: [Tensor, Tensor]; // [4C, C], [C]
}

export class Gpt2 implements CausalLM {
  readonly config: Gpt2Config;
  readonly contextLength: number;
  readonly vocabSize: number;
  readonly prefix: Gpt2Prefix;
  private readonly params: Map<string, Tensor>;
  private readonly wte: Tensor; // [V, C]
  private readonly wpe: Tensor; // [contextLength, C]
  private readonly blocks: Block[];
  private readonly lnF: [Tensor, Tensor];
  private readonly lmHead: Tensor; // [V, C]: wte itself when tied

  constructor(config: Gpt2Config, params: Map<string, Tensor>, prefix: Gpt2Prefix) {
    this.config = config;
    this.contextLength = config.contextLength;
    this.vocabSize = config.vocabSize;
    this.prefix = prefix;
    this.params = params;
    const get = (name: string) => take(params, prefix + name);
    const pair = (name: string): [Tensor, Tensor] => [get(`${name}.weight`), get(`${name}.bias`)];
    this.wte = get("wte.weight");
    this.wpe = get("wpe.weight");
    this.blocks = Array.from({ length: config.nLayer }, (_, i) => ({
      ln1: pair(`h.${i}.ln_1`),
      cAttn: pair(`h.${i}.attn.c_attn`),
      attnProj: pair(`h.${i}.attn.c_proj`),
      ln2: pair(`h.${i}.ln_2`),
      cFc: pair(`h.${i}.mlp.c_fc`),
      mlpProj: pair(`h.${i}.mlp.c_proj`),
    }));
    this.lnF = pair("ln_f");
    this.lmHead = config.tieWordEmbeddings ? this.wte : take(params, "lm_head.weight");
  }

  parameters(): Map<string, Tensor> {
    return new Map(this.params);
  }

  newCache(options: CacheOptions = {}): KVCache {
    const c = this.config;
    return new KVCache({
      nLayer: c.nLayer,
      batchSize: options.batchSize ?? 1,
      nKvHead: c.nHead,
      headDim: c.nEmbd / c.nHead,
      maxLength: Math.min(options.maxLength ?? c.contextLength, c.contextLength),
    });
  }

  /** ids: int32 [B, T] -> logits [B, T, V] */
  forward(ids: Tensor, options: ForwardOptions = {}): Tensor {
    // A cache means inference: no graph (the cache's copies are not differentiable anyway).
    return options.cache ? noGrad(() => this.run(ids, options)) : this.run(ids, options);
  }

  private run(ids: Tensor, o: ForwardOptions): Tensor {
    const c = this.config;
    const T = ids.shape[1]!;
    const past = o.cache?.length ?? 0;
    checkIds(ids, c.vocabSize, c.contextLength, past);
    const drop = (x: Tensor, p: number) => (o.training && p > 0 ? dropout(x, p, requireRng(o.rng), true) : x);

    const positions = intTensor(
      Int32Array.from({ length: T }, (_, t) => past + t),
      [T],
    );
    const eps = c.layerNormEps;
    const m = moduleRunner(o.trace); // m(name, x, f) = f(x), timed and recorded with --trace
    // x: [B, T, C] = wte[ids] [B, T, C] + wpe[positions] [T, C]
    let x = m("wte + wpe", ids, (ids) => embedding(this.wte, ids).add(embedding(this.wpe, positions)));
    x = drop(x, c.embdPdrop);
    this.blocks.forEach((block, layer) => {
      // x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))
      const h = `h.${layer}`;
      x = m(h, x, (x) => {
        const a = m(`${h}.ln_1`, x, (x) => ln(x, block.ln1, eps));
        const attn = m(`${h}.attn`, a, (a) => this.attention(block, a, layer, o));
        x = x.add(drop(attn, c.residPdrop));
        const b = m(`${h}.ln_2`, x, (x) => ln(x, block.ln2, eps));
        const mlp = m(`${h}.mlp`, b, (b) => this.mlp(block, b));
        return x.add(drop(mlp, c.residPdrop));
      });
    });
    x = m("ln_f", x, (x) => ln(x, this.lnF, eps)); // [B, T, C]
    if (o.lastOnly) x = x.narrow(1, T - 1, 1); // [B, 1, C]
    const logits = m("lm_head", x, (x) => matmul(x, this.lmHead.transpose(0, 1))); // [B, T, C] @ [C, V] -> [B, T, V]
    o.cache?.advance(T);
    return logits;
  }

  /** x: [B, T, C] -> [B, T, C] */
  private attention(block: Block, x: Tensor, layer: number, o: ForwardOptions): Tensor {
    const c = this.config;
    const [B, T, C] = x.shape as [number, number, number];
    const nHead = c.nHead;
    const D = C / nHead;
    const qkv = conv1d(x, ...block.cAttn); // [B, T, 3C]
    const heads = (t: Tensor) => t.reshape(B, T, nHead, D).transpose(1, 2); // [B, nHead, T, D]
    const [q, k, v] = split(qkv, C, -1).map(heads) as [Tensor, Tensor, Tensor];
    const y = causalSelfAttention(q, k, v, {
      cache: o.cache,
      layer,
      scale: c.scaleAttnWeights ? 1 / Math.sqrt(D) : 1,
      slidingWindow: null,
      dropout: c.attnPdrop,
      training: o.training ?? false,
      rng: o.rng,
    }); // [B, T, C]
    return conv1d(y, ...block.attnProj);
  }

  /** x: [B, T, C] -> [B, T, C] */
  private mlp(block: Block, x: Tensor): Tensor {
    const h = conv1d(x, ...block.cFc); // [B, T, 4C]
    const approximate = this.config.activation === "gelu_new" ? "tanh" : "none";
    return conv1d(gelu(h, approximate), ...block.mlpProj);
  }
}

function ln(x: Tensor, [weight, bias]: [Tensor, Tensor], eps: number): Tensor {
  return layerNorm(x, weight, bias, eps);
}

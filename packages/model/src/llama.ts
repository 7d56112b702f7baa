// Llama (Touvron et al. 2023, "Llama 2"), the model of Hugging Face's LlamaForCausalLM
// (modeling_llama.py); the same code runs Qwen2 (q/k/v biases) and Mistral (sliding window), whose
// HF implementations differ from Llama's only there. The decoder, as in llama2.c's forward():
//
//   x = embed_tokens[ids]
//   for each layer:  x = x + attn(rmsNorm(x));  x = x + mlp(rmsNorm(x))
//   logits = rmsNorm(x) @ lm_headᵀ
//
// Each module runs through m(name, x, f) (trace.ts): f(x) itself, plus shapes and time when the
// caller asked for a trace (`llmts generate --trace`).
//
// attn: q, k, v projections; RoPE on q and k (rope.ts); grouped-query attention (nKvHead K/V heads
//       shared by nHead query heads); o_proj.
// mlp:  SwiGLU (Shazeer 2020): down(silu(gate(x)) * up(x)).
// No biases except where the config says (Qwen2's q/k/v, Llama's attention_bias / mlp_bias).
// Weights are nn.Linear's [out, in], used as x @ Wᵀ through a transposed view.
// Not here: Qwen2's per-layer sliding window (config.ts refuses it), tensor-parallel slicing
// (pretraining_tp), Mistral's rolling-buffer cache (the whole sequence is cached and masked).

import { embedding, noGrad, rmsNorm, silu, type Tensor } from "@llmts/tensor";
import { causalSelfAttention } from "./attention.ts";
import type { LlamaConfig } from "./config.ts";
import { KVCache } from "./kv-cache.ts";
import { type CacheOptions, type CausalLM, checkIds, type ForwardOptions } from "./model.ts";
import { linear, type ParamSpec, take } from "./params.ts";
import { applyRope, RopeTables } from "./rope.ts";
import { moduleRunner } from "./trace.ts";

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

type Linear = [Tensor, Tensor | null]; // weight [out, in], bias [out] or null

interface Layer {
  inputNorm: Tensor; // [H]
  q: Linear; // [nHead * D, H]
  k: Linear; // [nKvHead * D, H]
  v: Linear; // [nKvHead * D, H]
  o: Linear; // [H, nHead * D]
  postNorm: Tensor; // [H]
  gate: Linear; // [I, H]
  up: Linear; // [I, H]
  down: Linear; // [H, I]
}

export class Llama implements CausalLM {
  readonly config: LlamaConfig;
  readonly contextLength: number;
  readonly vocabSize: number;
  private readonly params: Map<string, Tensor>;
  private readonly embedTokens: Tensor; // [V, H]
  private readonly layers: Layer[];
  private readonly norm: Tensor; // [H]
  private readonly lmHead: Tensor; // [V, H]: embedTokens itself when tied
  private readonly rope: RopeTables;

  constructor(config: LlamaConfig, params: Map<string, Tensor>) {
    this.config = config;
    this.contextLength = config.contextLength;
    this.vocabSize = config.vocabSize;
    this.params = params;
    const get = (name: string) => take(params, name);
    const lin = (name: string): Linear => [get(`${name}.weight`), params.get(`${name}.bias`) ?? null];
    this.embedTokens = get("model.embed_tokens.weight");
    this.layers = Array.from({ length: config.nLayer }, (_, i) => {
      const l = `model.layers.${i}.`;
      return {
        inputNorm: get(`${l}input_layernorm.weight`),
        q: lin(`${l}self_attn.q_proj`),
        k: lin(`${l}self_attn.k_proj`),
        v: lin(`${l}self_attn.v_proj`),
        o: lin(`${l}self_attn.o_proj`),
        postNorm: get(`${l}post_attention_layernorm.weight`),
        gate: lin(`${l}mlp.gate_proj`),
        up: lin(`${l}mlp.up_proj`),
        down: lin(`${l}mlp.down_proj`),
      };
    });
    this.norm = get("model.norm.weight");
    this.lmHead = config.tieWordEmbeddings ? this.embedTokens : get("lm_head.weight");
    this.rope = new RopeTables(config.headDim, config.ropeTheta, config.ropeScaling, config.contextLength);
  }

  parameters(): Map<string, Tensor> {
    return new Map(this.params);
  }

  newCache(options: CacheOptions = {}): KVCache {
    const c = this.config;
    return new KVCache({
      nLayer: c.nLayer,
      batchSize: options.batchSize ?? 1,
      nKvHead: c.nKvHead,
      headDim: c.headDim,
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
    checkIds(ids, c.vocabSize, c.contextLength, o.cache?.length ?? 0);
    const eps = c.rmsNormEps;
    const m = moduleRunner(o.trace); // m(name, x, f) = f(x), timed and recorded with --trace
    let x = m("embed_tokens", ids, (ids) => embedding(this.embedTokens, ids)); // [B, T, H]
    this.layers.forEach((layer, i) => {
      // x = x + self_attn(input_layernorm(x));  x = x + mlp(post_attention_layernorm(x))
      const l = `layers.${i}`;
      x = m(l, x, (x) => {
        const a = m(`${l}.input_layernorm`, x, (x) => rmsNorm(x, layer.inputNorm, eps));
        x = x.add(m(`${l}.self_attn`, a, (a) => this.attention(layer, a, i, o)));
        const b = m(`${l}.post_attention_layernorm`, x, (x) => rmsNorm(x, layer.postNorm, eps));
        return x.add(m(`${l}.mlp`, b, (b) => this.mlp(layer, b)));
      });
    });
    x = m("norm", x, (x) => rmsNorm(x, this.norm, eps)); // [B, T, H]
    if (o.lastOnly) x = x.narrow(1, T - 1, 1); // [B, 1, H]
    const logits = m("lm_head", x, (x) => linear(x, this.lmHead, null)); // [B, T, V]
    o.cache?.advance(T);
    return logits;
  }

  /** x: [B, T, H] -> [B, T, H] */
  private attention(layer: Layer, x: Tensor, i: number, o: ForwardOptions): Tensor {
    const c = this.config;
    const [B, T] = x.shape as [number, number, number];
    const D = c.headDim;
    const start = o.cache?.length ?? 0; // position of the first token of this call
    const heads = (t: Tensor, n: number) => t.reshape(B, T, n, D).transpose(1, 2); // [B, n, T, D]
    const q = applyRope(heads(linear(x, ...layer.q), c.nHead), this.rope, start); // [B, nHead, T, D]
    const k = applyRope(heads(linear(x, ...layer.k), c.nKvHead), this.rope, start); // [B, nKvHead, T, D]
    const v = heads(linear(x, ...layer.v), c.nKvHead); // [B, nKvHead, T, D]
    const y = causalSelfAttention(q, k, v, {
      cache: o.cache,
      layer: i,
      scale: 1 / Math.sqrt(D),
      slidingWindow: c.slidingWindow,
      dropout: c.attentionDropout,
      training: o.training ?? false,
      rng: o.rng,
    }); // [B, T, nHead * D]
    return linear(y, ...layer.o);
  }

  /** SwiGLU. x: [B, T, H] -> [B, T, H] */
  private mlp(layer: Layer, x: Tensor): Tensor {
    const gate = silu(linear(x, ...layer.gate)); // [B, T, I]
    const up = linear(x, ...layer.up); // [B, T, I]
    return linear(gate.mul(up), ...layer.down); // [B, T, H]
  }
}

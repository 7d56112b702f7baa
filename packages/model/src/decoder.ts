// The body every decoder-only language model here shares, written once:
//
//   x = embed(ids)                          token (and, for GPT-2, position) embeddings   [B, T, C]
//   for each block:  x = block(x)           the architecture's block, reading its modules [B, T, C]
//   x = finalNorm(x)                        the final norm                                [B, T, C]
//   logits = x @ lm_headᵀ                   tied to the embedding or not                  [B, T, V]
//
// plus what goes around it: the check on ids, positions and KV-cache slots (pass.ts), noGrad
// under a cache, lastOnly, advancing the cache, parameters(), newCache(), the module tracer
// (trace.ts), and rerunning a cached sequence whose keys went stale (recomputesPrefix: Phi-3's
// LongRoPE). An architecture (gpt2.ts, llama.ts, ...) extends Decoder and supplies only what differs:
// its embedding, its block's modules (parts) and how the block composes them, its final norm, and
// its K/V head shape. A new family — q/k norms, four norms per block, a parallel residual, fused
// projections — is a new subclass, not a copy of this loop.
// Not here: attention (attention.ts), the parameter lists and their HF names (the architecture
// files), loading (load.ts).
// Reference: HF `GPT2Model.forward` / `LlamaModel.forward`; nanoGPT `GPT.forward`.

import { concat, intTensor, noGrad, Tensor } from "@llmts/tensor";
import type { ModelConfig } from "./config.ts";
import { KVCache } from "./kv-cache.ts";
import { type Linear, linear } from "./layers.ts";
import { type CacheOptions, type CausalLM, checkIds, type ForwardOptions } from "./model.ts";
import type { Weight } from "./params.ts";
import { Pass } from "./pass.ts";
import { type Module, tracer } from "./trace.ts";

/** The names a trace shows for the top-level modules (HF's, without the model prefix). */
export interface ModuleNames {
  embed: string; // "wte + wpe", "embed_tokens"
  blocks: string; // block i is `${blocks}.${i}`: "h", "layers"
  norm: string; // "ln_f", "norm"
}

export abstract class Decoder<Block, Parts extends Record<string, Module>> implements CausalLM {
  readonly config: ModelConfig;
  readonly contextLength: number;
  readonly vocabSize: number;
  private readonly params: Map<string, Weight>;
  protected abstract readonly names: ModuleNames;
  protected abstract readonly blocks: readonly Block[];
  /** The output projection: weight [V, C] (the token embedding itself when tied), no bias. */
  protected abstract readonly lmHead: Linear;
  /** K/V heads and their size, for the cache: { nKvHead, headDim }. */
  protected abstract readonly kvShape: { nKvHead: number; headDim: number };

  /** ids [B, T] -> x [B, T, C] */
  protected abstract embed(ids: Tensor, pass: Pass): Tensor;
  /** Block `layer`'s modules for this pass, by their HF names (ln_1, attn, ...). */
  protected abstract parts(block: Block, layer: number, pass: Pass): Parts;
  /** How the block composes its modules. x: [B, T, C] -> [B, T, C] */
  protected abstract block(x: Tensor, parts: Parts): Tensor;
  /** The final norm. x: [B, T, C] -> [B, T, C] */
  protected abstract finalNorm(x: Tensor): Tensor;

  constructor(config: ModelConfig, params: Map<string, Weight>) {
    this.config = config;
    this.contextLength = config.contextLength;
    this.vocabSize = config.vocabSize;
    this.params = params;
  }

  parameters(): Map<string, Tensor> {
    const floats = new Map<string, Tensor>();
    for (const [name, w] of this.params) if (w instanceof Tensor) floats.set(name, w);
    return floats;
  }

  weights(): Map<string, Weight> {
    return new Map(this.params);
  }

  newCache(options: CacheOptions = {}): KVCache {
    return new KVCache({
      nLayer: this.blocks.length,
      batchSize: options.batchSize ?? 1,
      ...this.kvShape,
      maxLength: Math.min(options.maxLength ?? this.contextLength, this.contextLength),
      allocate: options.allocate,
    });
  }

  /**
   * Must a pass over T new tokens after `past` cached ones first recompute the cached ones? Only
   * when their keys depend on how long the sequence gets (Phi-3's LongRoPE); never by default.
   */
  protected recomputesPrefix(_past: number, _T: number): boolean {
    return false;
  }

  /** ids: int32 [B, T] -> logits [B, T, V] */
  forward(ids: Tensor, options: ForwardOptions = {}): Tensor {
    // A cache means inference: no graph (the cache's copies are not differentiable anyway).
    const cache = options.cache;
    return cache ? noGrad(() => this.runCached(ids, options, cache)) : this.run(ids, options);
  }

  /**
   * A pass with a cache. Rows whose cached keys went stale (recomputesPrefix) run again from their
   * first token: the slot is emptied and refilled with its stored tokens followed by the new ones,
   * and only the new positions' logits are kept. Then the batch goes row by row (a rare path: once
   * per sequence, when it crosses the threshold).
   */
  private runCached(ids: Tensor, o: ForwardOptions, cache: KVCache): Tensor {
    const [B, T] = ids.shape as [number, number];
    const slots = cache.slotsFor(B, o.slots);
    const stale = slots.map((slot) => this.recomputesPrefix(cache.length(slot), T));
    if (!stale.includes(true)) return this.run(ids, o);
    checkIds(ids, this.vocabSize);
    const data = ids.dataSync();
    const rows = slots.map((slot, b) => {
      let row = Array.from(data.subarray(b * T, (b + 1) * T));
      if (stale[b]) {
        row = [...cache.tokens(slot), ...row]; // the whole sequence, from position 0
        cache.reset(slot);
      }
      const y = this.run(intTensor(Int32Array.from(row), [1, row.length]), { ...o, slots: [slot] });
      return o.lastOnly ? y : y.narrow(1, row.length - T, T); // [1, T, V]: the new positions
    });
    return rows.length === 1 ? rows[0]! : concat(rows, 0); // [B, T, V]
  }

  private run(ids: Tensor, o: ForwardOptions): Tensor {
    checkIds(ids, this.vocabSize);
    const pass = new Pass(ids, o, this.contextLength); // positions and cache slots of the rows
    const t = tracer(o.trace); // hands modules back as they are, or wrapped in a recorder
    const { embed, blocks, norm } = this.names;
    let x = t.module(embed, (ids) => this.embed(ids, pass))(ids); // [B, T, C]
    this.blocks.forEach((block, i) => {
      const parts = t.modules(`${blocks}.${i}`, this.parts(block, i, pass));
      x = t.module(`${blocks}.${i}`, (x) => this.block(x, parts))(x); // [B, T, C]
    });
    x = t.module(norm, (x) => this.finalNorm(x))(x); // [B, T, C]
    if (o.lastOnly) x = x.narrow(1, pass.T - 1, 1); // [B, 1, C]
    const logits = t.module("lm_head", (x) => linear(x, this.lmHead))(x); // [B, T, C] @ [C, V] -> [B, T, V]
    pass.advanceCache();
    return logits;
  }
}

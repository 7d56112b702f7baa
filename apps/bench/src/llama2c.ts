// llama2.c as a peer in the same run: build Karpathy's run.c from the team's copy of its sources
// (PEER_DIR: $LLMTS_LLAMA2C_DIR, else the shared peers folder beside the checkout) into a temporary directory, write our model's weights in its checkpoint format, run it greedy, and read
// back its text and its tok/s.
//
//   buildLlama2c(dir)                  gcc -O3 (run), -Ofast -march=native (runfast), + -fopenmp (runomp)
//   writeLlama2cCheckpoint(path, ...)  the legacy (v0) format run.c reads, from its documented layout
//   runLlama2c(binary, ...)            `./run model.bin -z tokenizer.bin -t 0 -n 256 -i ""`
//   llama2cText(ids, vocab)            our greedy ids printed the way run.c prints its tokens
//
// The checkpoint (the peer's README, from run.c / export.py): 7 int32 `dim, hidden_dim, n_layers,
// n_heads, n_kv_heads, vocab_size, seq_len` (vocab_size > 0: the classifier is the embedding), then
// float32 token_embedding [V, dim]; rms_att [L, dim]; wq [L, dim, dim]; wk, wv [L, kvDim, dim];
// wo [L, dim, dim]; rms_ffn [L, dim]; w1 [L, hidden, dim]; w2 [L, dim, hidden]; w3 [L, hidden, dim];
// rms_final [dim]; two RoPE tables [seq_len, headDim / 2] that run.c skips.
// RoPE: run.c rotates interleaved pairs (x[2i], x[2i+1]); Hugging Face (our layout) rotates halves,
// so HF's q_proj / k_proj rows are llama2.c's permuted (export.py's permute()): within each head,
// HF row a·D/2 + i holds llama2.c row 2i + a. Writing undoes it.
// Not here: timing policy (decode.ts), llama2.c's code (never copied: it is built where it lies).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LlamaConfig } from "@llmts/model";
import type { Tensor } from "@llmts/tensor";

/** Where llama2.c's sources lie: run.c, runq.c, tokenizer.bin (the bench builds them, never copies them). */
export const PEER_DIR = process.env.LLMTS_LLAMA2C_DIR ?? "/work/shared/peers/llama2.c";

/** The binaries the decode section runs, with the gcc flags of the peer's README. */
export const BUILDS = {
  run: ["-O3"],
  runfast: ["-Ofast", "-march=native"],
  runomp: ["-Ofast", "-fopenmp", "-march=native"],
} as const;
export type Llama2cBuild = keyof typeof BUILDS;

/** Builds run / runfast / runomp into `dir`; returns why not (no gcc, no peer sources) or null. */
export function buildLlama2c(dir: string): string | null {
  if (!existsSync(join(PEER_DIR, "run.c"))) return `${PEER_DIR}/run.c not found`;
  for (const [name, flags] of Object.entries(BUILDS)) {
    try {
      execFileSync("gcc", [...flags, "-o", join(dir, name), join(PEER_DIR, "run.c"), "-lm"], {
        stdio: "pipe",
      });
    } catch (error) {
      return `gcc ${flags.join(" ")} failed: ${String((error as Error).message).split("\n")[0]}`;
    }
  }
  return null;
}

/** HF q_proj / k_proj [nHeads·D, dim] -> llama2.c's row order (interleaved RoPE pairs). */
function unpermute(w: Float32Array, nHeads: number, D: number, dim: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let h = 0; h < nHeads; h++) {
    for (let a = 0; a < 2; a++) {
      for (let i = 0; i < D / 2; i++) {
        const from = (h * D + a * (D / 2) + i) * dim;
        out.set(w.subarray(from, from + dim), (h * D + 2 * i + a) * dim);
      }
    }
  }
  return out;
}

/** Writes a tied-embedding Llama (HF names) in llama2.c's legacy format. */
export function writeLlama2cCheckpoint(path: string, c: LlamaConfig, params: Map<string, Tensor>): void {
  const get = (name: string) => params.get(name)!.dataSync() as Float32Array;
  const L = c.nLayer;
  const layers = (suffix: string, fix?: (w: Float32Array) => Float32Array) =>
    Array.from({ length: L }, (_, i) => {
      const w = get(`model.layers.${i}.${suffix}`);
      return fix ? fix(w) : w;
    });
  const D = c.headDim;
  const header = new Int32Array([
    c.hiddenSize,
    c.intermediateSize,
    L,
    c.nHead,
    c.nKvHead,
    c.vocabSize, // positive: the classifier is the token embedding (tied)
    c.contextLength,
  ]);
  const parts: ArrayBufferView[] = [
    header,
    get("model.embed_tokens.weight"),
    ...layers("input_layernorm.weight"),
    ...layers("self_attn.q_proj.weight", (w) => unpermute(w, c.nHead, D, c.hiddenSize)),
    ...layers("self_attn.k_proj.weight", (w) => unpermute(w, c.nKvHead, D, c.hiddenSize)),
    ...layers("self_attn.v_proj.weight"),
    ...layers("self_attn.o_proj.weight"),
    ...layers("post_attention_layernorm.weight"),
    ...layers("mlp.gate_proj.weight"),
    ...layers("mlp.down_proj.weight"),
    ...layers("mlp.up_proj.weight"),
    get("model.norm.weight"),
    new Float32Array(c.contextLength * D), // freq_cis_real and freq_cis_imag: skipped by run.c
  ];
  writeFileSync(path, Buffer.concat(parts.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength))));
}

export interface Llama2cRun {
  tokensPerSecond: number;
  text: string;
}

/** Runs a built binary greedy for `steps` positions from BOS; threads sets OMP_NUM_THREADS. */
export function runLlama2c(binary: string, checkpoint: string, steps: number, threads: number): Llama2cRun {
  const child = spawnSync(
    binary,
    [checkpoint, "-z", join(PEER_DIR, "tokenizer.bin"), "-t", "0", "-n", String(steps), "-i", ""],
    { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: String(threads) }, maxBuffer: 1 << 24 },
  );
  const match = /achieved tok\/s: ([\d.]+)/.exec(child.stderr ?? "");
  if (child.status !== 0 || !match) {
    throw new Error(`${binary} failed (exit ${child.status}): ${(child.stderr ?? "").trim().split("\n")[0]}`);
  }
  return { tokensPerSecond: Number(match[1]), text: child.stdout.replace(/\n$/, "") };
}

/** tokenizer.bin's pieces: int32 max_token_length, then per piece float32 score, int32 length, bytes. */
export function readLlama2cVocab(vocabSize: number): Uint8Array[] {
  const bytes = readFileSync(join(PEER_DIR, "tokenizer.bin"));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pieces: Uint8Array[] = [];
  let at = 4;
  for (let i = 0; i < vocabSize; i++) {
    const length = view.getInt32(at + 4, true);
    pieces.push(bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  return pieces;
}

/**
 * What run.c prints for a greedy sequence starting at BOS (id 1): after BOS a leading space is
 * dropped, "<0xXX>" pieces are that byte, and a lone byte that is neither printable nor
 * whitespace is skipped (its safe_printf).
 */
export function llama2cText(ids: readonly number[], vocab: readonly Uint8Array[]): string {
  const out: number[] = [];
  let previous = 1;
  for (const id of ids) {
    let piece = vocab[id]!;
    if (previous === 1 && piece[0] === 0x20) piece = piece.subarray(1);
    const raw = /^<0x([0-9A-F]{2})>$/.exec(Buffer.from(piece).toString("latin1"));
    if (raw) piece = Uint8Array.of(Number.parseInt(raw[1]!, 16));
    const printable = (b: number) => (b >= 0x20 && b < 0x7f) || (b >= 0x09 && b <= 0x0d);
    if (!(piece.length === 1 && !printable(piece[0]!))) out.push(...piece);
    previous = id;
  }
  return Buffer.from(out).toString("utf8");
}

// llama2.c's `runq` (int8 weights and activations, groups of 32) as a peer for quantized decoding:
// built from runq.c in llama2.c's sources (PEER_DIR, llama2c.ts) with gcc into a temporary directory (one thread,
// and with OpenMP), fed the same
// int8 weights our Q8_0 model holds (the quants of each ggml block as they are, its f16 scale as
// runq's f32 group scale: the same values), and timed by its own "achieved tok/s" line.
//
//   runq checkpoint v2 (llama2.c export.py version2_export):
//     header (256 bytes): uint32 magic "ak42", int32 version 2, int32 dim, hidden_dim, n_layers,
//       n_heads, n_kv_heads, vocab_size, seq_len, uint8 shared_classifier, int32 group_size
//     f32 rms_att_weight [layers, dim], rms_ffn_weight [layers, dim], rms_final_weight [dim]
//     then each quantized tensor as int8 q [numel] followed by f32 s [numel / 32]: token
//     embedding, wq, wk, wv, wo, w1 (gate), w2 (down), w3 (up) for every layer, classifier
//       if not shared
// q/k rows come from the GGUF file, where they are already in Meta's interleaved order, which is
// the order runq's RoPE expects.
// Not here: our own measurement (quant.ts).
// Reference: karpathy/llama2.c runq.c (read_checkpoint, memory_map_weights), export.py.

import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type GgufTensor, toFloat32 } from "@llmts/gguf";
import { openGguf } from "@llmts/gguf/node";
import { PEER_DIR as PEER } from "./llama2c.ts";

/**
 * Builds runq with gcc -Ofast -march=native into `dir`: `runq` (one thread) and `runq-omp`
 * (-fopenmp: OMP_NUM_THREADS threads). The binaries, or why not.
 */
export function buildRunq(dir: string): { single: string; omp: string } | { error: string } {
  const source = join(PEER, "runq.c");
  if (!existsSync(source)) return { error: `${source} not found` };
  const build = (out: string, extra: string[]) =>
    spawnSync("gcc", ["-Ofast", "-march=native", ...extra, "-o", join(dir, out), source, "-lm"], {
      encoding: "utf8",
    });
  for (const [out, extra] of [
    ["runq", []],
    ["runq-omp", ["-fopenmp"]],
  ] as const) {
    const r = build(out, [...extra]);
    if (r.status !== 0) return { error: `gcc failed: ${(r.stderr || String(r.error)).split("\n")[0]}` };
  }
  return { single: join(dir, "runq"), omp: join(dir, "runq-omp") };
}

/** A Q8_0 tensor as runq's int8 q followed by f32 scales (same values: q as stored, d widened). */
function runqTensor(t: GgufTensor): Uint8Array[] {
  if (t.type !== "Q8_0") throw new Error(`runq export: expected Q8_0, got ${t.type}`);
  const blocks = t.data.length / 34;
  const q = new Uint8Array(blocks * 32);
  const scales = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    scales[b] = toFloat32({ type: "F16", shape: [1], data: t.data.subarray(b * 34, b * 34 + 2) })[0]!;
    q.set(t.data.subarray(b * 34 + 2, b * 34 + 34), b * 32);
  }
  return [q, new Uint8Array(scales.buffer)];
}

/** Writes a Llama Q8_0 GGUF file (ours) as a runq checkpoint. */
export function writeRunqCheckpoint(gguf: string, out: string): void {
  const f = openGguf(gguf);
  try {
    const num = (key: string) => Number(f.metadata.get(`llama.${key}`)?.value);
    const layers = num("block_count");
    const embd = f.info("token_embd.weight");
    const shared = !f.has("output.weight");
    const header = new DataView(new ArrayBuffer(256));
    header.setUint32(0, 0x616b3432, true);
    header.setInt32(4, 2, true);
    const params = [
      num("embedding_length"),
      num("feed_forward_length"),
      layers,
      num("attention.head_count"),
      num("attention.head_count_kv"),
      embd.shape[0]!,
      num("context_length"),
    ];
    for (let i = 0; i < params.length; i++) header.setInt32(8 + 4 * i, params[i]!, true);
    header.setUint8(36, shared ? 1 : 0);
    header.setInt32(37, 32, true);
    const parts: Uint8Array[] = [new Uint8Array(header.buffer)];
    const f32 = (name: string) => parts.push(new Uint8Array(toFloat32(f.read(name)).buffer));
    for (let l = 0; l < layers; l++) f32(`blk.${l}.attn_norm.weight`);
    for (let l = 0; l < layers; l++) f32(`blk.${l}.ffn_norm.weight`);
    f32("output_norm.weight");
    parts.push(...runqTensor(f.read("token_embd.weight")));
    for (const m of ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_down", "ffn_up"]) {
      for (let l = 0; l < layers; l++) parts.push(...runqTensor(f.read(`blk.${l}.${m}.weight`)));
    }
    if (!shared) parts.push(...runqTensor(f.read("output.weight")));
    writeFileSync(out, Buffer.concat(parts));
  } finally {
    f.close();
  }
}

/** runq's own decode tok/s for `steps` positions (greedy), and its peak RSS when /usr/bin/time exists. */
export function runRunq(bin: string, checkpoint: string, steps: number, threads: number) {
  const args = [checkpoint, "-z", join(PEER, "tokenizer.bin"), "-n", String(steps), "-t", "0"];
  const timed = existsSync("/usr/bin/time");
  const r = spawnSync(timed ? "/usr/bin/time" : bin, timed ? ["-f", "peak-rss-kb %M", bin, ...args] : args, {
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  const rate = /achieved tok\/s: ([\d.]+)/.exec(r.stderr + r.stdout);
  if (r.status !== 0 || rate === null) throw new Error(`runq failed: ${r.stderr.split("\n")[0]}`);
  const rss = /peak-rss-kb (\d+)/.exec(r.stderr);
  return { tokensPerSecond: Number(rate[1]), peakRssBytes: rss ? Number(rss[1]) * 1024 : null };
}

// Matmul GFLOP/s: our reference and fast kernels next to TensorFlow.js's pure-JS `cpu` backend,
// in one process, at square sizes and at the matrix-vector shape of one decoding step of a
// stories15M-sized model ([1, 288] x [288, 768]).
// GFLOP/s = 2·M·K·N / seconds (one multiply and one add per term). Each case runs once to warm
// up, then repeats until ~0.6 s have passed; the table shows the mean over the repeats.
// Not here: threads (our kernels are single-threaded; see packages/tensor/README.md), wasm.
// Goal (issue 2): fast ≥ 3× tfjs-cpu at 256² and above.

import {
  fastBackend,
  matmul,
  noGrad,
  Rng,
  randn,
  referenceBackend,
  setBackend,
  type Tensor,
} from "@llmts/tensor";
import * as tf from "@tensorflow/tfjs";
import { describeMachine } from "./machine.ts";
import type { BenchSection } from "./report.ts";

const SHAPES: { label: string; M: number; K: number; N: number }[] = [
  { label: "64²", M: 64, K: 64, N: 64 },
  { label: "256²", M: 256, K: 256, N: 256 },
  { label: "1024²", M: 1024, K: 1024, N: 1024 },
  { label: "[1,288]×[288,768]", M: 1, K: 288, N: 768 },
];

/** Mean seconds per call of `fn` after one warm-up call. */
function time(fn: () => void, budgetSeconds = 0.6): number {
  fn();
  let reps = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetSeconds * 1000 || reps < 2) {
    fn();
    reps++;
    elapsed = performance.now() - start;
  }
  return elapsed / 1000 / reps;
}

function ours(a: Tensor, b: Tensor, backend: typeof fastBackend): () => void {
  return () => {
    const previous = setBackend(backend);
    noGrad(() => matmul(a, b));
    setBackend(previous);
  };
}

export async function run(): Promise<BenchSection> {
  await tf.setBackend("cpu");
  await tf.ready();
  const rows: string[] = [];
  for (const { label, M, K, N } of SHAPES) {
    const rng = new Rng(1);
    const a = randn([M, K], rng);
    const b = randn([K, N], rng);
    const ta = tf.tensor2d(a.dataSync() as Float32Array, [M, K]);
    const tb = tf.tensor2d(b.dataSync() as Float32Array, [K, N]);
    const flops = 2 * M * K * N;
    const gflops = (seconds: number) => flops / seconds / 1e9;
    // The reference triple loop at 1024² takes seconds per call: one timed call is enough.
    const reference = gflops(time(ours(a, b, referenceBackend), M >= 1024 ? 0 : 0.6));
    const fast = gflops(time(ours(a, b, fastBackend)));
    const tfjs = gflops(
      time(() => {
        const c = tf.matMul(ta, tb);
        c.dataSync();
        c.dispose();
      }),
    );
    ta.dispose();
    tb.dispose();
    rows.push(
      `| ${label} | ${reference.toFixed(2)} | ${fast.toFixed(2)} | ${tfjs.toFixed(2)} | ${(fast / tfjs).toFixed(1)}× |`,
    );
    console.error(
      `matmul ${label}: reference ${reference.toFixed(2)}, fast ${fast.toFixed(2)}, tfjs-cpu ${tfjs.toFixed(2)}`,
    );
  }
  const machine = describeMachine();
  const markdown = [
    `Single-threaded float32 matmul on ${machine.cpu} (${machine.cores} cores), GFLOP/s (higher is better).`,
    "`reference` is the plain triple loop (packages/tensor/src/backend/reference.ts); `fast` is the",
    "cache-blocked, 4×4 register-tiled kernel with its matrix-vector path",
    "(packages/tensor/src/backend/fast-matmul.ts); `tfjs-cpu` is @tensorflow/tfjs 4.22's pure-JS",
    "`cpu` backend (`tf.matMul` + `dataSync()`). Goal: fast ≥ 3× tfjs-cpu at 256² and above.",
    "",
    "| shape | reference | fast | tfjs-cpu | fast / tfjs-cpu |",
    "|---|---:|---:|---:|---:|",
    ...rows,
  ].join("\n");
  return { title: "Matmul GFLOP/s", command: "pnpm bench --only matmul", markdown };
}

// The products the browser test checks, shared by its page and its worker: each runs on the
// backend set now and on the reference, and reports the worst error relative to √K·(1 + |C|)
// (the wasm kernels sum in float32, the reference in float64; see wasm-kernels.test.ts).
// Not here: the test itself (../browser.test.ts).

import { matmul, noGrad, Rng, randn, referenceBackend, setBackend, type Tensor } from "@llmts/tensor";

export interface Product {
  label: string;
  run: () => Tensor;
  K: number;
}

/** A [M, K] @ B, with B = W [N, K] read transposed (nn.Linear) or W [K, N] (Conv1D). */
export function product(M: number, K: number, N: number, transposed: boolean, seed: number): Product {
  const rng = new Rng(seed);
  const a = randn([M, K], rng);
  const w = transposed ? randn([N, K], rng) : randn([K, N], rng);
  const b = transposed ? w.transpose(0, 1) : w;
  return {
    label: `[${M}, ${K}] @ [${K}, ${N}]${transposed ? "ᵀ" : ""}`,
    run: () => noGrad(() => matmul(a, b)),
    K,
  };
}

/** Worst |got − want| / (√K·(1 + |want|)) of this product on the current backend. */
export function errorAgainstReference(p: Product): number {
  const got = p.run().dataSync();
  const previous = setBackend(referenceBackend);
  const want = p.run().dataSync();
  setBackend(previous);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i]! - want[i]!) / (Math.sqrt(p.K) * (1 + Math.abs(want[i]!)));
    worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : Math.max(worst, e);
  }
  return worst;
}

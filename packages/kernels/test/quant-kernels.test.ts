// The quantized products (x @ Wᵀ with W in Q8_0 / Q4_0 blocks) against their twins:
//   - wasm (quant.wat) against the JS twin of the same algorithm (js/quantized.ts): x quantized
//     per block to int16, exact integer block sums; the two differ only in how float sums are
//     ordered (wasm: four f32 lanes; JS: float64), so 1e-5 relative to Σ|x||w|.
//   - the JS twin against @llmts/tensor's reference (dequantize, then the plain dot with float
//     x): they differ by the activations' quantization error, at most d_x/2 per element, so
//     |Δy| <= Σ_blocks d_x/2 · Σ_{k in block} |w_k| — checked as that bound, per output.
// Weights are quantized by @llmts/gguf (ggml's bytes, checked against gguf-py in its own tests).
import { quantize } from "@llmts/gguf";
import {
  dequantizeRow,
  matmulQuantizedReference,
  QUANT_BLOCK,
  QuantizedMatrix,
  type QuantType,
  Rng,
} from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { matmulQuantizedJs, quantizeActivations } from "../src/js/quantized.ts";
import {
  autoBackend,
  configureBackend,
  kernelCounts,
  resetKernelCounts,
  unpinWeights,
} from "../src/node/index.ts";
import { matmulQuantizedWasm, residentQuantizedCount } from "../src/wasm/quantized.ts";
import { setWorkerCount } from "../src/wasm/workers.ts";

function normals(n: number, rng: Rng, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

function weight(
  type: QuantType,
  N: number,
  K: number,
  seed: number,
): { w: QuantizedMatrix; f: Float32Array } {
  const f = normals(N * K, new Rng(seed), 0.05);
  return { w: new QuantizedMatrix(type, [N, K], quantize(f, type)), f };
}

type Kernel = typeof matmulQuantizedJs;
function run(kernel: Kernel, x: Float32Array, M: number, w: QuantizedMatrix): Float32Array {
  const out = new Float32Array(M * w.rows);
  kernel({ M, N: w.rows, x, w, out });
  return out;
}

// Odd shapes: rows not a multiple of 4, one block per row, M = 1 (decoding) and M > 1 (prefill).
const SHAPES: [number, number, number][] = [
  [1, 1, 32],
  [1, 7, 64],
  [3, 13, 96],
  [1, 130, 320],
  [5, 67, 1024],
];

describe.each(["Q8_0", "Q4_0"] as const)("%s products", (type) => {
  it("on the wasm kernel equal the JS twin's on odd shapes", () => {
    SHAPES.forEach(([M, N, K], s) => {
      const { w } = weight(type, N, K, s + 1);
      const x = normals(M * K, new Rng(100 + s));
      const got = run(matmulQuantizedWasm, x, M, w);
      const want = run(matmulQuantizedJs, x, M, w);
      const scale = K * 0.05 * 3;
      for (let i = 0; i < want.length; i++) {
        expect(Math.abs(got[i]! - want[i]!), `[${M}, ${N}, ${K}] element ${i}`).toBeLessThan(1e-5 * scale);
      }
    });
  });

  it("stay within the activations' quantization error of the reference (float x)", () => {
    const [M, N, K] = [3, 21, 256];
    const { w } = weight(type, N, K, 7);
    const x = normals(M * K, new Rng(8));
    const twin = run(matmulQuantizedJs, x, M, w);
    const reference = run(matmulQuantizedReference, x, M, w);
    const { d } = quantizeActivations(x, M, K);
    const blocks = K / QUANT_BLOCK;
    const row = new Float32Array(K);
    let differing = 0;
    for (let n = 0; n < N; n++) {
      dequantizeRow(w, n, row);
      for (let i = 0; i < M; i++) {
        let bound = 1e-6; // Σ_b d_x[i, b]/2 · Σ_{k in b} |W[n, k]|, plus float rounding
        for (let k = 0; k < K; k++)
          bound += (d[i * blocks + Math.floor(k / QUANT_BLOCK)]! / 2) * Math.abs(row[k]!);
        const err = Math.abs(twin[i * N + n]! - reference[i * N + n]!);
        expect(err, `y[${i}, ${n}]`).toBeLessThanOrEqual(bound);
        differing += err > 0 ? 1 : 0;
      }
    }
    expect(differing).toBeGreaterThan(0); // x really was quantized
  });

  it("split across worker threads give the one-thread values exactly", () => {
    const { w } = weight(type, 515, 768, 9);
    const rng = new Rng(10);
    const x1 = normals(768, rng);
    const x4 = normals(4 * 768, rng);
    const single = [run(matmulQuantizedWasm, x1, 1, w), run(matmulQuantizedWasm, x4, 4, w)];
    try {
      setWorkerCount(1);
      expect(run(matmulQuantizedWasm, x1, 1, w)).toEqual(single[0]);
      expect(run(matmulQuantizedWasm, x4, 4, w)).toEqual(single[1]);
    } finally {
      setWorkerCount(0);
    }
  });
});

describe("quantized weights in wasm memory", () => {
  it("are copied in once, reused by later products, and released by unpinWeights", () => {
    unpinWeights();
    const { w } = weight("Q8_0", 8, 64, 11);
    const x = normals(64, new Rng(12));
    const first = run(matmulQuantizedWasm, x, 1, w);
    expect(residentQuantizedCount()).toBe(1);
    expect(run(matmulQuantizedWasm, x, 1, w)).toEqual(first);
    expect(residentQuantizedCount()).toBe(1);
    unpinWeights();
    expect(residentQuantizedCount()).toBe(0);
    expect(run(matmulQuantizedWasm, x, 1, w)).toEqual(first); // copied in again
  });

  it("give zeros, not NaN, for zero activations and all-zero blocks", () => {
    const w = new QuantizedMatrix("Q4_0", [5, 64], new Uint8Array(5 * 2 * 18));
    expect(Array.from(run(matmulQuantizedWasm, new Float32Array(64), 1, w))).toEqual([0, 0, 0, 0, 0]);
    const { w: nonzero } = weight("Q8_0", 5, 64, 13);
    expect(Array.from(run(matmulQuantizedWasm, new Float32Array(64), 1, nonzero))).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("auto's choice for quantized products", () => {
  it("runs the JS twin below 4096 multiply-adds and the wasm kernel from there", () => {
    configureBackend({ backend: "auto", threads: 1 });
    resetKernelCounts();
    const small = weight("Q8_0", 4, 32, 14).w;
    const large = weight("Q4_0", 64, 128, 15).w;
    autoBackend.matmulQuantized({
      M: 1,
      N: 4,
      x: normals(32, new Rng(1)),
      w: small,
      out: new Float32Array(4),
    });
    autoBackend.matmulQuantized({
      M: 1,
      N: 64,
      x: normals(128, new Rng(1)),
      w: large,
      out: new Float32Array(64),
    });
    expect(Object.fromEntries(kernelCounts())).toEqual({
      "matmulQuantized js": 1,
      "matmulQuantized wasm Q4_0": 1,
    });
  });
});

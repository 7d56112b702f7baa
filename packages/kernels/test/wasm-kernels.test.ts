// The wasm SIMD, auto and gpu.js matmuls against the reference triple loop (llm.c's
// matmul_forward vs _naive check): random shapes with sizes that do not divide the 4x8 tile or
// the 256-deep K slice, transposed and offset operands, the matrix-vector kernels in both
// weight layouts with and without pinning, K > 1000 (gpu.js's silent loop cap), and worker
// threads against one thread.
// Tolerance: the wasm kernels accumulate in float32 (the reference in float64), so the error
// grows like ε·√K·|a||b|; 2e-5·√K is ~10x the worst seen.

import {
  causalAttention,
  getBackend,
  type MatmulParams,
  matmul,
  noGrad,
  Rng,
  randn,
  referenceBackend,
  setBackend,
} from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import {
  autoBackend,
  configureBackend,
  describeBackend,
  gpujsBackend,
  gpujsKernelCount,
  jsBackend,
  KERNEL_CACHE_SIZE,
  kernelCounts,
  pinWeights,
  resetKernelCounts,
  unpinWeights,
  wasmBackend,
} from "../src/node/index.ts";
import { matmulWasm } from "../src/wasm/matmul.ts";
import { wasmAddress } from "../src/wasm/memory.ts";
import { pinArrays, pinnedFloat32, unpinArrays } from "../src/wasm/pinned.ts";
import { setWorkerCount } from "../src/wasm/workers.ts";

type Kernel = (p: MatmulParams) => void;

function randomArray(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

interface Case {
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
  a: Float32Array;
  b: Float32Array;
}

function makeCase(M: number, K: number, N: number, transA: boolean, transB: boolean, rng: Rng): Case {
  return { M, K, N, transA, transB, a: randomArray(M * K + 3, rng), b: randomArray(K * N + 5, rng) };
}

/** A [M, K] at offset 3 (or [K, M] read transposed), B [K, N] at offset 5 (or [N, K] transposed). */
function params(c: Case, out: Float32Array): MatmulParams {
  const { M, K, N, transA, transB } = c;
  return {
    M,
    K,
    N,
    a: c.a,
    aOffset: 3,
    aRowStride: transA ? 1 : K,
    aColStride: transA ? M : 1,
    b: c.b,
    bOffset: 5,
    bRowStride: transB ? 1 : N,
    bColStride: transB ? K : 1,
    out,
    outOffset: 2,
  };
}

function run(kernel: Kernel, c: Case): Float32Array {
  const out = new Float32Array(c.M * c.N + 2).fill(Number.NaN);
  kernel(params(c, out));
  return out.subarray(2);
}

function expectClose(kernel: Kernel, c: Case, label: string): void {
  const ref = run(referenceBackend.matmul, c);
  const got = run(kernel, c);
  const tol = 2e-5 * Math.sqrt(c.K) + 1e-6;
  for (let i = 0; i < ref.length; i++) {
    if (!(Math.abs(got[i]! - ref[i]!) <= tol * (1 + Math.abs(ref[i]!)))) {
      const { M, K, N, transA, transB } = c;
      expect.fail(
        `${label} M=${M} K=${K} N=${N} transA=${transA} transB=${transB}: C[${i}] ${got[i]} vs ${ref[i]}`,
      );
    }
  }
}

const EDGE_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [2, 3, 5],
  [3, 5, 7],
  [4, 8, 8],
  [5, 3, 9],
  [9, 17, 33],
  [70, 300, 13],
  [65, 257, 66],
  [130, 520, 40],
  [2, 0, 3],
];

describe("wasm SIMD matmul matches the reference", () => {
  it("on edge shapes in all four transpose combinations", () => {
    const rng = new Rng(11);
    for (const [M, K, N] of EDGE_SHAPES) {
      for (const transA of [false, true])
        for (const transB of [false, true])
          expectClose(matmulWasm, makeCase(M, K, N, transA, transB, rng), "wasm");
    }
  });

  it("on 30 random shapes up to 150 x 600 x 150", () => {
    const rng = new Rng(12);
    for (let t = 0; t < 30; t++) {
      const M = 1 + rng.nextInt(150);
      const K = 1 + rng.nextInt(600);
      const N = 1 + rng.nextInt(150);
      expectClose(matmulWasm, makeCase(M, K, N, rng.nextInt(2) === 1, rng.nextInt(2) === 1, rng), "wasm");
    }
  });

  it("on the matrix-vector kernels (M = 1) in both weight layouts, padded and not", () => {
    const rng = new Rng(13);
    for (const [K, N] of [
      [288, 768],
      [768, 288],
      [64, 96],
      [7, 3],
      [13, 1],
      [1, 17],
      [1100, 45],
    ] as const) {
      for (const transB of [false, true])
        expectClose(matmulWasm, makeCase(1, K, N, false, transB, rng), "matvec");
    }
  });

  it("on pinned weights, read from their packed copy in both layouts", () => {
    const rng = new Rng(14);
    try {
      for (const [K, N] of [
        [288, 768],
        [48, 40],
        [5, 3],
      ] as const) {
        for (const transB of [false, true]) {
          const c = makeCase(1, K, N, false, transB, rng);
          pinArrays([c.b]);
          expectClose(matmulWasm, c, "pinned");
          expectClose(matmulWasm, c, "pinned (second use)");
        }
      }
    } finally {
      unpinArrays();
    }
  });

  it("reads weights loaded into the kernels' memory where they lie, in both layouts, for one row and many", () => {
    const rng = new Rng(21);
    for (const [M, K, N] of [
      [1, 288, 768],
      [1, 37, 29],
      [7, 37, 29],
      [66, 300, 70],
    ] as const) {
      for (const transB of [false, true]) {
        const c = makeCase(M, K, N, false, transB, rng);
        const resident = pinnedFloat32(c.b.length); // what loadModel(dir, { allocate }) reads into
        resident.set(c.b);
        expect(wasmAddress(resident)).toBeGreaterThanOrEqual(0);
        expectClose(matmulWasm, { ...c, b: resident }, "resident");
        if (M === 1)
          expect(matmulWasm(params({ ...c, b: resident }, new Float32Array(N + 2)))).toBe("matvec pinned");
      }
    }
  });

  it("runs a few rows (M = 2, 3; up to 8 for a large Wᵀ) over one read of W, each row as it would alone", () => {
    const rng = new Rng(23);
    for (const [M, K, N, large] of [
      [2, 288, 768, false],
      [3, 37, 29, false],
      [3, 5, 70, false],
      [8, 1024, 2048, true], // 8 MiB: the output layer's case
    ] as const) {
      for (const transB of large ? [true] : [false, true]) {
        for (const resident of [false, true]) {
          const c = makeCase(M, K, N, false, transB, rng);
          let b = c.b;
          if (resident) {
            b = pinnedFloat32(c.b.length);
            b.set(c.b);
          }
          const label = `M=${M} transB=${transB} resident=${resident}`;
          expectClose(matmulWasm, { ...c, b }, label);
          const out = new Float32Array(M * N + 2);
          expect(matmulWasm(params({ ...c, b }, out)), label).toBe(resident ? "matvec pinned" : "matvec");
          // Row m alone (M = 1, the dotRows / axpyRows path) gives the same bits.
          for (let m = 0; m < M; m++) {
            const row = { ...c, b, M: 1, a: c.a.subarray(m * K) }; // params() reads A from offset 3
            expect(run(matmulWasm, row), `${label} row ${m}`).toEqual(
              out.subarray(2 + m * N, 2 + (m + 1) * N),
            );
          }
        }
      }
    }
    // Past those counts, gemm.
    expect(matmulWasm(params(makeCase(4, 64, 96, false, true, rng), new Float32Array(4 * 96 + 2)))).toBe(
      "gemm",
    );
  });

  it("gathers a strided view whose elements lie far apart (a head of q, k or v in a [T, 3C] projection)", () => {
    const rng = new Rng(22);
    // A [M, D] = rows of head 1 in a [T, 3C] buffer (row stride 3C = 96); B = Kᵀ [D, n] read from
    // head 1 of the keys (column stride 96), and B = V [n, D] (row stride 96)
    const [T, D, C3] = [37, 11, 96];
    const buffer = randomArray(T * C3, rng);
    for (const [rs, cs, K, N] of [
      [1, C3, D, T],
      [C3, 1, T, D],
    ] as const) {
      const M = 13;
      const a = randomArray(M * K, rng);
      const p = (out: Float32Array): MatmulParams => ({
        M,
        K,
        N,
        a,
        aOffset: 0,
        aRowStride: K,
        aColStride: 1,
        b: buffer,
        bOffset: 2 * D + 32,
        bRowStride: rs,
        bColStride: cs,
        out,
        outOffset: 0,
      });
      const [want, got] = [new Float32Array(M * N), new Float32Array(M * N)];
      referenceBackend.matmul(p(want));
      matmulWasm(p(got));
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4);
    }
  });

  it("gives the same values split across worker threads as on one thread", () => {
    const rng = new Rng(15);
    // gemm, and the unpinned matrix-vector kernels (dotRows for B = Wᵀ, axpyRows for B = W)
    const cases = [
      makeCase(300, 500, 70, false, false, rng),
      makeCase(1, 1024, 1100, false, true, rng),
      makeCase(1, 1024, 1100, false, false, rng),
      makeCase(3, 1024, 1100, false, true, rng), // the *Batch kernels
      makeCase(3, 1024, 1100, false, false, rng),
    ];
    const single = cases.map((c) => run(matmulWasm, c));
    try {
      setWorkerCount(1);
      cases.forEach((c, i) => {
        expectClose(matmulWasm, c, "2 threads");
        expect(run(matmulWasm, c)).toEqual(single[i]);
      });
      const pinned = makeCase(1, 1024, 1024, false, false, rng);
      pinArrays([pinned.b]);
      expectClose(matmulWasm, pinned, "pinned, 2 threads");
    } finally {
      setWorkerCount(0);
      unpinArrays();
    }
  });
});

describe("the auto and gpu.js matmuls match the reference", () => {
  it("auto on tiny, matrix-vector and blocked shapes", () => {
    const rng = new Rng(16);
    const shapes: [number, number, number][] = [...EDGE_SHAPES, [1, 256, 48], [33, 64, 65]];
    for (const [M, K, N] of shapes) {
      for (const transB of [false, true])
        expectClose(autoBackend.matmul, makeCase(M, K, N, true, transB, rng), "auto");
    }
  });

  it("gpu.js with K above its 1000-iteration loop cap and with transposed operands", () => {
    const rng = new Rng(17);
    expectClose(gpujsBackend.matmul, makeCase(3, 1100, 5, false, false, rng), "gpujs");
    expectClose(gpujsBackend.matmul, makeCase(7, 9, 4, true, true, rng), "gpujs");
    expectClose(gpujsBackend.matmul, makeCase(1, 300, 6, false, true, rng), "gpujs");
  });

  it("gpu.js keeps at most KERNEL_CACHE_SIZE compiled kernels as shapes change", () => {
    const rng = new Rng(19);
    // One new shape per step, as a prefill of every new prompt length would make.
    for (let M = 1; M <= KERNEL_CACHE_SIZE + 3; M++) {
      expectClose(gpujsBackend.matmul, makeCase(M, 3, 2, false, false, rng), "gpujs");
      expect(gpujsKernelCount()).toBeLessThanOrEqual(KERNEL_CACHE_SIZE);
    }
    expectClose(gpujsBackend.matmul, makeCase(1, 3, 2, false, false, rng), "gpujs (evicted, compiled again)");
  });
});

describe("configureBackend", () => {
  it("switches the backend the ops use and describes it", () => {
    const previous = getBackend();
    try {
      configureBackend({ backend: "wasm", threads: 1 });
      expect(getBackend().name).toBe("wasm");
      expect(getBackend().matmul).toBe(wasmBackend.matmul);
      expect(describeBackend()).toMatch(/^backend wasm .*threads 1/);
      configureBackend({ backend: "js" });
      expect(getBackend().matmul).toBe(jsBackend.matmul);
      // what js leaves out runs the reference: no tuned twin measured faster there
      for (const op of ["maxRows", "sumCols", "layerNormRows", "rmsNormRows", "layerNormGradRows"] as const) {
        expect(getBackend()[op]).toBe(referenceBackend[op]);
      }
      expect(() => configureBackend({ backend: "cuda" as never })).toThrow(/unknown backend "cuda".*auto/);
      expect(() => configureBackend({ threads: 0 })).toThrow(/threads must be/);
    } finally {
      configureBackend({ backend: "js", threads: 1 });
      setBackend(previous);
    }
  });

  it("reports the kernels that actually ran, with their counts", () => {
    const rng = new Rng(20);
    const previous = getBackend();
    try {
      configureBackend({ backend: "auto", threads: 1 });
      resetKernelCounts();
      const w = randn([64, 96], rng);
      pinWeights([w]);
      noGrad(() => matmul(randn([1, 96], rng), w.transpose(0, 1))); // a decode product on a pinned weight
      noGrad(() => matmul(randn([2, 3], rng), randn([3, 2], rng))); // tiny: the JS kernel
      const q = randn([1, 2, 1, 8], rng);
      noGrad(() => causalAttention(q, randn([1, 2, 5, 8], rng), randn([1, 2, 5, 8], rng)));
      expect(kernelCounts()).toEqual(
        expect.arrayContaining([
          ["matmul wasm matvec pinned", 1],
          ["matmul js", 1],
          ["attention wasm decode", 1],
        ]),
      );
      expect(describeBackend()).toMatch(/1 pinned weights; ran: .*matmul wasm matvec pinned 1/);
    } finally {
      unpinWeights();
      resetKernelCounts();
      setBackend(previous);
    }
  });

  it("runs a batched matmul of tensors through auto with pinned weights like the reference", () => {
    const rng = new Rng(18);
    const x = randn([2, 1, 96], rng); // two decode rows (batch 2, one token each)
    const w = randn([64, 96], rng); // nn.Linear weight [out, in], used as x @ wᵀ
    const previous = setBackend(referenceBackend);
    const expected = noGrad(() => matmul(x, w.transpose(0, 1))).toArray();
    try {
      configureBackend({ backend: "auto", threads: 1 });
      pinWeights([w]);
      expect(describeBackend()).toMatch(/1 pinned weights/);
      const got = noGrad(() => matmul(x, w.transpose(0, 1))).toArray();
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 4);
    } finally {
      unpinWeights();
      setBackend(previous);
    }
  });
});

// The wasm backend: the hand-written WebAssembly SIMD kernels of wasm/ wherever they exist —
// matmul (packed, register-tiled gemm; matrix-vector kernels for decoding; optional worker
// threads), attention for one new token (T = 1), and the exp-based elementwise functions (exp,
// SiLU, GELU and their derivatives) — and the js backend's TypeScript for the rest (single
// passes over memory, where SIMD gains little once the data has to be copied in). Attention
// with T > 1 runs block-attention.ts on the wasm matmul.
// Every kernel call is counted by name (kernel-stats.ts) for --verbose.
// Not here: float64 (gradient checks run in float64; those calls take the reference kernels),
// the per-shape choice between these and the JS kernels (select.ts: the auto backend).
// Reference: gemm.wat, matvec.wat and unary.wat (what the kernels compute); @llmts/tensor's
// reference.ts (the oracle they match).

import {
  type Backend,
  type BackendKernels,
  type MatmulParams,
  matmulQuantizedReference,
  matmulReference,
  type QuantizedMatmulParams,
} from "@llmts/tensor";
import { jsBackend } from "../js/backend.ts";
import { makeBlockAttention } from "../js/block-attention.ts";
import { countKernel } from "../kernel-stats.ts";
import { decodeAttentionApplies, decodeAttentionWasm } from "./attention.ts";
import { wasmRows } from "./attention-rows.ts";
import { matmulWasm } from "./matmul.ts";
import { matmulQuantizedWasm } from "./quantized.ts";
import { hasUnaryWasm, unaryGradWasm, unaryWasm } from "./unary.ts";

export function isFloat32(p: MatmulParams): boolean {
  return p.a instanceof Float32Array && p.b instanceof Float32Array && p.out instanceof Float32Array;
}

/** What --verbose calls each kernel (made once: a kernel call should not build a string). */
const MATMUL_NAMES = {
  gemm: "matmul wasm gemm",
  matvec: "matmul wasm matvec",
  "matvec pinned": "matmul wasm matvec pinned",
  empty: "matmul wasm empty",
} as const;

/** The wasm backend's matmul: the SIMD kernels for float32 (counted for --verbose), else the reference. */
export function wasmBackendMatmul(p: MatmulParams): void {
  if (!isFloat32(p)) {
    countKernel("matmul reference (float64)");
    matmulReference(p);
  } else countKernel(MATMUL_NAMES[matmulWasm(p)]);
}

/** Products with a quantized weight: quant.wat for float32 (counted by type), else the reference. */
export function wasmBackendMatmulQuantized(p: QuantizedMatmulParams): void {
  if (p.x instanceof Float32Array && p.out instanceof Float32Array) {
    countKernel(`matmulQuantized wasm ${p.w.type}`);
    matmulQuantizedWasm(p);
  } else {
    countKernel("matmulQuantized reference (float64)");
    matmulQuantizedReference(p);
  }
}

/** Below this many elements a wasm call's fixed copies and setup cost more than Math.exp (measured). */
const UNARY_WASM_MIN = 64;

/** exp, SiLU and GELU of float32 arrays from UNARY_WASM_MIN elements on the SIMD kernels, else JS. */
export const unaryAuto: Backend["unary"] = (op, x, out, param) => {
  if (
    x instanceof Float32Array &&
    out instanceof Float32Array &&
    x.length >= UNARY_WASM_MIN &&
    hasUnaryWasm(op, false)
  ) {
    countKernel(`${op} wasm`);
    unaryWasm(op, x, out);
  } else jsBackend.unary(op, x, out, param);
};

export const unaryGradAuto: Backend["unaryGrad"] = (op, x, y, g, out, param) => {
  const simd = x instanceof Float32Array && g instanceof Float32Array && out instanceof Float32Array;
  if (simd && x.length >= UNARY_WASM_MIN && hasUnaryWasm(op, true)) {
    countKernel(`${op} backward wasm`);
    unaryGradWasm(op, x as Float32Array, g as Float32Array, out as Float32Array);
  } else jsBackend.unaryGrad(op, x, y, g, out, param);
};

/** Fused attention with `matmul` under the block kernel: the wasm decode kernel for one new token. */
export function attentionWith(
  matmulKernel: (p: MatmulParams) => void,
): Pick<Backend, "attention" | "attentionGrad"> {
  const blocks = makeBlockAttention(matmulKernel, wasmRows);
  return {
    attention: (p) => {
      if (decodeAttentionApplies(p)) {
        countKernel("attention wasm decode");
        decodeAttentionWasm(p);
      } else {
        countKernel("attention blocks");
        blocks.forward(p);
      }
    },
    attentionGrad: (p) => {
      countKernel("attention backward blocks");
      blocks.backward(p);
    },
  };
}

export const wasmBackend = {
  ...jsBackend,
  name: "wasm",
  matmul: wasmBackendMatmul,
  matmulQuantized: wasmBackendMatmulQuantized,
  unary: unaryAuto,
  unaryGrad: unaryGradAuto,
  ...attentionWith(wasmBackendMatmul),
} satisfies BackendKernels;

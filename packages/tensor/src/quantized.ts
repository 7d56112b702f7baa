// A quantized weight matrix in ggml's block formats, and the plain way to read it back:
//
//   QuantizedMatrix  W [N, K] stored as N rows of K/32 blocks, each block 32 consecutive weights
//                    of a row (ggml's layout: what a GGUF file holds, byte for byte)
//   Q8_0  34 bytes:  f16 d, then 32 int8 q            w[j] = q[j] · d
//   Q4_0  18 bytes:  f16 d, then 16 bytes of nibbles   w[j] = (low nibble of byte j - 8) · d,
//                                                      w[j + 16] = (high nibble of byte j - 8) · d
//
// It is not a Tensor: a Tensor is a float tensor that ops read element by element (and that
// autograd can update); a quantized matrix is only ever the right-hand side of a product
// (matmulQuantized, ops/quantized.ts) or a table to look rows up in (embeddingQuantized).
// dequantizeBlock() is the reference every quantized kernel is checked against: decode a block
// to 32 floats, then do the plain float math.
// Not here: quantizing (f32 -> blocks: @llmts/gguf's quantize, the bytes ggml writes), the
// products (backend/reference-quantized.ts and @llmts/kernels), files.
// Reference: ggml-quants.c `dequantize_row_q8_0` / `dequantize_row_q4_0`; ggml's docs/gguf.md.

import { ShapeError } from "./errors.ts";

export type QuantType = "Q8_0" | "Q4_0";

/** Weights per block (ggml's QK8_0 = QK4_0 = 32). */
export const QUANT_BLOCK = 32;
/** Bytes per block: the f16 scale and the 32 quants. */
export const QUANT_BLOCK_BYTES: Readonly<Record<QuantType, number>> = { Q8_0: 34, Q4_0: 18 };

export class QuantizedMatrix {
  readonly type: QuantType;
  /** N: rows (a linear layer's outputs, an embedding's tokens). */
  readonly rows: number;
  /** K: weights per row (a linear layer's inputs), a multiple of 32. */
  readonly cols: number;
  /** rows · cols/32 blocks of QUANT_BLOCK_BYTES[type] bytes, row after row. Never written. */
  readonly data: Uint8Array;

  constructor(type: QuantType, shape: readonly [number, number], data: Uint8Array) {
    const [rows, cols] = shape;
    if (!(type in QUANT_BLOCK_BYTES)) throw new TypeError(`QuantizedMatrix: unknown type ${type}`);
    if (cols % QUANT_BLOCK !== 0 || cols <= 0 || rows <= 0) {
      throw new ShapeError(
        `QuantizedMatrix: ${type} [${rows}, ${cols}] needs rows > 0 and a row length that is a positive multiple of ${QUANT_BLOCK}`,
      );
    }
    const bytes = rows * (cols / QUANT_BLOCK) * QUANT_BLOCK_BYTES[type];
    if (data.length !== bytes) {
      throw new ShapeError(
        `QuantizedMatrix: ${type} [${rows}, ${cols}] takes ${bytes} bytes, got ${data.length}`,
      );
    }
    this.type = type;
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /** Bytes per row: cols/32 blocks. */
  get rowBytes(): number {
    return (this.cols / QUANT_BLOCK) * QUANT_BLOCK_BYTES[this.type];
  }
}

/** IEEE half -> number: sign, 5 exponent bits (bias 15), 10 fraction bits; exponent 0 is subnormal. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * The 32 weights of block `block` (counted from the start of `w.data`) into out[0..31].
 * q · d is exact in float32 (an 8-bit q times an 11-bit d), so these are ggml's floats exactly.
 */
export function dequantizeBlock(w: QuantizedMatrix, block: number, out: Float32Array | Float64Array): void {
  const at = block * QUANT_BLOCK_BYTES[w.type];
  const bytes = w.data;
  const d = halfToFloat(bytes[at]! | (bytes[at + 1]! << 8));
  if (w.type === "Q8_0") {
    for (let j = 0; j < 32; j++) out[j] = ((bytes[at + 2 + j]! << 24) >> 24) * d; // int8: sign-extend the byte
  } else {
    for (let j = 0; j < 16; j++) {
      const b = bytes[at + 2 + j]!;
      out[j] = ((b & 0x0f) - 8) * d;
      out[j + 16] = ((b >> 4) - 8) * d;
    }
  }
}

/** Row `row` of W as floats [K]. */
export function dequantizeRow(w: QuantizedMatrix, row: number, out: Float32Array | Float64Array): void {
  const blocks = w.cols / QUANT_BLOCK;
  const block = new Float32Array(QUANT_BLOCK);
  for (let b = 0; b < blocks; b++) {
    dequantizeBlock(w, row * blocks + b, block);
    out.set(block, b * QUANT_BLOCK);
  }
}

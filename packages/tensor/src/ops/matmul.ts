// Batched matrix multiplication: a [..., M, K] @ b [..., K, N] -> [..., M, N], the batch dims
// broadcasting with NumPy rules (so x [B, T, C] @ w [C, N] works without copying w).
// Operands are handed to the backend by strides: a transposed view such as w.transpose(0, 1)
// (a Llama weight stored [out, in]) is read in place, never copied.
//   backward: dA = g @ Bᵀ,  dB = Aᵀ @ g   (each summed over the batch dims it was broadcast along)
// A 2-D b under a batched a (x [B, T, C] @ W [C, N], every linear layer) runs as one 2-D product
// over the flattened rows.
// Not here: 1-D operands (vector @ vector); use [1, K] matrices. The kernels live in backend/.
// Reference: numpy.matmul semantics; llm.c `matmul_forward` / `matmul_backward`.

import { needsGrad, record } from "../autograd.ts";
import { type FloatArray, getBackend } from "../backend/backend.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { broadcastShapes, numelOf } from "../shape.ts";
import { Tensor } from "../tensor.ts";
import { broadcastView } from "./elementwise.ts";
import { unbroadcast } from "./reduce.ts";
import { assertFloat, floatLike } from "./util.ts";
import { transpose } from "./views.ts";

/** The broadcast batch dims of a [..., M, K] and b [..., K, N]; the error names both full shapes. */
function batchShape(a: Tensor, b: Tensor): number[] {
  try {
    return broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), "matmul");
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new ShapeError(
      `matmul: batch dims do not broadcast: ${shapeString(a.shape)} @ ${shapeString(b.shape)} (batch ${shapeString(a.shape.slice(0, -2))} vs ${shapeString(b.shape.slice(0, -2))})`,
    );
  }
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  assertFloat(a, "matmul");
  assertFloat(b, "matmul");
  if (a.ndim < 2 || b.ndim < 2) {
    throw new ShapeError(
      `matmul: needs at least 2 dims on both sides: ${shapeString(a.shape)} @ ${shapeString(b.shape)}`,
    );
  }
  if (a.dtype !== b.dtype) throw new TypeError(`matmul: dtypes differ: ${a.dtype} @ ${b.dtype}`);
  const M = a.shape[a.ndim - 2]!;
  const K = a.shape[a.ndim - 1]!;
  const N = b.shape[b.ndim - 1]!;
  if (b.shape[b.ndim - 2] !== K) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${shapeString(a.shape)} @ ${shapeString(b.shape)}`,
    );
  }
  if (b.ndim === 2 && a.ndim > 2 && a.size > 0 && K > 0) {
    // x [..., M, K] @ W [K, N] is one [(...·M), K] @ [K, N] product: W is packed once, not once
    // per batch row, and its gradient is one Aᵀ @ g instead of a sum of per-batch products.
    return matmul(a.reshape(-1, K), b).reshape([...a.shape.slice(0, -1), N]);
  }
  const batch = batchShape(a, b);
  const av = broadcastView(a, [...batch, M, K]);
  const bv = broadcastView(b, [...batch, K, N]);
  const out = floatLike(a, numelOf(batch) * M * N);
  const backend = getBackend();

  // One 2-D product per batch index; the batch offsets advance like an odometer.
  const nb = batch.length;
  const idx = new Array<number>(nb).fill(0);
  let aOff = av.offset;
  let bOff = bv.offset;
  const batches = numelOf(batch);
  for (let t = 0; t < batches; t++) {
    backend.matmul({
      M,
      K,
      N,
      a: a.storage as FloatArray,
      aOffset: aOff,
      aRowStride: av.strides[nb]!,
      aColStride: av.strides[nb + 1]!,
      b: b.storage as FloatArray,
      bOffset: bOff,
      bRowStride: bv.strides[nb]!,
      bColStride: bv.strides[nb + 1]!,
      out,
      outOffset: t * M * N,
    });
    for (let d = nb - 1; d >= 0; d--) {
      idx[d]!++;
      aOff += av.strides[d]!;
      bOff += bv.strides[d]!;
      if (idx[d]! < batch[d]!) break;
      aOff -= av.strides[d]! * batch[d]!;
      bOff -= bv.strides[d]! * batch[d]!;
      idx[d] = 0;
    }
  }

  const y = new Tensor(out, [...batch, M, N]);
  if (needsGrad(a, b)) {
    record(y, "matmul", [a, b], (g) => [
      a.requiresGrad ? unbroadcast(matmul(g, transpose(b, -1, -2)), a.shape) : null,
      b.requiresGrad ? unbroadcast(matmul(transpose(a, -1, -2), g), b.shape) : null,
    ]);
  }
  return y;
}

// Ops on a quantized weight (QuantizedMatrix, ../quantized.ts): the two things a model does with
// one.
//   matmulQuantized(x, W)      x [..., K] @ Wᵀ -> [..., N]     a linear layer with W [N, K] quantized
//     backward: dx = g @ W (dequantized); W gets no gradient (quantized weights are not trained)
//   embeddingQuantized(W, ids) row ids[i] of W, decoded        ids [...] -> [..., K]
// Not here: the kernels (the backend's matmulQuantized primitive: the reference decodes a block,
// then runs the plain dot), quantizing.
// Reference: ggml's `ggml_mul_mat` and `ggml_get_rows` on Q8_0 / Q4_0 tensors.

import { needsGrad, record } from "../autograd.ts";
import { type FloatArray, getBackend } from "../backend/backend.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { dequantizeRow, type QuantizedMatrix } from "../quantized.ts";
import { Tensor } from "../tensor.ts";
import { matmul } from "./matmul.ts";
import { floatData, floatLike } from "./util.ts";

/** W as a float [N, K] tensor of x's dtype (for the backward pass). */
function dequantized(w: QuantizedMatrix, like: Tensor): Tensor {
  const out = floatLike(like, w.rows * w.cols);
  const row = new Float32Array(w.cols);
  for (let n = 0; n < w.rows; n++) {
    dequantizeRow(w, n, row);
    out.set(row, n * w.cols);
  }
  return new Tensor(out, [w.rows, w.cols]);
}

/** x [..., K] @ Wᵀ with W [N, K] quantized -> [..., N] */
export function matmulQuantized(x: Tensor, w: QuantizedMatrix): Tensor {
  const K = w.cols;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== K) {
    throw new ShapeError(
      `matmulQuantized: x ${shapeString(x.shape)} @ ${w.type} [${w.rows}, ${K}]ᵀ: inner dimensions differ`,
    );
  }
  const xs = floatData(x, "matmulQuantized"); // [M, K] contiguous
  const M = x.size / K;
  const out = floatLike(x, M * w.rows);
  getBackend().matmulQuantized({ M, N: w.rows, x: xs as FloatArray, w, out });
  const y = new Tensor(out, [...x.shape.slice(0, -1), w.rows]);
  if (needsGrad(x)) record(y, "matmulQuantized", [x], (g) => [matmul(g, dequantized(w, x))]);
  return y;
}

/** Rows ids[i] of W [V, K] as floats: ids int32 [...] -> [..., K] (float32). */
export function embeddingQuantized(w: QuantizedMatrix, ids: Tensor): Tensor {
  if (ids.dtype !== "int32") throw new TypeError(`embeddingQuantized: ids must be int32, got ${ids.dtype}`);
  const idData = ids.dataSync();
  const K = w.cols;
  const out = new Float32Array(idData.length * K);
  for (let i = 0; i < idData.length; i++) {
    const id = idData[i]!;
    if (id < 0 || id >= w.rows)
      throw new ShapeError(
        `embeddingQuantized: id ${id} at position ${i} is out of range for ${w.rows} rows`,
      );
    dequantizeRow(w, id, out.subarray(i * K, i * K + K));
  }
  return new Tensor(out, [...ids.shape, K]);
}

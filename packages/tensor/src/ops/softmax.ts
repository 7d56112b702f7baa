// Softmax and log-softmax over the last axis, numerically stable (the kernel subtracts each
// row's max before exp; see backend/reference.ts).
//   softmax:     y = e^x / Σ e^x          dx = y ⊙ (g - Σ_row g ⊙ y)
//   logSoftmax:  y = x - log Σ e^x        dx = g - e^y ⊙ Σ_row g
// (Both follow from the Jacobian ∂y_i/∂x_j = y_i (δ_ij - y_j) of softmax.)
// Not here: softmax over other axes (permute first), fused masking (see mask.ts).
// Reference: PyTorch `torch.softmax(x, -1)`, `torch.log_softmax(x, -1)`.

import { needsGrad, record } from "../autograd.ts";
import { getBackend } from "../backend/backend.ts";
import { ShapeError } from "../errors.ts";
import { Tensor } from "../tensor.ts";
import { exp, mul, sub } from "./elementwise.ts";
import { sum } from "./reduce.ts";
import { floatData, floatLike } from "./util.ts";

function rowsForward(x: Tensor, log: boolean, op: string): Tensor {
  if (x.ndim === 0) throw new ShapeError(`${op}: needs at least one dim, got a scalar`);
  const cols = x.shape[x.ndim - 1]!;
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = floatLike(x, x.size);
  getBackend().softmaxRows(floatData(x, op), out, rows, cols, log);
  return new Tensor(out, x.shape);
}

export function softmax(x: Tensor): Tensor {
  const y = rowsForward(x, false, "softmax");
  if (needsGrad(x)) record(y, "softmax", [x], (g) => [mul(y, sub(g, sum(mul(g, y), -1, true)))]);
  return y;
}

export function logSoftmax(x: Tensor): Tensor {
  const y = rowsForward(x, true, "logSoftmax");
  if (needsGrad(x)) record(y, "logSoftmax", [x], (g) => [sub(g, mul(exp(y), sum(g, -1, true)))]);
  return y;
}

// Normalisation over the last axis: LayerNorm (GPT-2) and RMSNorm (Llama).
// Forward runs one backend call over the rows and keeps each row's mean / rstd (1/σ) for backward.
// With x̂ = normalised x and ĝ = g ⊙ w (the gradient arriving at x̂), over a row of C elements:
//   layerNorm: dx = rstd · (ĝ - mean(ĝ) - x̂ ⊙ mean(ĝ ⊙ x̂)),  dw = Σ g ⊙ x̂,  db = Σ g
//   rmsNorm:   dx = rstd · (ĝ - x̂ ⊙ mean(ĝ ⊙ x̂)),           dw = Σ g ⊙ x̂
// (sums over every row). RMSNorm lacks the mean(ĝ) term because it does not centre x.
// Not here: normalisation over other axes, running statistics (BatchNorm).
// Reference: Ba et al. 2016 (LayerNorm); Zhang & Sennrich 2019 (RMSNorm); llm.c `layernorm_backward`.

import { needsGrad, record } from "../autograd.ts";
import { getBackend } from "../backend/backend.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { Tensor } from "../tensor.ts";
import { mul, sub } from "./elementwise.ts";
import { mean, unbroadcast } from "./reduce.ts";
import { floatData, floatLike } from "./util.ts";

function checkParam(x: Tensor, p: Tensor | null, what: string, op: string): void {
  const C = x.shape[x.ndim - 1];
  if (p !== null && (p.ndim !== 1 || p.shape[0] !== C)) {
    throw new ShapeError(
      `${op}: ${what} ${shapeString(p.shape)} does not match the last dim of ${shapeString(x.shape)}`,
    );
  }
}

export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  if (x.ndim === 0) throw new ShapeError("layerNorm: needs at least one dim, got a scalar");
  checkParam(x, weight, "weight", "layerNorm");
  checkParam(x, bias, "bias", "layerNorm");
  const C = x.shape[x.ndim - 1]!;
  const rows = C === 0 ? 0 : x.size / C;
  const out = floatLike(x, x.size);
  const meanData = floatLike(x, rows);
  const rstdData = floatLike(x, rows);
  getBackend().layerNormRows(
    floatData(x, "layerNorm"),
    weight && floatData(weight, "layerNorm"),
    bias && floatData(bias, "layerNorm"),
    out,
    meanData,
    rstdData,
    rows,
    C,
    eps,
  );
  const y = new Tensor(out, x.shape);
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  if (needsGrad(...inputs)) {
    record(y, "layerNorm", inputs, (g) => {
      const statShape = [...x.shape.slice(0, -1), 1];
      const rstd = new Tensor(rstdData, statShape); // [..., 1]
      const xhat = mul(sub(x, new Tensor(meanData, statShape)), rstd); // [..., C]
      const ghat = weight ? mul(g, weight) : g;
      const dx = mul(rstd, sub(sub(ghat, mean(ghat, -1, true)), mul(xhat, mean(mul(ghat, xhat), -1, true))));
      const grads: (Tensor | null)[] = [x.requiresGrad ? dx : null];
      if (weight) grads.push(weight.requiresGrad ? unbroadcast(mul(g, xhat), [C]) : null);
      if (bias) grads.push(bias.requiresGrad ? unbroadcast(g, [C]) : null);
      return grads;
    });
  }
  return y;
}

export function rmsNorm(x: Tensor, weight: Tensor | null, eps = 1e-5): Tensor {
  if (x.ndim === 0) throw new ShapeError("rmsNorm: needs at least one dim, got a scalar");
  checkParam(x, weight, "weight", "rmsNorm");
  const C = x.shape[x.ndim - 1]!;
  const rows = C === 0 ? 0 : x.size / C;
  const out = floatLike(x, x.size);
  const rstdData = floatLike(x, rows);
  getBackend().rmsNormRows(
    floatData(x, "rmsNorm"),
    weight && floatData(weight, "rmsNorm"),
    out,
    rstdData,
    rows,
    C,
    eps,
  );
  const y = new Tensor(out, x.shape);
  const inputs = weight ? [x, weight] : [x];
  if (needsGrad(...inputs)) {
    record(y, "rmsNorm", inputs, (g) => {
      const rstd = new Tensor(rstdData, [...x.shape.slice(0, -1), 1]); // [..., 1]
      const xhat = mul(x, rstd); // [..., C]
      const ghat = weight ? mul(g, weight) : g;
      const dx = mul(rstd, sub(ghat, mul(xhat, mean(mul(ghat, xhat), -1, true))));
      const grads: (Tensor | null)[] = [x.requiresGrad ? dx : null];
      if (weight) grads.push(weight.requiresGrad ? unbroadcast(mul(g, xhat), [C]) : null);
      return grads;
    });
  }
  return y;
}

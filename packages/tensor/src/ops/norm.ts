// Normalisation over the last axis: LayerNorm (GPT-2) and RMSNorm (Llama).
// Forward runs one backend call over the rows and keeps each row's mean / rstd (1/σ) for backward;
// backward is one backend call too. With x̂ = normalised x and ĝ = g ⊙ w (the gradient arriving
// at x̂), over a row of C elements:
//   layerNorm: dx = rstd · (ĝ - mean(ĝ) - x̂ ⊙ mean(ĝ ⊙ x̂)),  dw = Σ g ⊙ x̂,  db = Σ g
//   rmsNorm:   dx = rstd · (ĝ - x̂ ⊙ mean(ĝ ⊙ x̂)),           dw = Σ g ⊙ x̂
// (sums over every row). RMSNorm lacks the mean(ĝ) term because it does not centre x.
// backend/reference-norm.ts has the loops.
// Not here: normalisation over other axes, running statistics (BatchNorm).
// Reference: Ba et al. 2016 (LayerNorm); Zhang & Sennrich 2019 (RMSNorm); llm.c `layernorm_backward`.

import { needsGrad, record } from "../autograd.ts";
import { getBackend } from "../backend/backend.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { Tensor } from "../tensor.ts";
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
  const xd = floatData(x, "layerNorm");
  getBackend().layerNormRows(
    xd,
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
      const dx = floatLike(x, x.size); // [..., C]
      const dw = weight?.requiresGrad ? floatLike(x, C) : null; // [C]
      const db = bias?.requiresGrad ? floatLike(x, C) : null; // [C]
      const wd = weight && floatData(weight, "layerNorm");
      getBackend().layerNormGradRows(
        xd,
        wd,
        meanData,
        rstdData,
        floatData(g, "layerNorm"),
        dx,
        dw,
        db,
        rows,
        C,
      );
      const grads: (Tensor | null)[] = [x.requiresGrad ? new Tensor(dx, x.shape) : null];
      if (weight) grads.push(dw && new Tensor(dw, [C]));
      if (bias) grads.push(db && new Tensor(db, [C]));
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
  const xd = floatData(x, "rmsNorm");
  getBackend().rmsNormRows(xd, weight && floatData(weight, "rmsNorm"), out, rstdData, rows, C, eps);
  const y = new Tensor(out, x.shape);
  const inputs = weight ? [x, weight] : [x];
  if (needsGrad(...inputs)) {
    record(y, "rmsNorm", inputs, (g) => {
      const dx = floatLike(x, x.size); // [..., C]
      const dw = weight?.requiresGrad ? floatLike(x, C) : null; // [C]
      const wd = weight && floatData(weight, "rmsNorm");
      getBackend().rmsNormGradRows(xd, wd, rstdData, floatData(g, "rmsNorm"), dx, dw, rows, C);
      const grads: (Tensor | null)[] = [x.requiresGrad ? new Tensor(dx, x.shape) : null];
      if (weight) grads.push(dw && new Tensor(dw, [C]));
      return grads;
    });
  }
  return y;
}

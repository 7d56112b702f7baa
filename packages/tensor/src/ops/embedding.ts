// Embedding lookup: row ids[i] of the table for every id, i.e. a gather.
//   weight [V, C], ids int32 [...] -> [..., C]
//   backward: dW[v] = Σ over positions i with ids[i] = v of g[i]  (scatter-add; a token that
//   appears twice gets both gradients). ids get no gradient.
// Not here: padding_idx, max_norm, sparse gradients.
// Reference: PyTorch `nn.functional.embedding`; llm.c `encoder_forward` / `encoder_backward`.

import { needsGrad, record } from "../autograd.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { Tensor } from "../tensor.ts";
import { floatData, floatLike } from "./util.ts";

export function embedding(weight: Tensor, ids: Tensor): Tensor {
  if (weight.ndim !== 2)
    throw new ShapeError(`embedding: weight must be [V, C], got ${shapeString(weight.shape)}`);
  if (ids.dtype !== "int32") throw new TypeError(`embedding: ids must be int32, got ${ids.dtype}`);
  const [V, C] = weight.shape as [number, number];
  const w = floatData(weight, "embedding");
  const idData = ids.dataSync();
  const n = idData.length;
  const out = floatLike(weight, n * C);
  for (let i = 0; i < n; i++) {
    const id = idData[i]!;
    if (id < 0 || id >= V)
      throw new ShapeError(`embedding: id ${id} at position ${i} is out of range for ${V} rows`);
    out.set(w.subarray(id * C, id * C + C), i * C);
  }
  const y = new Tensor(out, [...ids.shape, C]);
  if (needsGrad(weight)) {
    const idCopy = Int32Array.from(idData); // the caller may reuse its id buffer before backward
    record(y, "embedding", [weight], (g) => {
      const gd = floatData(g, "embedding");
      const dw = floatLike(weight, V * C);
      for (let i = 0; i < n; i++) {
        const row = idCopy[i]! * C;
        for (let c = 0; c < C; c++) dw[row + c]! += gd[i * C + c]!;
      }
      return [new Tensor(dw, [V, C])];
    });
  }
  return y;
}

// Changing the element type: float32 <-> float64 <-> int32 (int32 truncates toward zero).
//   backward (float to float): the gradient cast back to the input's dtype
// float64 exists for references and gradient checks; models run in float32.
// Not here: float16/bfloat16 (the weight loader widens those to float32).
// Reference: PyTorch `Tensor.to(dtype)`.

import { needsGrad, record } from "../autograd.ts";
import { allocate, type DType, Tensor } from "../tensor.ts";

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const src = x.dataSync();
  const out = allocate(dtype, x.size);
  if (dtype === "int32") for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i]!);
  else out.set(src);
  const y = new Tensor(out, x.shape);
  if (dtype !== "int32" && needsGrad(x)) record(y, "cast", [x], (g) => [cast(g, x.dtype)]);
  return y;
}

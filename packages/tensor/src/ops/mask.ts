// Masking: maskedFill replaces elements where a mask is nonzero by a constant, and causalMask
// builds the attention mask that keeps each position from looking at later ones.
//   maskedFill backward: dx = g where the mask is 0, and 0 where it was filled.
// Attention recipe: softmax(maskedFill(scores, causalMask(T, S), -Infinity)).
// Not here: a fused masked softmax kernel.
// Reference: PyTorch `Tensor.masked_fill`; nanoGPT's `att.masked_fill(self.bias[...] == 0, float('-inf'))`.

import { needsGrad, record } from "../autograd.ts";
import { getBackend } from "../backend/backend.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { broadcastShapes, sameShape } from "../shape.ts";
import { allocate, Tensor } from "../tensor.ts";
import { broadcastView } from "./elementwise.ts";
import { floatData, floatLike } from "./util.ts";

/** y = value where mask != 0, else x. `mask` (any dtype) broadcasts to x's shape. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes(x.shape, mask.shape, "maskedFill");
  if (!sameShape(shape, x.shape)) {
    throw new ShapeError(
      `maskedFill: mask ${shapeString(mask.shape)} does not broadcast to ${shapeString(x.shape)}`,
    );
  }
  const m = allocate(mask.dtype, x.size); // the mask expanded to x's shape, row-major
  getBackend().copyStrided(broadcastView(mask, shape), m, shape);
  const xd = floatData(x, "maskedFill");
  const out = floatLike(x, x.size);
  for (let i = 0; i < out.length; i++) out[i] = m[i] !== 0 ? value : xd[i]!;
  const y = new Tensor(out, x.shape);
  if (needsGrad(x)) {
    record(y, "maskedFill", [x], (g) => {
      const gd = floatData(g, "maskedFill");
      const dx = floatLike(x, x.size);
      for (let i = 0; i < dx.length; i++) dx[i] = m[i] !== 0 ? 0 : gd[i]!;
      return [new Tensor(dx, x.shape)];
    });
  }
  return y;
}

/**
 * int32 [T, S] with 1 where query i must not see key j. The T queries are the last T of S
 * positions (S > T while decoding with a KV cache), so query i sits at position S - T + i and
 * may see keys j <= S - T + i.  causalMask(3) = [[0,1,1],[0,0,1],[0,0,0]].
 */
export function causalMask(T: number, S = T): Tensor {
  if (!Number.isInteger(T) || !Number.isInteger(S) || T < 0 || S < T) {
    throw new ShapeError(`causalMask: needs integers 0 <= T <= S, got T=${T}, S=${S}`);
  }
  const m = new Int32Array(T * S);
  for (let i = 0; i < T; i++) for (let j = S - T + i + 1; j < S; j++) m[i * S + j] = 1;
  return new Tensor(m, [T, S]);
}

// Dropout (Srivastava et al. 2014), "inverted" as in PyTorch: during training each element is
// zeroed with probability p and the survivors are scaled by 1/(1-p), so the expected value is
// unchanged and evaluation needs no rescaling. The mask comes from the seeded Rng, so a run
// with the same seed drops the same elements.
//   y = x ⊙ mask — implemented as mul(x, mask), whose backward (dx = g ⊙ mask) is the dropout backward.
// Not here: dropout on whole channels.
// Reference: PyTorch `nn.functional.dropout`.

import type { Rng } from "../random.ts";
import { Tensor } from "../tensor.ts";
import { mul } from "./elementwise.ts";
import { floatLike } from "./util.ts";

export function dropout(x: Tensor, p: number, rng: Rng, training: boolean): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const keepScale = 1 / (1 - p);
  const mask = floatLike(x, x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.nextUint32() / 4294967296 < p ? 0 : keepScale;
  return mul(x, new Tensor(mask, x.shape));
}

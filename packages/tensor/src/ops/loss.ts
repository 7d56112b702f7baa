// Cross-entropy loss over logits: the mean over positions of -log softmax(logits)[target],
// skipping positions whose target equals ignoreIndex (padding, or the prompt in fine-tuning).
//   logits [N, V] or [B, T, V], targets int32 [N] or [B, T] -> scalar
//   backward: dlogits[n] = (softmax(logits[n]) - onehot(target[n])) · g / count, 0 on ignored rows
// Computed from log-softmax, so large logits cannot overflow. With every target ignored the
// mean is 0/0 = NaN, as in PyTorch.
// Not here: label smoothing, class weights, reduction other than mean.
// Reference: PyTorch `nn.functional.cross_entropy(..., ignore_index=-100)`; llm.c `crossentropy_forward`.

import { needsGrad, record } from "../autograd.ts";
import { getBackend } from "../backend/backend.ts";
import { ShapeError, shapeString } from "../errors.ts";
import { Tensor } from "../tensor.ts";
import { floatData, floatLike } from "./util.ts";

export function crossEntropy(
  logits: Tensor,
  targets: Tensor,
  options: { ignoreIndex?: number } = {},
): Tensor {
  const ignoreIndex = options.ignoreIndex ?? -100;
  const leading = logits.shape.slice(0, -1);
  if (logits.ndim < 2 || targets.shape.join() !== leading.join()) {
    throw new ShapeError(
      `crossEntropy: logits ${shapeString(logits.shape)} and targets ${shapeString(targets.shape)} do not match ([..., V] and [...])`,
    );
  }
  if (targets.dtype !== "int32")
    throw new TypeError(`crossEntropy: targets must be int32, got ${targets.dtype}`);
  const V = logits.shape[logits.ndim - 1]!;
  const N = targets.size;
  const t = targets.dataSync();
  const logp = floatLike(logits, N * V); // [N, V]
  getBackend().softmaxRows(floatData(logits, "crossEntropy"), logp, N, V, true);
  let total = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    const target = t[n]!;
    if (target === ignoreIndex) continue;
    if (target < 0 || target >= V) {
      throw new ShapeError(
        `crossEntropy: target ${target} at position ${n} is out of range for ${V} classes`,
      );
    }
    total -= logp[n * V + target]!;
    count++;
  }
  const lossData = floatLike(logits, 1);
  lossData[0] = total / count;
  const y = new Tensor(lossData, []);
  if (needsGrad(logits)) {
    const targetCopy = Int32Array.from(t);
    record(y, "crossEntropy", [logits], (g) => {
      const scale = g.item() / count;
      const d = floatLike(logits, N * V);
      for (let n = 0; n < N; n++) {
        const target = targetCopy[n]!;
        if (target === ignoreIndex) continue;
        for (let v = 0; v < V; v++) d[n * V + v] = Math.exp(logp[n * V + v]!) * scale;
        d[n * V + target]! -= scale;
      }
      return [new Tensor(d, logits.shape)];
    });
  }
  return y;
}

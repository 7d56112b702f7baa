// The learning-rate schedule of nanoGPT's train.py (`get_lr`): linear warmup, then a cosine
// decay to `minLr`, then `minLr` for good.
//
//   it < warmup:              lr · (it + 1) / (warmup + 1)
//   warmup <= it <= decay:    minLr + ½ (1 + cos(π · r)) (lr − minLr),  r = (it − warmup) / (decay − warmup)
//   it > decay:               minLr
//
// The warmup starts at lr/(warmup+1), not 0, so the very first step already moves the weights.
// Not here: other schedules (constant = set minLr equal to learningRate), restarts.
// Reference: karpathy/nanoGPT train.py, get_lr().

export interface LrSchedule {
  learningRate: number;
  minLr: number;
  warmupIters: number;
  lrDecayIters: number;
}

/** The learning rate used by optimizer step `it` (0-based). */
export function getLr(it: number, s: LrSchedule): number {
  if (it < s.warmupIters) return (s.learningRate * (it + 1)) / (s.warmupIters + 1);
  if (it > s.lrDecayIters) return s.minLr;
  // decay === warmup leaves no room for a cosine: nanoGPT would divide by zero; we go straight to lr.
  const span = s.lrDecayIters - s.warmupIters;
  const ratio = span > 0 ? (it - s.warmupIters) / span : 0;
  const coeff = 0.5 * (1 + Math.cos(Math.PI * ratio)); // 1 -> 0 as ratio goes 0 -> 1
  return s.minLr + coeff * (s.learningRate - s.minLr);
}

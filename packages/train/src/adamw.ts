// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019) with PyTorch's exact
// order of operations (torch/optim/adamw.py, _single_tensor_adamw). For each parameter p with
// gradient g, at step t = 1, 2, ...:
//
//   p ← p · (1 − lr · wd)                 decoupled decay: shrink the weight, outside the moments
//   m ← β1 · m + (1 − β1) · g             first moment (mean of g)
//   v ← β2 · v + (1 − β2) · g²            second moment (mean of g²)
//   m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)   bias corrections: m and v start at 0
//   p ← p − lr · m̂ / (√v̂ + ε)
//
// Weight decay applies to tensors with two or more dimensions only (weight matrices and
// embeddings), never to biases and norm gains — nanoGPT's configure_optimizers makes the same
// split ("all weight tensors in matmuls + embeddings decay, all biases and layernorms don't").
// A parameter without a gradient is skipped entirely (no decay either), as in PyTorch.
//
// PyTorch ≥ 2.0 writes the first moment as m.lerp_(g, 1 − β1), the same value up to float32
// rounding. Storage: m and v are float32 like the parameters (PyTorch keeps them in the parameter's dtype);
// each element's update is computed in float64 and rounded to float32 at every store.
// The per-element loop is the backend's fused `adamw` kernel (one pass over w, g, m and v;
// @llmts/tensor src/backend/adamw.ts), bit-identical on every backend, so resumed runs reproduce
// their losses exactly. It runs through adamwUpdate_, one of the tensor package's in-place ops, so
// the moments are tensors like the parameters and never leave the backend between steps.
// Not here: AMSGrad, maximize, per-group hyperparameters.

import { adamwUpdate_, noGrad, Tensor, zeros } from "@llmts/tensor";

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  /** Added to √v̂ (PyTorch's default 1e-8). */
  eps?: number;
  weightDecay: number;
}

/** What a checkpoint needs to continue the optimizer exactly: the step count and both moments. */
export interface AdamWState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export class AdamW {
  readonly params: Map<string, Tensor>;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Optimizer steps taken so far (t in the bias corrections). */
  stepCount = 0;
  private readonly m = new Map<string, Tensor>(); // float32, the parameter's shape
  private readonly v = new Map<string, Tensor>();

  constructor(params: Map<string, Tensor>, options: AdamWOptions) {
    this.params = params;
    this.beta1 = options.beta1;
    this.beta2 = options.beta2;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay;
    for (const [name, p] of params) {
      if (p.dtype !== "float32")
        throw new Error(`AdamW: parameter "${name}" is ${p.dtype}, expected float32`);
      this.m.set(name, zeros(p.shape));
      this.v.set(name, zeros(p.shape));
    }
  }

  /** True for the tensors weight decay applies to: matrices and embeddings (ndim >= 2). */
  static decays(p: Tensor): boolean {
    return p.ndim >= 2;
  }

  /** One update of every parameter that has a gradient, with learning rate `lr`. */
  step(lr: number): void {
    this.stepCount += 1;
    const t = this.stepCount;
    const { beta1, beta2, eps } = this;
    const biasCorrection1 = 1 - beta1 ** t;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
    const stepSize = lr / biasCorrection1;
    // Under noGrad, as PyTorch's optimizers: the update is not part of any graph.
    noGrad(() => {
      for (const [name, p] of this.params) {
        if (p.grad === null) continue;
        adamwUpdate_(p, p.grad, this.m.get(name)!, this.v.get(name)!, {
          beta1,
          beta2,
          eps,
          stepSize,
          biasCorrection2Sqrt,
          decay: AdamW.decays(p) ? 1 - lr * this.weightDecay : 1,
        });
      }
    });
  }

  /** Drops every gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.params.values()) p.zeroGrad();
  }

  /** The state to save: the moments' values now (read them before the next step changes them). */
  getState(): AdamWState {
    const values = (moments: Map<string, Tensor>) =>
      new Map([...moments].map(([name, t]) => [name, t.dataSync() as Float32Array]));
    return { step: this.stepCount, m: values(this.m), v: values(this.v) };
  }

  /** Continues from a saved state; every parameter must have moments of its own size. */
  loadState(state: AdamWState): void {
    for (const [name, p] of this.params) {
      const m = state.m.get(name);
      const v = state.v.get(name);
      if (m === undefined || v === undefined)
        throw new Error(`AdamW: saved state has no moments for "${name}"`);
      if (m.length !== p.size || v.length !== p.size) {
        throw new Error(
          `AdamW: saved moments for "${name}" have ${m.length} elements, the parameter has ${p.size}`,
        );
      }
      this.m.get(name)!.copy_(Tensor.fromArray(m, [...p.shape]));
      this.v.get(name)!.copy_(Tensor.fromArray(v, [...p.shape]));
    }
    this.stepCount = state.step;
  }
}

// The Tensor class: a typed array plus shape, strides and offset, and the autograd fields.
//
// Element (i0, i1, ..., in) lives at storage[offset + Σ i_d * strides[d]]. Views (reshape,
// permute, narrow, expand, ...) share the storage and only change shape/strides/offset, so
// slicing a KV cache or transposing a weight costs nothing; contiguous() copies when a kernel
// needs rows laid out one after another.
// The methods at the bottom only forward to the op functions in src/ops/ (where each forward
// sits next to its backward), so `x.matmul(w).add(b)` and `add(matmul(x, w), b)` are the same.
// Not here: the ops themselves, autograd's graph walk (autograd.ts), factories (factories.ts).
// Reference: PyTorch's strided tensor model (https://pytorch.org/docs/stable/tensor_view.html),
// TF.js's dataSync()/data() split for reading values back.

import { type GradNode, runBackward } from "./autograd.ts";
import type { TypedArray } from "./backend/backend.ts";
import { getBackend } from "./backend/backend.ts";
import { ShapeError, shapeString } from "./errors.ts";
import { cast } from "./ops/cast.ts";
import { dropout } from "./ops/dropout.ts";
import { add, div, exp, gelu, log, mul, neg, pow, relu, silu, sqrt, sub, tanh } from "./ops/elementwise.ts";
import { embedding } from "./ops/embedding.ts";
import { copy_ } from "./ops/inplace.ts";
import { concat, split } from "./ops/join.ts";
import { crossEntropy } from "./ops/loss.ts";
import { maskedFill } from "./ops/mask.ts";
import { matmul } from "./ops/matmul.ts";
import { layerNorm, rmsNorm } from "./ops/norm.ts";
import { max, mean, sum } from "./ops/reduce.ts";
import { logSoftmax, softmax } from "./ops/softmax.ts";
import {
  contiguous,
  expand,
  narrow,
  permute,
  reshape,
  squeeze,
  transpose,
  unsqueeze,
  view,
} from "./ops/views.ts";
import type { Rng } from "./random.ts";
import { checkShape, contiguousStrides, numelOf } from "./shape.ts";

export type DType = "float32" | "float64" | "int32";
export type NestedArray = number | NestedArray[];

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  return "int32";
}

export function allocate(dtype: DType, n: number): TypedArray {
  if (dtype === "float32") return new Float32Array(n);
  if (dtype === "float64") return new Float64Array(n);
  return new Int32Array(n);
}

/** Accepts both reshape(2, 3) and reshape([2, 3]). */
function dimsArg(dims: readonly (number | readonly number[])[]): number[] {
  return dims.length === 1 && Array.isArray(dims[0]) ? [...(dims[0] as number[])] : (dims as number[]);
}

export class Tensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /**
   * The backing array. Backend-internal: kernels read it together with strides/offset; user
   * code reads values through dataSync() / data() so that a device backend could hold them.
   */
  readonly storage: TypedArray;

  /** Set on parameters; ops whose inputs require grad record a graph. */
  requiresGrad = false;
  /** Gradient accumulated by backward() (leaf tensors only), contiguous, same shape and dtype. */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves and once backward() released the graph). */
  gradFn: GradNode | null = null;
  /** False for tensors made by a recorded op; only leaves receive `.grad`. */
  isLeaf = true;

  constructor(storage: TypedArray, shape: readonly number[], strides?: readonly number[], offset = 0) {
    checkShape(shape, "Tensor");
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    this.dtype = dtypeOf(storage);
    this.size = numelOf(shape);
    if (strides === undefined && offset + this.size > storage.length) {
      throw new ShapeError(
        `Tensor: shape ${shapeString(shape)} needs ${this.size} elements from offset ${offset}, the array has ${storage.length}`,
      );
    }
  }

  /** Wraps an existing typed array without copying (the weight loader's entry point). */
  static fromArray(data: TypedArray, shape: readonly number[] = [data.length]): Tensor {
    if (numelOf(shape) !== data.length) {
      throw new ShapeError(
        `fromArray: shape ${shapeString(shape)} needs ${numelOf(shape)} elements, got ${data.length}`,
      );
    }
    return new Tensor(data, shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  numel(): number {
    return this.size;
  }

  /** True when elements are laid out row-major with no gaps (strides of size-1 dims don't matter). */
  isContiguous(): boolean {
    let expected = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      const s = this.shape[d]!;
      if (s !== 1 && this.strides[d] !== expected) return false;
      expected *= s;
    }
    return true;
  }

  // --- reading values back -------------------------------------------------------------------

  /**
   * The values in row-major order, to read. For a contiguous tensor this is the backing array
   * itself (a subarray, no copy); otherwise a fresh contiguous copy. Do not write to it: whether
   * a write shows in the tensor depends on the layout (and on a device backend it never would).
   * Values change only through copy_() and the other in-place ops of ops/inplace.ts.
   */
  dataSync(): TypedArray {
    if (this.isContiguous()) {
      if (this.offset === 0 && this.storage.length === this.size) return this.storage;
      return this.storage.subarray(this.offset, this.offset + this.size);
    }
    const out = allocate(this.dtype, this.size);
    getBackend().copyStrided(
      { data: this.storage, offset: this.offset, strides: this.strides },
      out,
      this.shape,
    );
    return out;
  }

  /** The asynchronous twin of dataSync(): a device backend may have to wait for the values. */
  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /** A fresh copy of the values in row-major order, safe to mutate. */
  toArray(): TypedArray {
    return this.dataSync().slice();
  }

  /** The values as nested JavaScript arrays (a number for a scalar). */
  toNested(): NestedArray {
    const flat = this.dataSync();
    const build = (dim: number, start: number): NestedArray => {
      if (dim === this.shape.length) return flat[start]!;
      const inner = numelOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, start + i * inner));
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new ShapeError(`item: needs a one-element tensor, got ${shapeString(this.shape)}`);
    return this.storage[this.offset]!;
  }

  toString(): string {
    return `Tensor(${shapeString(this.shape)}, ${this.dtype}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }

  // --- autograd -------------------------------------------------------------------------------

  /**
   * Computes d(this)/d(leaf) for every leaf that requires grad and adds it into leaf.grad.
   * `this` must be a scalar unless `seed` (the gradient of some outer scalar w.r.t. this) is given.
   */
  backward(seed?: Tensor): void {
    if (seed === undefined && this.size !== 1) {
      throw new ShapeError(`backward: needs a scalar or a seed gradient, got ${shapeString(this.shape)}`);
    }
    if (seed !== undefined && seed.shape.join() !== this.shape.join()) {
      throw new ShapeError(
        `backward: seed ${shapeString(seed.shape)} does not match ${shapeString(this.shape)}`,
      );
    }
    const g = seed ?? new Tensor(allocate(this.dtype, this.size).fill(1), this.shape);
    runBackward(this, g);
  }

  /** Adds `g` into this.grad (called by the backward pass on leaves). */
  accumulateGrad(g: Tensor): void {
    const values = g.dataSync();
    if (this.grad === null) {
      // Always copy: `g` may share storage with another tensor (a seed, a view of a gradient).
      this.grad = new Tensor(values.slice(), this.shape);
      return;
    }
    const acc = this.grad.storage;
    for (let i = 0; i < acc.length; i++) acc[i]! += values[i]!;
  }

  /** A tensor over the same storage that is cut from the graph (requiresGrad false). */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }

  requiresGrad_(flag = true): this {
    if (flag && this.dtype === "int32") throw new Error("requiresGrad_: integer tensors cannot require grad");
    this.requiresGrad = flag;
    return this;
  }

  zeroGrad(): void {
    this.grad = null;
  }

  /** Writes src's values (broadcast to this shape) into this tensor, in place; returns this. */
  copy_(src: Tensor): this {
    copy_(this, src);
    return this;
  }

  // --- views (src/ops/views.ts) ------------------------------------------------------------------

  contiguous(): Tensor {
    return contiguous(this);
  }
  /** A copy with another element type (returns `this` when the dtype already matches). */
  cast(dtype: DType): Tensor {
    return cast(this, dtype);
  }
  reshape(...shape: (number | readonly number[])[]): Tensor {
    return reshape(this, dimsArg(shape));
  }
  view(...shape: (number | readonly number[])[]): Tensor {
    return view(this, dimsArg(shape));
  }
  permute(...dims: (number | readonly number[])[]): Tensor {
    return permute(this, dimsArg(dims));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return transpose(this, dim0, dim1);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return narrow(this, dim, start, length);
  }
  expand(...shape: (number | readonly number[])[]): Tensor {
    return expand(this, dimsArg(shape));
  }
  unsqueeze(dim: number): Tensor {
    return unsqueeze(this, dim);
  }
  squeeze(dim?: number): Tensor {
    return squeeze(this, dim);
  }

  // --- ops (src/ops/*.ts) --------------------------------------------------------------------------

  add(b: Tensor | number): Tensor {
    return add(this, b);
  }
  sub(b: Tensor | number): Tensor {
    return sub(this, b);
  }
  mul(b: Tensor | number): Tensor {
    return mul(this, b);
  }
  div(b: Tensor | number): Tensor {
    return div(this, b);
  }
  neg(): Tensor {
    return neg(this);
  }
  pow(exponent: number): Tensor {
    return pow(this, exponent);
  }
  exp(): Tensor {
    return exp(this);
  }
  log(): Tensor {
    return log(this);
  }
  sqrt(): Tensor {
    return sqrt(this);
  }
  tanh(): Tensor {
    return tanh(this);
  }
  relu(): Tensor {
    return relu(this);
  }
  gelu(approximate: "none" | "tanh" = "none"): Tensor {
    return gelu(this, approximate);
  }
  silu(): Tensor {
    return silu(this);
  }
  sum(axes?: number | readonly number[], keepdim = false): Tensor {
    return sum(this, axes, keepdim);
  }
  mean(axes?: number | readonly number[], keepdim = false): Tensor {
    return mean(this, axes, keepdim);
  }
  max(axes?: number | readonly number[], keepdim = false): Tensor {
    return max(this, axes, keepdim);
  }
  softmax(): Tensor {
    return softmax(this);
  }
  logSoftmax(): Tensor {
    return logSoftmax(this);
  }
  matmul(b: Tensor): Tensor {
    return matmul(this, b);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return maskedFill(this, mask, value);
  }
  layerNorm(weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
    return layerNorm(this, weight, bias, eps);
  }
  rmsNorm(weight: Tensor | null, eps = 1e-5): Tensor {
    return rmsNorm(this, weight, eps);
  }
  /** this: weight [V, C]; ids: int32 [...] -> [..., C]. */
  embedding(ids: Tensor): Tensor {
    return embedding(this, ids);
  }
  crossEntropy(targets: Tensor, options?: { ignoreIndex?: number }): Tensor {
    return crossEntropy(this, targets, options);
  }
  dropout(p: number, rng: Rng, training: boolean): Tensor {
    return dropout(this, p, rng, training);
  }
  concat(others: readonly Tensor[], dim = 0): Tensor {
    return concat([this, ...others], dim);
  }
  split(sizes: number | readonly number[], dim = 0): Tensor[] {
    return split(this, sizes, dim);
  }
}

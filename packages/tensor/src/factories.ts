// Functions that create tensors: from JavaScript values (copying), over an existing typed
// array (not copying), filled with a constant, ranges and seeded random values.
// Not here: loading weights from files (that is @llmts/safetensors).
// Reference: PyTorch's `torch.tensor`, `zeros`, `arange`, `randn`; TF.js's `tf.tensor`.

import type { TypedArray } from "./backend/backend.ts";
import { ShapeError, shapeString } from "./errors.ts";
import type { Rng } from "./random.ts";
import { checkShape, numelOf } from "./shape.ts";
import { allocate, type DType, type NestedArray, Tensor } from "./tensor.ts";

/** The shape of a nested array, checking that it is rectangular: [[1, 2], [3, 4]] -> [2, 2]. */
function nestedShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] ?? 0;
  }
  return shape;
}

function flatten(values: NestedArray, shape: readonly number[], out: TypedArray): void {
  let i = 0;
  const walk = (v: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v !== "number") throw new ShapeError("tensor: nested array is not rectangular");
      out[i++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim])
      throw new ShapeError("tensor: nested array is not rectangular");
    for (const item of v) walk(item, dim + 1);
  };
  walk(values, 0);
}

/**
 * A tensor holding a copy of `values`: a number (shape []), a nested array (shape inferred),
 * or a flat array / typed array with an optional `shape` (default: 1-D).
 *   tensor([[1, 2], [3, 4]])                -> float32 [2, 2]
 *   tensor(new Float32Array(6), [2, 3])     -> float32 [2, 3]
 */
export function tensor(
  values: number | NestedArray | TypedArray,
  shape?: readonly number[],
  dtype: DType = "float32",
): Tensor {
  if (typeof values === "number") {
    if (dtype === "int32") checkIntegers([values], "intTensor");
    const data = allocate(dtype, 1);
    data[0] = values;
    return new Tensor(data, shape ?? []);
  }
  const op = dtype === "int32" ? "intTensor" : "tensor";
  const flatInput =
    ArrayBuffer.isView(values) || (values as NestedArray[]).every((v) => typeof v === "number");
  if (flatInput) {
    const flat = values as ArrayLike<number>;
    const s = shape ?? [flat.length];
    checkShape(s, "tensor");
    if (numelOf(s) !== flat.length) {
      throw new ShapeError(`tensor: shape ${shapeString(s)} needs ${numelOf(s)} values, got ${flat.length}`);
    }
    if (dtype === "int32" && !(values instanceof Int32Array)) checkIntegers(flat, op);
    const data = allocate(dtype, flat.length);
    data.set(flat);
    return new Tensor(data, s);
  }
  const s = nestedShape(values as NestedArray);
  // Nested values are gathered as float64 first, so int32 ones can be checked before the store.
  const gathered = allocate(dtype === "int32" ? "float64" : dtype, numelOf(s));
  flatten(values as NestedArray, s, gathered);
  if (dtype === "int32") checkIntegers(gathered, op);
  const data = dtype === "int32" ? Int32Array.from(gathered) : gathered;
  const t = new Tensor(data, s);
  return shape ? t.reshape(shape) : t;
}

/**
 * An int32 tensor, e.g. token ids: intTensor([[15496, 11, 995]]) -> [1, 3]. Values must be whole
 * numbers in int32's range: intTensor([1.5]) throws rather than truncate to 1.
 */
export function intTensor(values: NestedArray | Int32Array, shape?: readonly number[]): Tensor {
  return tensor(values, shape, "int32");
}

/** Throws unless every value fits an int32 exactly (an Int32Array's store would truncate or wrap). */
function checkIntegers(values: ArrayLike<number>, op: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new RangeError(
        `${op}: value ${v} at index ${i} is not an int32 (int32 tensors hold whole numbers)`,
      );
    }
  }
}

/** Wraps a typed array without copying (writes to the array show through). */
export function fromArray(data: TypedArray, shape?: readonly number[]): Tensor {
  return Tensor.fromArray(data, shape);
}

export function full(shape: readonly number[], value: number, dtype: DType = "float32"): Tensor {
  checkShape(shape, "full");
  return new Tensor(allocate(dtype, numelOf(shape)).fill(value), shape);
}

export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return full(shape, 0, dtype);
}

export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return full(shape, 1, dtype);
}

export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0, t.dtype);
}

export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1, t.dtype);
}

/** arange(5) -> [0, 1, 2, 3, 4]; arange(2, 8, 2) -> [2, 4, 6]; arange(0, T, 1, "int32") for positions. */
export function arange(startOrEnd: number, end?: number, step = 1, dtype: DType = "float32"): Tensor {
  const start = end === undefined ? 0 : startOrEnd;
  const stop = end === undefined ? startOrEnd : end;
  if (step === 0) throw new RangeError("arange: step must not be 0");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

/** Samples of N(0, std²) from the seeded generator (the same seed gives the same tensor). */
export function randn(shape: readonly number[], rng: Rng, std = 1, dtype: DType = "float32"): Tensor {
  checkShape(shape, "randn");
  const data = allocate(dtype, numelOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
  return new Tensor(data, shape);
}

/** Uniform samples in [low, high). */
export function rand(
  shape: readonly number[],
  rng: Rng,
  low = 0,
  high = 1,
  dtype: DType = "float32",
): Tensor {
  checkShape(shape, "rand");
  const data = allocate(dtype, numelOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.nextFloat();
  return new Tensor(data, shape);
}

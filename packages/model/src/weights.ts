// Checkpoint tensors -> parameter tensors, checked against an architecture's parameter list.
//
// Two passes: first every header entry is checked (names, shapes, dtypes) and all problems are
// reported together in one WeightLoadError; then tensors are read one at a time, converted to f32
// (F16 / BF16 / F64 widened or narrowed exactly by @llmts/safetensors) and wrapped without a copy.
// Because each tensor is read into its own buffer and that buffer becomes the parameter, GPT-2
// 124M never holds the weights twice. With `allocate` the caller says where that buffer is (an
// engine's memory, where its kernels read the weights in place): F32 bytes are read straight
// into it.
// Not here: which names an architecture expects (gpt2.ts / llama.ts list them), quantised dtypes,
// files (the caller hands over a WeightSource).
// Reference: transformers' `_load_state_dict_into_model` missing / unexpected / mismatched keys.

import { type Tensor as StTensor, toFloat32 } from "@llmts/safetensors";
import { Tensor } from "@llmts/tensor";
import { WeightLoadError, type WrongShape } from "./errors.ts";
import type { ParamSpec } from "./params.ts";

const FLOAT_DTYPES = new Set(["F32", "F16", "BF16", "F64"]);

/**
 * A checkpoint's tensors, wherever they are: one safetensors file in memory (a browser, from
 * @llmts/safetensors parseSafetensors) or shards read lazily from disk (the Node adapter, from
 * @llmts/safetensors/node openCheckpoint).
 */
export interface WeightSource {
  readonly tensors: readonly { name: string; dtype: string; shape: readonly number[] }[];
  has(name: string): boolean;
  /** The tensor's bytes as stored; a source that can reads them into `into` (their byte length). */
  read(name: string, into?: Uint8Array): StTensor;
}

/**
 * Where a long-lived float32 array goes: a zeroed array of n elements. Default `new Float32Array(n)`;
 * an engine may hand out arrays in the memory its kernels read (@llmts/kernels' pinnedFloat32).
 */
export type Allocate = (n: number) => Float32Array;

/**
 * Loads every spec'd parameter from `ckpt` (requiresGrad set, like torch parameters).
 * `ignored(name)` says which extra tensors are expected and skipped (buffers, a tied lm_head).
 * `source` names the checkpoint in error messages; `allocate` where the values go.
 */
export function loadWeights(
  ckpt: WeightSource,
  specs: readonly ParamSpec[],
  ignored: (name: string) => boolean,
  source: string,
  allocate?: Allocate,
): Map<string, Tensor> {
  const expected = new Map(specs.map((s) => [s.name, s]));
  const missing: string[] = [];
  const unexpected: string[] = [];
  const wrongShape: WrongShape[] = [];
  const wrongDtype: { name: string; dtype: string }[] = [];
  for (const spec of specs) if (!ckpt.has(spec.name)) missing.push(spec.name);
  for (const info of ckpt.tensors) {
    const spec = expected.get(info.name);
    if (spec === undefined) {
      if (!ignored(info.name)) unexpected.push(info.name);
      continue;
    }
    if (info.shape.join() !== spec.shape.join()) {
      wrongShape.push({ name: info.name, expected: spec.shape, actual: info.shape });
    }
    if (!FLOAT_DTYPES.has(info.dtype)) wrongDtype.push({ name: info.name, dtype: info.dtype });
  }
  if (missing.length + unexpected.length + wrongShape.length + wrongDtype.length > 0) {
    throw new WeightLoadError(source, { missing, unexpected, wrongShape, wrongDtype });
  }

  const params = new Map<string, Tensor>();
  const dtypes = new Map(ckpt.tensors.map((t) => [t.name, t.dtype]));
  for (const spec of specs) {
    const values = allocate
      ? readInto(ckpt, spec, dtypes.get(spec.name), allocate)
      : toFloat32(ckpt.read(spec.name)); // F32: a view of the bytes just read
    params.set(spec.name, Tensor.fromArray(values, spec.shape).requiresGrad_());
  }
  return params;
}

/** One tensor's values in an array from `allocate`: F32 bytes read in place, others converted. */
function readInto(
  ckpt: WeightSource,
  spec: ParamSpec,
  dtype: string | undefined,
  allocate: Allocate,
): Float32Array {
  const values = allocate(spec.shape.reduce((n, d) => n * d, 1));
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const t = ckpt.read(spec.name, dtype === "F32" ? bytes : undefined);
  // A source that cannot read into a buffer (bytes already in memory) returns its own: copy once.
  if (t.data.buffer !== values.buffer || t.data.byteOffset !== values.byteOffset) values.set(toFloat32(t));
  return values;
}

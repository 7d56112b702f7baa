// The tensor record this package reads and writes: { type, shape, data }, with
// data = the tensor's bytes in its ggml type and shape outermost first (row-major, the order
// numpy, PyTorch and safetensors use). In the file the dims are stored reversed (ggml's ne,
// innermost first): a Hugging Face weight [out, in] has shape [out, in] here and ne = [in, out]
// in the file. The rows (the innermost dimension, shape[shape.length - 1]) are what the blocks
// of Q8_0 / Q4_0 run along, so they must be a multiple of 32 long for those types.
//
// fromFloat32 builds a tensor from f32 values (quantizing), toFloat32 reads one back.
// Not here: the block math (quant/), files (read.ts, write.ts).

import { fail } from "./errors.ts";
import { type GgufTensorType, ggmlTypeByName, isTensorType } from "./ggml-types.ts";
import { MAX_DIMS } from "./header.ts";
import { dequantize, quantize } from "./quantize.ts";

export interface GgufTensor {
  type: GgufTensorType;
  /** Outermost first (row-major): HF [out, in] is [out, in] here, ne = [in, out] in the file. */
  shape: number[];
  /** The bytes as stored: elementCount / blockSize * typeSize of them. */
  data: Uint8Array;
}

/** Bytes a tensor of `type` and `shape` takes; throws unless its rows are whole blocks. */
export function tensorByteLength(type: GgufTensorType, shape: readonly number[], name?: string): number {
  const where = name === undefined ? "tensor" : `tensor "${name}"`;
  if (!isTensorType(type)) {
    fail(`${where} has type ${JSON.stringify(type)}; the types written here are F32, F16, BF16, Q8_0, Q4_0`);
  }
  if (
    !Array.isArray(shape) ||
    shape.length > MAX_DIMS ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  ) {
    fail(`${where} has shape ${JSON.stringify(shape)}; expected at most ${MAX_DIMS} whole numbers >= 0`);
  }
  const { blockSize, typeSize } = ggmlTypeByName(type)!;
  const rowLength = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  if (rowLength % blockSize !== 0) {
    fail(
      `${where} is ${type} [${shape.join(", ")}]: its rows of ${rowLength} values are not a multiple of the ${blockSize}-value block`,
    );
  }
  const bytes = (shape.reduce((n, d) => n * d, 1) / blockSize) * typeSize;
  if (!Number.isSafeInteger(bytes)) fail(`${where} [${shape.join(", ")}] is larger than any file`);
  return bytes;
}

/** Throw unless the type is one we write, the shape fits it and the bytes match. */
export function checkTensor(t: GgufTensor, name?: string): void {
  const bytes = tensorByteLength(t.type, t.shape, name);
  const where = name === undefined ? "tensor" : `tensor "${name}"`;
  if (!(t.data instanceof Uint8Array)) fail(`${where} data must be a Uint8Array`);
  if (t.data.byteLength !== bytes) {
    fail(
      `${where} is ${t.type} [${t.shape.join(", ")}] (${bytes} bytes) but has ${t.data.byteLength} bytes of data`,
    );
  }
}

/**
 * f32 values (row-major, `shape` outermost first) as a tensor of `type`, quantized as ggml does:
 * `fromFloat32(weight, [out, in], "Q8_0")`.
 */
export function fromFloat32(values: Float32Array, shape: number[], type: GgufTensorType): GgufTensor {
  tensorByteLength(type, shape);
  const n = shape.reduce((a, d) => a * d, 1);
  if (values.length !== n) fail(`${values.length} values do not fill shape [${shape.join(", ")}]`);
  return { type, shape: [...shape], data: quantize(values, type) };
}

/** The tensor's values as f32, row-major (dequantized for Q8_0 / Q4_0; exact for the others). */
export function toFloat32(t: GgufTensor): Float32Array {
  checkTensor(t);
  return dequantize(t.data, t.type);
}

// Public API of @llmts/gguf: read, validate and write GGUF bytes (llama.cpp's model format), and
// ggml's Q8_0 / Q4_0 block quantization. Browser-safe: no Node imports here or in anything it
// imports. Files on disk (incremental header reads, one tensor at a time, atomic writes):
// "@llmts/gguf/node".
export { type ByteSource, bytesSource } from "./cursor.ts";
export { GgufError } from "./errors.ts";
export {
  GGML_TYPES,
  type GgmlType,
  type GgufTensorType,
  ggmlTypeById,
  ggmlTypeByName,
  isTensorType,
  TENSOR_TYPES,
} from "./ggml-types.ts";
export {
  DEFAULT_ALIGNMENT,
  type GgufHeader,
  type GgufTensorInfo,
  MAX_DIMS,
  parseGgufHeader,
} from "./header.ts";
export { getArray, getBoolean, getNumber, getString } from "./metadata.ts";
export { dequantizeQ4_0, quantizeQ4_0 } from "./quant/q4_0.ts";
export { dequantizeQ8_0, quantizeQ8_0 } from "./quant/q8_0.ts";
export { dequantize, quantize } from "./quantize.ts";
export { type GgufFile, parseGguf } from "./read.ts";
export { checkTensor, fromFloat32, type GgufTensor, tensorByteLength, toFloat32 } from "./tensor.ts";
export {
  type GgufArray,
  type GgufArrayItems,
  type GgufMetadata,
  type GgufValue,
  type GgufValueType,
  VALUE_TYPES,
} from "./values.ts";
export {
  type GgufWriteSpec,
  type GgufWriteTensor,
  type PreparedGguf,
  prepareGguf,
  writeGguf,
} from "./write.ts";

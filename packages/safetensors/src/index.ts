// Public API of @llmts/safetensors: read, validate and write safetensors bytes; convert between
// the file's dtypes and typed arrays. Browser-safe: no Node imports here or in anything it
// imports. Files on disk (lazy reads, atomic writes, sharded checkpoints): "@llmts/safetensors/node".
export { toBigInt64, toFloat32, toFloat64, toInt32 } from "./convert.ts";
export { DTYPES, type DType, dtypeSize, elementCount, isDType } from "./dtypes.ts";
export { SafetensorsError } from "./errors.ts";
export { bf16ToF32, f8e4m3ToF32, f8e5m2ToF32, f8e8m0ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "./floats.ts";
export {
  MAX_HEADER_LENGTH,
  parseHeader,
  readHeaderLength,
  type SafetensorsHeader,
  type TensorInfo,
} from "./header.ts";
export { parseSafetensors, type SafetensorsFile } from "./read.ts";
export { checkTensor, createTensor, fromFloat32, fromNumbers, type Tensor } from "./tensor.ts";
export {
  type NamedTensors,
  type PreparedSafetensors,
  prepareSafetensors,
  serializeSafetensors,
} from "./write.ts";

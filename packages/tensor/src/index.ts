// Public API of @llmts/tensor: the Tensor class, factories, ops, autograd controls, the backend
// interface and its reference kernels (what a faster backend such as @llmts/kernels is tested against).
// See README.md for signatures and an example.

export { type GradNode, isGradEnabled, noGrad } from "./autograd.ts";
export { adamwReference } from "./backend/adamw.ts";
export {
  type AdamWHyper,
  type AdamWParams,
  type AttentionGradParams,
  type AttentionInputs,
  type AttentionParams,
  type Backend,
  type BackendKernels,
  type BinaryOp,
  type FloatArray,
  getBackend,
  type MatmulParams,
  type QuantizedMatmulParams,
  type Strided,
  setBackend,
  type TypedArray,
  type UnaryOp,
} from "./backend/backend.ts";
export { matmulReference, referenceBackend } from "./backend/reference.ts";
export {
  attentionGradReference,
  attentionReference,
  firstVisibleKey,
} from "./backend/reference-attention.ts";
export { matmulQuantizedReference } from "./backend/reference-quantized.ts";
export { ShapeError } from "./errors.ts";
export {
  arange,
  fromArray,
  full,
  intTensor,
  ones,
  onesLike,
  rand,
  randn,
  tensor,
  zeros,
  zerosLike,
} from "./factories.ts";
export { type CausalAttentionOptions, causalAttention } from "./ops/attention.ts";
export { cast } from "./ops/cast.ts";
export { dropout } from "./ops/dropout.ts";
export {
  add,
  broadcastView,
  div,
  exp,
  gelu,
  log,
  mul,
  neg,
  pow,
  relu,
  silu,
  sqrt,
  sub,
  tanh,
} from "./ops/elementwise.ts";
export { embedding } from "./ops/embedding.ts";
export { adamwUpdate_, copy_ } from "./ops/inplace.ts";
export { concat, split } from "./ops/join.ts";
export { crossEntropy } from "./ops/loss.ts";
export { causalMask, maskedFill } from "./ops/mask.ts";
export { matmul } from "./ops/matmul.ts";
export { layerNorm, rmsNorm } from "./ops/norm.ts";
export { embeddingQuantized, matmulQuantized } from "./ops/quantized.ts";
export { max, mean, sum } from "./ops/reduce.ts";
export { logSoftmax, softmax } from "./ops/softmax.ts";
export {
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
export {
  dequantizeBlock,
  dequantizeRow,
  halfToFloat,
  QUANT_BLOCK,
  QUANT_BLOCK_BYTES,
  QuantizedMatrix,
  type QuantType,
} from "./quantized.ts";
export { Rng } from "./random.ts";
export { type DType, type NestedArray, Tensor } from "./tensor.ts";

// The tensor types a GGUF file can name (ggml's `enum ggml_type`), with their block layout, and
// the five this package decodes.
//
// ggml stores a tensor as blocks along its innermost dimension: `blockSize` elements packed into
// `typeSize` bytes. F32 is blocks of 1 element in 4 bytes; Q8_0 is blocks of 32 elements in 34
// bytes (an f16 scale and 32 int8). A tensor's innermost dimension (ne[0], its row length) must
// be a multiple of blockSize, and its size in bytes is elementCount / blockSize * typeSize.
//
// Every type ggml defines is listed so that a file's header can be read and its layout checked
// whatever it holds; reading the data of a type other than F32, F16, BF16, Q8_0 and Q4_0 is
// refused (read.ts). Ids 4, 5, 31-33 and 36-38 were removed from ggml and are unknown here.
// Reference: ggml/include/ggml.h `enum ggml_type`; block sizes from the static_asserts in
// ggml/src/ggml-common.h (gguf-py's GGML_QUANT_SIZES agrees, except that it gives Q8_1 40 bytes
// where ggml's block_q8_1 has 36).

export interface GgmlType {
  /** The id stored in a tensor info. */
  id: number;
  /** gguf-py's name (GGMLQuantizationType), e.g. "Q8_0". */
  name: string;
  /** Elements per block. */
  blockSize: number;
  /** Bytes per block. */
  typeSize: number;
}

const QK_K = 256; // elements per super-block of the k-quants and i-quants

export const GGML_TYPES: readonly GgmlType[] = [
  { id: 0, name: "F32", blockSize: 1, typeSize: 4 },
  { id: 1, name: "F16", blockSize: 1, typeSize: 2 },
  { id: 2, name: "Q4_0", blockSize: 32, typeSize: 2 + 16 },
  { id: 3, name: "Q4_1", blockSize: 32, typeSize: 2 + 2 + 16 },
  { id: 6, name: "Q5_0", blockSize: 32, typeSize: 2 + 4 + 16 },
  { id: 7, name: "Q5_1", blockSize: 32, typeSize: 2 + 2 + 4 + 16 },
  { id: 8, name: "Q8_0", blockSize: 32, typeSize: 2 + 32 },
  { id: 9, name: "Q8_1", blockSize: 32, typeSize: 2 + 2 + 32 },
  { id: 10, name: "Q2_K", blockSize: QK_K, typeSize: 2 + 2 + QK_K / 16 + QK_K / 4 },
  { id: 11, name: "Q3_K", blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 8 + 12 },
  { id: 12, name: "Q4_K", blockSize: QK_K, typeSize: 2 + 2 + 12 + QK_K / 2 },
  { id: 13, name: "Q5_K", blockSize: QK_K, typeSize: 2 + 2 + 12 + QK_K / 2 + QK_K / 8 },
  { id: 14, name: "Q6_K", blockSize: QK_K, typeSize: 2 + QK_K / 16 + (3 * QK_K) / 4 },
  { id: 15, name: "Q8_K", blockSize: QK_K, typeSize: 4 + QK_K + QK_K / 8 },
  { id: 16, name: "IQ2_XXS", blockSize: QK_K, typeSize: 2 + QK_K / 4 },
  { id: 17, name: "IQ2_XS", blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 32 },
  { id: 18, name: "IQ3_XXS", blockSize: QK_K, typeSize: 2 + (3 * QK_K) / 8 },
  { id: 19, name: "IQ1_S", blockSize: QK_K, typeSize: 2 + QK_K / 8 + QK_K / 16 },
  { id: 20, name: "IQ4_NL", blockSize: 32, typeSize: 2 + 16 },
  { id: 21, name: "IQ3_S", blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + QK_K / 64 },
  { id: 22, name: "IQ2_S", blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 16 },
  { id: 23, name: "IQ4_XS", blockSize: QK_K, typeSize: 2 + 2 + QK_K / 64 + QK_K / 2 },
  { id: 24, name: "I8", blockSize: 1, typeSize: 1 },
  { id: 25, name: "I16", blockSize: 1, typeSize: 2 },
  { id: 26, name: "I32", blockSize: 1, typeSize: 4 },
  { id: 27, name: "I64", blockSize: 1, typeSize: 8 },
  { id: 28, name: "F64", blockSize: 1, typeSize: 8 },
  { id: 29, name: "IQ1_M", blockSize: QK_K, typeSize: QK_K / 8 + QK_K / 16 + QK_K / 32 },
  { id: 30, name: "BF16", blockSize: 1, typeSize: 2 },
  { id: 34, name: "TQ1_0", blockSize: QK_K, typeSize: 2 + 4 * 13 },
  { id: 35, name: "TQ2_0", blockSize: QK_K, typeSize: 2 + QK_K / 4 },
  { id: 39, name: "MXFP4", blockSize: 32, typeSize: 1 + 16 },
  { id: 40, name: "NVFP4", blockSize: 64, typeSize: 4 + 32 },
  { id: 41, name: "Q1_0", blockSize: 128, typeSize: 2 + 16 },
  { id: 42, name: "Q2_0", blockSize: 64, typeSize: 2 + 16 },
];

/** The types whose data this package reads, writes, quantizes and dequantizes. */
export const TENSOR_TYPES = ["F32", "F16", "BF16", "Q8_0", "Q4_0"] as const;
export type GgufTensorType = (typeof TENSOR_TYPES)[number];

const BY_ID = new Map(GGML_TYPES.map((t) => [t.id, t]));
const BY_NAME = new Map(GGML_TYPES.map((t) => [t.name, t]));

/** The type with this id, or undefined for an id ggml does not define (or has removed). */
export function ggmlTypeById(id: number): GgmlType | undefined {
  return BY_ID.get(id);
}

/** The type called `name` ("Q8_0"), or undefined. */
export function ggmlTypeByName(name: string): GgmlType | undefined {
  return BY_NAME.get(name);
}

export function isTensorType(name: unknown): name is GgufTensorType {
  return typeof name === "string" && (TENSOR_TYPES as readonly string[]).includes(name);
}

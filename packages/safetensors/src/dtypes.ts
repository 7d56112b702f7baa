// The element types a safetensors file can hold, their sizes, and the order the reference Rust
// writer sorts them in.
//
// Reference: huggingface/safetensors, safetensors/src/tensor.rs, `enum Dtype`. The crate derives
// `Ord` from the enum's declaration order and its writer sorts tensors by that order, descending,
// then by name. Its sub-byte types (F4, F6_*) and C64 are deliberately not supported here.

export const DTYPES = [
  "BOOL",
  "U8",
  "I8",
  "F8_E5M2",
  "F8_E4M3",
  "F8_E8M0",
  "I16",
  "U16",
  "F16",
  "BF16",
  "I32",
  "U32",
  "F32",
  "F64",
  "I64",
  "U64",
] as const;

export type DType = (typeof DTYPES)[number];

const SIZES: Record<DType, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** Position in the Rust crate's `enum Dtype` (its `Ord`); the writer sorts by it, descending. */
export const DTYPE_RANK: Record<DType, number> = Object.fromEntries(DTYPES.map((d, i) => [d, i])) as Record<
  DType,
  number
>;

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && Object.hasOwn(SIZES, value);
}

/** Bytes per element: F32 -> 4, BF16 -> 2, BOOL -> 1. */
export function dtypeSize(dtype: DType): number {
  return SIZES[dtype];
}

/**
 * Number of elements of a shape: [] -> 1 (a 0-d scalar), [2, 0, 5] -> 0, [768, 2304] -> 1769472.
 * Returns Infinity when the product is beyond 2^53 (no file can hold that many bytes anyway).
 */
export function elementCount(shape: readonly number[]): number {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const dim of shape) {
    n *= dim;
    if (n > Number.MAX_SAFE_INTEGER) return Number.POSITIVE_INFINITY;
  }
  return n;
}

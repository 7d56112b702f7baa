// GGUF metadata values: the 13 value types (`enum gguf_metadata_value_type`) and how a value of
// each is held in JavaScript. Reading and writing share these types, so a file read and written
// back keeps every key's exact type (a uint32 stays a uint32, not "a number").
//
//   scalar  { type: "uint32", value: 4096 }            8/16/32-bit ints, float32, float64: number
//           { type: "uint64", value: 18446744073709551615n }    64-bit ints: bigint (exact)
//           { type: "bool", value: true }   { type: "string", value: "llama" }
//   array   { type: "array", itemType: "string", value: ["<unk>", "<s>", ...] }
//           { type: "array", itemType: "float32", value: Float32Array [...] }  numbers: typed arrays
//           { type: "array", itemType: "array", value: [{ type: "array", itemType: "int32", ... }] }
//
// Reference: ggml/docs/gguf.md (the value type ids are the positions in VALUE_TYPES below).
// Not here: reading (read-value.ts) and writing (write-value.ts) them.

/** Value types in id order: VALUE_TYPES[8] === "string". */
export const VALUE_TYPES = [
  "uint8",
  "int8",
  "uint16",
  "int16",
  "uint32",
  "int32",
  "float32",
  "bool",
  "string",
  "array",
  "uint64",
  "int64",
  "float64",
] as const;

export type GgufValueType = (typeof VALUE_TYPES)[number];

/** What an array of each item type holds. */
export interface GgufArrayItems {
  uint8: Uint8Array;
  int8: Int8Array;
  uint16: Uint16Array;
  int16: Int16Array;
  uint32: Uint32Array;
  int32: Int32Array;
  float32: Float32Array;
  bool: boolean[];
  string: string[];
  array: GgufArray[];
  uint64: BigUint64Array;
  int64: BigInt64Array;
  float64: Float64Array;
}

/** An array value: its item type and the items (nested arrays are arrays of GgufArray). */
export type GgufArray = {
  [K in GgufValueType]: { type: "array"; itemType: K; value: GgufArrayItems[K] };
}[GgufValueType];

export type GgufValue =
  | {
      type: "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64";
      value: number;
    }
  | { type: "uint64" | "int64"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | GgufArray;

/** Metadata in file order. */
export type GgufMetadata = Map<string, GgufValue>;

/** Bytes of one value of a fixed-size type (undefined for string and array). */
export const FIXED_SIZE: Partial<Record<GgufValueType, number>> = {
  uint8: 1,
  int8: 1,
  bool: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  uint64: 8,
  int64: 8,
  float64: 8,
};

/**
 * The fewest bytes one item of this type can take: its size; 8 for a string (the length of an
 * empty one); 12 for a nested array (item type u32 + length u64). Counts read from a file are
 * checked against these before anything is allocated.
 */
export function minimumItemBytes(type: GgufValueType): number {
  return FIXED_SIZE[type] ?? (type === "string" ? 8 : 12);
}

/** Arrays nested deeper than this are refused (ggml itself refuses any nesting; gguf-py writes it). */
export const MAX_ARRAY_DEPTH = 8;

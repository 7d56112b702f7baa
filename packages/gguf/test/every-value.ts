// Metadata with one value of every GGUF type, arrays of every item type, an empty array and a
// nested one: the input of the writer tests and of the @huggingface/gguf oracle test.
import type { GgufValue } from "../src/index.ts";

/** One value of every type, arrays of every item type, nested and empty arrays. */
export const EVERY_VALUE: [string, GgufValue][] = [
  ["general.architecture", { type: "string", value: "llama" }],
  ["t.uint8", { type: "uint8", value: 255 }],
  ["t.int8", { type: "int8", value: -128 }],
  ["t.uint16", { type: "uint16", value: 65535 }],
  ["t.int16", { type: "int16", value: -32768 }],
  ["t.uint32", { type: "uint32", value: 4294967295 }],
  ["t.int32", { type: "int32", value: -2147483648 }],
  ["t.float32", { type: "float32", value: Math.fround(0.1) }],
  ["t.float32_nan", { type: "float32", value: Number.NaN }],
  ["t.bool", { type: "bool", value: true }],
  ["t.string", { type: "string", value: "h\u00e9llo \u{1f999} \u0000 end" }],
  ["t.uint64", { type: "uint64", value: 2n ** 64n - 1n }],
  ["t.int64", { type: "int64", value: -(2n ** 63n) }],
  ["t.float64", { type: "float64", value: -0 }],
  ["a.uint8", { type: "array", itemType: "uint8", value: Uint8Array.of(0, 255) }],
  ["a.int8", { type: "array", itemType: "int8", value: Int8Array.of(-128, 127) }],
  ["a.uint16", { type: "array", itemType: "uint16", value: Uint16Array.of(65535) }],
  ["a.int16", { type: "array", itemType: "int16", value: Int16Array.of(-1) }],
  ["a.uint32", { type: "array", itemType: "uint32", value: Uint32Array.of(1, 2, 3) }],
  ["a.int32", { type: "array", itemType: "int32", value: Int32Array.of(-5) }],
  [
    "a.float32",
    { type: "array", itemType: "float32", value: Float32Array.of(0.5, Number.POSITIVE_INFINITY) },
  ],
  ["a.float64", { type: "array", itemType: "float64", value: Float64Array.of(1e-310) }],
  ["a.uint64", { type: "array", itemType: "uint64", value: BigUint64Array.of(7n) }],
  ["a.int64", { type: "array", itemType: "int64", value: BigInt64Array.of(-7n) }],
  ["a.bool", { type: "array", itemType: "bool", value: [false, true] }],
  ["a.string", { type: "array", itemType: "string", value: ["", "\u2581the", "<0x0A>"] }],
  ["a.empty", { type: "array", itemType: "string", value: [] }],
  [
    "a.nested",
    {
      type: "array",
      itemType: "array",
      value: [
        { type: "array", itemType: "int32", value: Int32Array.of(1, 2) },
        { type: "array", itemType: "string", value: ["x"] },
      ],
    },
  ],
];

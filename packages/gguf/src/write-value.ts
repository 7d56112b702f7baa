// Writing one metadata key and value, after checking that the value is what its type says: an
// integer in range for the integer types, a bigint for the 64-bit ones, a typed array of the
// matching kind for numeric arrays, well-formed strings. A value that does not fit its type is
// an error naming the key, never silently wrapped or rounded (float32 values are rounded to f32,
// as storing them must).
// Keys follow the spec: non-empty ASCII, at most 65535 bytes.
// Reference: ggml/docs/gguf.md (`gguf_metadata_kv_t`); the byte layout mirrors read-value.ts.

import type { ByteWriter } from "./byte-writer.ts";
import { fail } from "./errors.ts";
import {
  type GgufArray,
  type GgufValue,
  type GgufValueType,
  MAX_ARRAY_DEPTH,
  VALUE_TYPES,
} from "./values.ts";

const INTEGER_RANGES: Partial<Record<GgufValueType, [number, number]>> = {
  uint8: [0, 0xff],
  int8: [-0x80, 0x7f],
  uint16: [0, 0xffff],
  int16: [-0x8000, 0x7fff],
  uint32: [0, 0xffffffff],
  int32: [-0x80000000, 0x7fffffff],
};
const BIGINT_RANGES: Partial<Record<GgufValueType, [bigint, bigint]>> = {
  uint64: [0n, 2n ** 64n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
// The container each array item type must come in.
const ARRAY_KINDS: Record<GgufValueType, { check: (v: unknown) => boolean; name: string }> = {
  uint8: { check: (v) => v instanceof Uint8Array, name: "a Uint8Array" },
  int8: { check: (v) => v instanceof Int8Array, name: "an Int8Array" },
  uint16: { check: (v) => v instanceof Uint16Array, name: "a Uint16Array" },
  int16: { check: (v) => v instanceof Int16Array, name: "an Int16Array" },
  uint32: { check: (v) => v instanceof Uint32Array, name: "a Uint32Array" },
  int32: { check: (v) => v instanceof Int32Array, name: "an Int32Array" },
  float32: { check: (v) => v instanceof Float32Array, name: "a Float32Array" },
  float64: { check: (v) => v instanceof Float64Array, name: "a Float64Array" },
  uint64: { check: (v) => v instanceof BigUint64Array, name: "a BigUint64Array" },
  int64: { check: (v) => v instanceof BigInt64Array, name: "a BigInt64Array" },
  bool: {
    check: (v) => Array.isArray(v) && v.every((b) => typeof b === "boolean"),
    name: "an array of booleans",
  },
  string: {
    check: (v) => Array.isArray(v) && v.every((s) => typeof s === "string"),
    name: "an array of strings",
  },
  array: { check: (v) => Array.isArray(v), name: "an array of array values" },
};

// How each scalar type is written (values already checked against the type).
const SCALAR_WRITERS: Record<Exclude<GgufValueType, "array">, (out: ByteWriter, v: unknown) => void> = {
  uint8: (out, v) => out.u8(v as number),
  int8: (out, v) => out.i8(v as number),
  uint16: (out, v) => out.u16(v as number),
  int16: (out, v) => out.i16(v as number),
  uint32: (out, v) => out.u32(v as number),
  int32: (out, v) => out.i32(v as number),
  float32: (out, v) => out.f32(v as number),
  float64: (out, v) => out.f64(v as number),
  uint64: (out, v) => out.u64(v as bigint),
  int64: (out, v) => out.i64(v as bigint),
  bool: (out, v) => out.u8(v ? 1 : 0),
  string: (out, v) => out.string(v as string),
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string UTF-8 can hold: no lone UTF-16 surrogates (TextEncoder would replace them silently). */
export function checkString(s: unknown, what: string): void {
  if (typeof s !== "string") fail(`${what} must be a string, got ${typeof s}`);
  if (LONE_SURROGATE.test(s)) fail(`${what} is not a well-formed string (it has a lone UTF-16 surrogate)`);
}

export function checkKey(key: string): void {
  checkString(key, "a metadata key");
  if (key === "") fail("a metadata key is empty");
  if ([...key].some((c) => c.charCodeAt(0) > 0x7f)) fail(`metadata key ${JSON.stringify(key)} must be ASCII`);
  if (key.length > 0xffff)
    fail(`metadata key "${key.slice(0, 40)}..." is ${key.length} bytes; at most 65535`);
}

/** Write value type id and value of metadata `key`. */
export function writeKeyValue(out: ByteWriter, key: string, value: GgufValue): void {
  checkKey(key);
  const what = `metadata "${key}"`;
  if (typeof value !== "object" || value === null || !VALUE_TYPES.includes(value.type)) {
    fail(`${what} must be { type, value } with type one of ${VALUE_TYPES.join(", ")}`);
  }
  out.string(key);
  out.u32(VALUE_TYPES.indexOf(value.type));
  if (value.type === "array") writeArray(out, value, what, 1);
  else writeScalar(out, value.type, value.value, what);
}

function writeScalar(out: ByteWriter, type: GgufValueType, v: unknown, what: string): void {
  const intRange = INTEGER_RANGES[type];
  if (intRange && (typeof v !== "number" || !Number.isInteger(v) || v < intRange[0] || v > intRange[1])) {
    fail(
      `${what} is ${type}, which holds whole numbers from ${intRange[0]} to ${intRange[1]}; got ${String(v)}`,
    );
  }
  const bigRange = BIGINT_RANGES[type];
  if (bigRange && (typeof v !== "bigint" || v < bigRange[0] || v > bigRange[1])) {
    fail(`${what} is ${type}, which holds bigints from ${bigRange[0]} to ${bigRange[1]}; got ${String(v)}`);
  }
  if ((type === "float32" || type === "float64") && typeof v !== "number") {
    fail(`${what} is ${type} but its value is ${typeof v}`);
  }
  if (type === "bool" && typeof v !== "boolean") fail(`${what} is bool but its value is ${typeof v}`);
  if (type === "string") checkString(v, what);
  if (type === "array") fail(`${what}: an array item of type "array" must be written as an array value`);
  SCALAR_WRITERS[type](out, v);
}

/** u32 item type, u64 count, items. */
function writeArray(out: ByteWriter, array: GgufArray, what: string, depth: number): void {
  if (depth > MAX_ARRAY_DEPTH) fail(`${what} nests arrays more than ${MAX_ARRAY_DEPTH} deep`);
  const kind = ARRAY_KINDS[array.itemType];
  if (!kind) fail(`${what} has unknown item type ${JSON.stringify(array.itemType)}`);
  if (!kind.check(array.value))
    fail(`${what} is an array of ${array.itemType}: its value must be ${kind.name}`);
  out.u32(VALUE_TYPES.indexOf(array.itemType));
  out.u64(array.value.length);
  if (array.itemType === "array") {
    array.value.forEach((inner, i) => {
      if (inner?.type !== "array") fail(`${what}[${i}] must be an array value ({ type: "array", ... })`);
      writeArray(out, inner, `${what}[${i}]`, depth + 1);
    });
    return;
  }
  for (let i = 0; i < array.value.length; i++)
    writeScalar(out, array.itemType, array.value[i], `${what}[${i}]`);
}

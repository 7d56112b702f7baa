// Reading one metadata value (and GGUF strings) from a Cursor.
//
//   string = u64 length, then that many bytes of UTF-8 (no terminating NUL)
//   array  = u32 item type, u64 count, then count items of that type (strings: each with its length)
//
// Hostile counts and lengths are checked against the bytes left in the file before anything is
// allocated: an array of 2^60 items, or a string of length 2^40, fails in one line instead of
// trying to build it. Strings must be valid UTF-8, bools 0 or 1, type ids known, nesting shallow.
// Reference: ggml/docs/gguf.md (`gguf_string_t`, `gguf_metadata_value_t`); ggml/src/gguf.cpp
// `gguf_reader` (the same up-front size checks).

import type { Cursor } from "./cursor.ts";
import { fail } from "./errors.ts";
import {
  type GgufArray,
  type GgufArrayItems,
  type GgufValue,
  type GgufValueType,
  MAX_ARRAY_DEPTH,
  minimumItemBytes,
  VALUE_TYPES,
} from "./values.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A GGUF string; `what` names it in errors ('metadata key #3', 'name of tensor #0'). */
export function readString(cur: Cursor, what: string): string {
  const length = cur.u64(`length of ${what}`);
  if (length > BigInt(cur.remaining)) {
    fail(
      `${what} has length ${length}, past the end of the file (${cur.remaining} bytes remain at byte ${cur.position})`,
      cur.fileName,
    );
  }
  const bytes = cur.bytes(Number(length), what);
  try {
    return utf8.decode(bytes);
  } catch {
    return fail(`${what} is not valid UTF-8`, cur.fileName);
  }
}

/** A value type id -> its name (`role`: the key's own type, or its array's item type). */
export function readValueType(cur: Cursor, what: string, role: "value" | "item" = "value"): GgufValueType {
  const id = cur.u32(`${role} type of ${what}`);
  const type = VALUE_TYPES[id];
  if (type === undefined) fail(`${what} has unknown ${role} type ${id} (known: 0 to 12)`, cur.fileName);
  return type;
}

/** The value of metadata key `key`, whose type has just been read. */
export function readValue(cur: Cursor, type: GgufValueType, key: string): GgufValue {
  const what = `metadata "${key}"`;
  switch (type) {
    case "uint8":
    case "int8":
    case "uint16":
    case "int16":
    case "uint32":
    case "int32":
    case "float32":
    case "float64":
      return { type, value: readNumber(cur, type, what) };
    case "uint64":
      return { type, value: cur.u64(what) };
    case "int64":
      return { type, value: cur.i64(what) };
    case "bool":
      return { type, value: readBool(cur, what) };
    case "string":
      return { type, value: readString(cur, what) };
    case "array":
      return readArray(cur, what, 1);
  }
}

function readNumber(cur: Cursor, type: GgufValueType, what: string): number {
  if (type === "uint8") return cur.u8(what);
  if (type === "int8") return cur.i8(what);
  if (type === "uint16") return cur.u16(what);
  if (type === "int16") return cur.i16(what);
  if (type === "uint32") return cur.u32(what);
  if (type === "int32") return cur.i32(what);
  if (type === "float32") return cur.f32(what);
  return cur.f64(what);
}

function readBool(cur: Cursor, what: string): boolean {
  const byte = cur.u8(what);
  if (byte > 1) fail(`${what} is a bool stored as ${byte}; only 0 and 1 are valid`, cur.fileName);
  return byte === 1;
}

/** item type, count, items. `depth` counts the arrays we are inside (1 for a key's own array). */
function readArray(cur: Cursor, what: string, depth: number): GgufArray {
  if (depth > MAX_ARRAY_DEPTH) fail(`${what} nests arrays more than ${MAX_ARRAY_DEPTH} deep`, cur.fileName);
  const itemType = readValueType(cur, what, "item");
  const count = cur.u64(`length of ${what}`);
  // Every item takes at least minimumItemBytes: a count that cannot fit fails before allocating.
  const least = count * BigInt(minimumItemBytes(itemType));
  if (least > BigInt(cur.remaining)) {
    fail(
      `${what} is an array of ${count} ${itemType} items, which needs at least ${least} bytes, but ${cur.remaining} remain`,
      cur.fileName,
    );
  }
  const n = Number(count);
  const item = (i: number) => `${what}[${i}]`;
  const array = <K extends GgufValueType>(type: K, value: GgufArrayItems[K]) =>
    ({ type: "array", itemType: type, value }) as GgufArray;
  switch (itemType) {
    case "uint8":
      return array(
        itemType,
        Uint8Array.from({ length: n }, () => cur.u8(what)),
      );
    case "int8":
      return array(
        itemType,
        Int8Array.from({ length: n }, () => cur.i8(what)),
      );
    case "uint16":
      return array(
        itemType,
        Uint16Array.from({ length: n }, () => cur.u16(what)),
      );
    case "int16":
      return array(
        itemType,
        Int16Array.from({ length: n }, () => cur.i16(what)),
      );
    case "uint32":
      return array(
        itemType,
        Uint32Array.from({ length: n }, () => cur.u32(what)),
      );
    case "int32":
      return array(
        itemType,
        Int32Array.from({ length: n }, () => cur.i32(what)),
      );
    case "float32":
      return array(
        itemType,
        Float32Array.from({ length: n }, () => cur.f32(what)),
      );
    case "float64":
      return array(
        itemType,
        Float64Array.from({ length: n }, () => cur.f64(what)),
      );
    case "uint64":
      return array(
        itemType,
        BigUint64Array.from({ length: n }, () => cur.u64(what)),
      );
    case "int64":
      return array(
        itemType,
        BigInt64Array.from({ length: n }, () => cur.i64(what)),
      );
    case "bool":
      return array(
        itemType,
        Array.from({ length: n }, (_, i) => readBool(cur, item(i))),
      );
    case "string":
      return array(
        itemType,
        Array.from({ length: n }, (_, i) => readString(cur, item(i))),
      );
    case "array":
      return array(
        itemType,
        Array.from({ length: n }, (_, i) => readArray(cur, item(i), depth + 1)),
      );
  }
}

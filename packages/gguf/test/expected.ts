// Loading the pinned outputs of fixtures/gguf/generate.py (gguf-py, llama.cpp's own Python
// package) and turning their JSON encoding back into values: floats come as little-endian hex so
// NaN, ±inf, -0 and subnormals compare bit for bit; 64-bit integers come as decimal strings.
import { readFileSync } from "node:fs";
import type { GgufArray, GgufValue, GgufValueType } from "../src/index.ts";

export const FIXTURES = new URL("../../../fixtures/gguf/", import.meta.url);

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, FIXTURES)));
}

export function fixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")) as T;
}

export const hexBytes = (hex: string) => new Uint8Array(Buffer.from(hex, "hex"));
export const f32FromHex = (hex: string) => new Float32Array(hexBytes(hex).slice().buffer);
export const hexOf = (bytes: ArrayBufferView) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");

/** One value as generate.py writes it. */
export type JsonValue =
  | { type: Exclude<GgufValueType, "array">; value: number | string | boolean }
  | { type: "array"; item_type: GgufValueType; value: unknown[] };

function scalar(type: GgufValueType, v: unknown): number | bigint | boolean | string {
  if (type === "float32") return new DataView(hexBytes(v as string).buffer).getFloat32(0, true);
  if (type === "float64") return new DataView(hexBytes(v as string).buffer).getFloat64(0, true);
  if (type === "uint64" || type === "int64") return BigInt(v as string);
  return v as number | boolean | string;
}

/** The GgufValue that a JSON entry describes (typed arrays for numeric arrays, as we read them). */
export function toGgufValue(j: JsonValue): GgufValue {
  if (j.type !== "array") return { type: j.type, value: scalar(j.type, j.value) } as GgufValue;
  const items = j.value.map((v) =>
    j.item_type === "array" ? toGgufValue(v as JsonValue) : scalar(j.item_type, v),
  );
  const typed: Record<string, (xs: never[]) => unknown> = {
    uint8: (xs) => Uint8Array.from(xs),
    int8: (xs) => Int8Array.from(xs),
    uint16: (xs) => Uint16Array.from(xs),
    int16: (xs) => Int16Array.from(xs),
    uint32: (xs) => Uint32Array.from(xs),
    int32: (xs) => Int32Array.from(xs),
    float32: (xs) => Float32Array.from(xs),
    float64: (xs) => Float64Array.from(xs),
    uint64: (xs) => BigUint64Array.from(xs),
    int64: (xs) => BigInt64Array.from(xs),
  };
  const make = typed[j.item_type];
  return { type: "array", itemType: j.item_type, value: make ? make(items as never[]) : items } as GgufArray;
}

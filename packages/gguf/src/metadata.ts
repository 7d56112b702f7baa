// Typed access to metadata for the code that turns a GGUF file into a model and a tokenizer:
// one call per key, and a one-line error naming the key, the file and the type found when the
// key is missing or holds something else. Optional keys: check `metadata.has(key)` first.
//
//   getString(md, "general.architecture")            "llama"
//   getNumber(md, "llama.context_length")             2048   (any integer or float type)
//   getArray(md, "tokenizer.ggml.tokens", "string")   ["<unk>", "<s>", ...]
//   getArray(md, "tokenizer.ggml.scores", "float32")  Float32Array

import { fail } from "./errors.ts";
import type { GgufArrayItems, GgufMetadata, GgufValue, GgufValueType } from "./values.ts";

function describe(value: GgufValue): string {
  return value.type === "array" ? `an array of ${value.itemType}` : value.type;
}

function lookup(metadata: GgufMetadata, key: string, fileName?: string): GgufValue {
  const value = metadata.get(key);
  if (value === undefined) fail(`metadata key "${key}" is missing`, fileName);
  return value;
}

export function getString(metadata: GgufMetadata, key: string, fileName?: string): string {
  const v = lookup(metadata, key, fileName);
  if (v.type !== "string") fail(`metadata "${key}" is ${describe(v)}, expected a string`, fileName);
  return v.value;
}

export function getBoolean(metadata: GgufMetadata, key: string, fileName?: string): boolean {
  const v = lookup(metadata, key, fileName);
  if (v.type !== "bool") fail(`metadata "${key}" is ${describe(v)}, expected a bool`, fileName);
  return v.value;
}

/**
 * A number stored as any integer or float type (writers differ: context lengths come as uint32
 * or uint64). A 64-bit integer must be exact as a double (|n| <= 2^53 - 1).
 */
export function getNumber(metadata: GgufMetadata, key: string, fileName?: string): number {
  const v = lookup(metadata, key, fileName);
  switch (v.type) {
    case "uint64":
    case "int64": {
      const n = Number(v.value);
      if (!Number.isSafeInteger(n)) fail(`metadata "${key}" is ${v.value}, beyond 2^53 - 1`, fileName);
      return n;
    }
    case "string":
    case "bool":
    case "array":
      return fail(`metadata "${key}" is ${describe(v)}, expected a number`, fileName);
    default:
      return v.value;
  }
}

/** The items of an array of `itemType`: strings, booleans, or a typed array for numbers. */
export function getArray<K extends GgufValueType>(
  metadata: GgufMetadata,
  key: string,
  itemType: K,
  fileName?: string,
): GgufArrayItems[K] {
  const v = lookup(metadata, key, fileName);
  if (v.type !== "array" || v.itemType !== itemType) {
    fail(`metadata "${key}" is ${describe(v)}, expected an array of ${itemType}`, fileName);
  }
  return v.value as GgufArrayItems[K];
}

// Reading fields out of a parsed JSON file with errors that name the file and the field:
//   tokenizer: model.merges[12]: token "Ġxy" is not in model.vocab (models/gpt2/tokenizer.json)
// Nesting is limited to MAX_JSON_DEPTH levels before anything walks a value: the loaders recurse
// into Sequence normalizers, pre-tokenizers, decoders and post-processors, and a file that nests
// 50,000 of them would otherwise end in a stack overflow instead of an error naming the file.
// Not a schema library: just the handful of checks the loaders need.

import { TokenizerError } from "./types.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * How deeply [ ] and { } may nest. 128 is serde_json's limit, so Hugging Face tokenizers (Rust)
 * refuses anything deeper too, and the safetensors header reader (packages/safetensors/src/json.ts)
 * stops at the same depth. Real tokenizer.json files nest about 6 levels.
 */
export const MAX_JSON_DEPTH = 128;

/** The file being read, so every error can say where. */
export class JsonSource {
  constructor(readonly file: string) {}

  fail(field: string, message: string): never {
    throw new TokenizerError(`tokenizer: ${field}: ${message} (${this.file})`);
  }

  object(value: Json | undefined, field: string): JsonObject {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.fail(field, `expected an object, got ${describe(value)}`);
    }
    return value;
  }

  array(value: Json | undefined, field: string): Json[] {
    if (!Array.isArray(value)) this.fail(field, `expected an array, got ${describe(value)}`);
    return value;
  }

  string(value: Json | undefined, field: string): string {
    if (typeof value !== "string") this.fail(field, `expected a string, got ${describe(value)}`);
    return value;
  }

  id(value: Json | undefined, field: string): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      this.fail(field, `expected a token id (a whole number >= 0), got ${describe(value)}`);
    }
    return value;
  }

  /** An optional boolean; absent or null gives the default. */
  flag(value: Json | undefined, field: string, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") this.fail(field, `expected true or false, got ${describe(value)}`);
    return value;
  }

  /**
   * Parse JSON text, naming the file when it is not JSON or nests too deeply. `checkDepth: false`
   * when the caller checks it anyway (fromTokenizerJson does): the walk costs ~10 ms for GPT-2.
   */
  parse(text: string, checkDepth = true): Json {
    let value: Json;
    try {
      value = JSON.parse(text) as Json;
    } catch (error) {
      throw new TokenizerError(`tokenizer: not valid JSON: ${(error as Error).message} (${this.file})`);
    }
    if (checkDepth) this.checkDepth(value);
    return value;
  }

  /**
   * Fails when `value` nests [ ] / { } deeper than MAX_JSON_DEPTH (the top level is depth 1),
   * naming the top-level field it happens under. An explicit stack, not recursion: the point is
   * to survive the very nesting it refuses. (V8's JSON.parse itself does not recurse.)
   */
  checkDepth(value: Json): void {
    const stack: [Json[] | JsonObject, number, string][] = [];
    const enter = (child: Json | undefined, depth: number, field: string) => {
      if (child === null || typeof child !== "object") return;
      if (depth > MAX_JSON_DEPTH) this.fail(field, `nested deeper than ${MAX_JSON_DEPTH} levels`);
      stack.push([child, depth, field]);
    };
    enter(value, 1, "(top level)");
    while (stack.length > 0) {
      const [container, depth, field] = stack.pop()!;
      if (Array.isArray(container)) {
        for (let k = 0; k < container.length; k++) enter(container[k], depth + 1, field);
      } else {
        for (const key in container) enter(container[key], depth + 1, depth === 1 ? key : field);
      }
    }
  }
}

function describe(value: Json | undefined): string {
  if (value === undefined) return "nothing (field missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

// Reading fields out of a parsed JSON file with errors that name the file and the field:
//   tokenizer: model.merges[12]: token "Ġxy" is not in model.vocab (models/gpt2/tokenizer.json)
// Not a schema library: just the handful of checks the loaders need.

import { TokenizerError } from "./types.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

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

  /** Parse JSON text, naming the file when it is not JSON. */
  parse(text: string): Json {
    try {
      return JSON.parse(text) as Json;
    } catch (error) {
      throw new TokenizerError(`tokenizer: not valid JSON: ${(error as Error).message} (${this.file})`);
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

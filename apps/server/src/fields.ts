// Typed reads of a request body's fields, each checked where it is read: a wrong type or value is
// a 400 that names the field and shows what was sent.
//
//   const f = new Fields(body);
//   f.number("temperature", { min: 0 })  -> number | undefined   (null counts as absent, as in OpenAI)
//   f.integer("max_tokens", { min: 1 })
//   f.string("model", { required: true })
//   f.stopStrings("stop")                -> string | string[] -> string[]
//
// `prefix` names nested objects in messages ("options.temperature").
// Not here: what the fields mean (openai-request.ts, ollama-request.ts).

import { badField } from "./api-error.ts";
import type { JsonObject } from "./body.ts";

interface Range {
  min?: number;
  max?: number;
}

/** Shows a value in a message, shortened: "hot", [1,2], {"a":1}. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // JSON.parse accepts nesting deeper than JSON.stringify's recursion can walk back.
    return Array.isArray(value) ? "a deeply nested list" : "a deeply nested object";
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Stop strings per request at most: each one is searched for after every token. */
export const MAX_STOP_STRINGS = 16;

export class Fields {
  constructor(
    readonly body: JsonObject,
    private readonly prefix = "",
  ) {}

  /** The raw value, undefined when absent or null. */
  raw(name: string): unknown {
    const value = this.body[name];
    return value === null ? undefined : value;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  name(field: string): string {
    return `${this.prefix}${field}`;
  }

  number(name: string, range: Range = {}): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw badField(this.name(name), `${this.name(name)} must be a number, got ${shown(value)}`);
    }
    this.checkRange(name, value, range);
    return value;
  }

  integer(name: string, range: Range = {}): number | undefined {
    const value = this.number(name, range);
    if (value !== undefined && !Number.isSafeInteger(value)) {
      throw badField(this.name(name), `${this.name(name)} must be a whole number, got ${shown(value)}`);
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") {
      throw badField(this.name(name), `${this.name(name)} must be true or false, got ${shown(value)}`);
    }
    return value;
  }

  string(name: string, options: { required?: boolean } = {}): string | undefined {
    const value = this.raw(name);
    if (value === undefined) {
      if (options.required) throw badField(this.name(name), `${this.name(name)} is required`);
      return undefined;
    }
    if (typeof value !== "string") {
      throw badField(this.name(name), `${this.name(name)} must be a string, got ${shown(value)}`);
    }
    return value;
  }

  /** A nested object (stream_options, options), read with the same checks. */
  object(name: string): Fields | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw badField(this.name(name), `${this.name(name)} must be an object, got ${shown(value)}`);
    }
    return new Fields(value as JsonObject, `${this.name(name)}.`);
  }

  /** `stop`: one string or a list of them (OpenAI allows up to 4; we take 16), none empty. */
  stopStrings(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const list = Array.isArray(value) ? value : [value];
    if (list.length > MAX_STOP_STRINGS) {
      throw badField(
        this.name(name),
        `${this.name(name)}: at most ${MAX_STOP_STRINGS} stop strings, got ${list.length}`,
      );
    }
    for (const s of list) {
      if (typeof s !== "string" || s === "") {
        throw badField(
          this.name(name),
          `${this.name(name)} must be a non-empty string or a list of them, got ${shown(value)}`,
        );
      }
    }
    return list as string[];
  }

  private checkRange(name: string, value: number, { min, max }: Range): void {
    const n = this.name(name);
    if (min !== undefined && value < min) throw badField(n, `${n} must be at least ${min}, got ${value}`);
    if (max !== undefined && value > max) throw badField(n, `${n} must be at most ${max}, got ${value}`);
  }
}

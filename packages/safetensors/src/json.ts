// A strict JSON parser (RFC 8259) for safetensors headers and index files.
//
// Why not JSON.parse: it silently keeps the last of two duplicate keys (a file could then show
// one tensor to us and another to a different reader), rounds integers beyond 2^53 without a
// word, and recurses without a limit. This parser keeps every object entry in order (duplicates
// included, for the caller to reject with a message that knows the context), keeps each number's
// literal text, and stops nesting at 128 levels like serde_json, the parser the Rust crate uses.
// It deliberately does nothing else: no reviver, no comments, no trailing commas.
import { fail } from "./errors.ts";

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

/** A number literal: `text` as written ("1e3"), `value` as a double. */
export class JsonNumber {
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}
  /** True for plain integer literals without fraction or exponent: "0", "42", "-7". */
  get isIntegerLiteral(): boolean {
    return /^-?\d+$/.test(this.text);
  }
}

/** An object as its entries in file order; duplicate keys are kept, not merged. */
export class JsonObject {
  constructor(readonly entries: [string, JsonValue][]) {}
}

const MAX_DEPTH = 128;

/** Parse `text` completely; `what` ("header", "index file") and `fileName` go into errors. */
export function parseJson(text: string, what: string, fileName?: string): JsonValue {
  let pos = 0;

  const error = (detail: string): never =>
    fail(`${what} is not valid JSON: ${detail} at character ${pos}`, fileName);

  const skipWhitespace = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      pos++;
    }
  };

  const describe = (i: number) => (i >= text.length ? "end of text" : JSON.stringify(text[i]));

  const parseValue = (depth: number): JsonValue => {
    skipWhitespace();
    const c = text[pos];
    if (c === "{") return parseObject(depth + 1);
    if (c === "[") return parseArray(depth + 1);
    if (c === '"') return parseString();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return parseNumber();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    return error(`unexpected ${describe(pos)}`);
  };

  const parseObject = (depth: number): JsonObject => {
    if (depth > MAX_DEPTH) error(`nesting deeper than ${MAX_DEPTH} levels`);
    pos++; // {
    const entries: [string, JsonValue][] = [];
    skipWhitespace();
    if (text[pos] === "}") {
      pos++;
      return new JsonObject(entries);
    }
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"') error(`expected a key string, found ${describe(pos)}`);
      const key = parseString();
      skipWhitespace();
      if (text[pos] !== ":") error(`expected ":", found ${describe(pos)}`);
      pos++;
      entries.push([key, parseValue(depth)]);
      skipWhitespace();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "}") {
        pos++;
        return new JsonObject(entries);
      }
      error(`expected "," or "}", found ${describe(pos)}`);
    }
  };

  const parseArray = (depth: number): JsonValue[] => {
    if (depth > MAX_DEPTH) error(`nesting deeper than ${MAX_DEPTH} levels`);
    pos++; // [
    const items: JsonValue[] = [];
    skipWhitespace();
    if (text[pos] === "]") {
      pos++;
      return items;
    }
    for (;;) {
      items.push(parseValue(depth));
      skipWhitespace();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "]") {
        pos++;
        return items;
      }
      error(`expected "," or "]", found ${describe(pos)}`);
    }
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const parseNumber = (): JsonNumber => {
    NUMBER.lastIndex = pos;
    const match = NUMBER.exec(text);
    if (!match) return error(`malformed number`);
    pos += match[0].length;
    return new JsonNumber(match[0], Number(match[0]));
  };

  const ESCAPES: Record<string, string> = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    b: "\b",
    f: "\f",
    n: "\n",
    r: "\r",
    t: "\t",
  };
  const parseHex4 = (): number => {
    const hex = text.slice(pos, pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) error(`malformed \\u escape`);
    pos += 4;
    return Number.parseInt(hex, 16);
  };

  const parseString = (): string => {
    pos++; // opening quote
    let out = "";
    let start = pos;
    for (;;) {
      if (pos >= text.length) error("unterminated string");
      const c = text.charCodeAt(pos);
      if (c === 0x22) break; // "
      if (c < 0x20) error(`control character U+${c.toString(16).padStart(4, "0")} inside a string`);
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      // Backslash escape.
      out += text.slice(start, pos);
      pos++;
      const e = text[pos];
      if (e === "u") {
        pos++;
        const unit = parseHex4();
        if (unit >= 0xd800 && unit <= 0xdbff) {
          // A UTF-16 surrogate pair written as two escapes; a lone half is not a character.
          if (text[pos] !== "\\" || text[pos + 1] !== "u") error("lone surrogate in \\u escape");
          pos += 2;
          const low = parseHex4();
          if (low < 0xdc00 || low > 0xdfff) error("lone surrogate in \\u escape");
          out += String.fromCharCode(unit, low);
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          error("lone surrogate in \\u escape");
        } else {
          out += String.fromCharCode(unit);
        }
      } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e];
        pos++;
      } else {
        error(`invalid escape \\${e ?? ""}`);
      }
      start = pos;
    }
    out += text.slice(start, pos);
    pos++; // closing quote
    return out;
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos !== text.length) error(`unexpected ${describe(pos)} after the end of the value`);
  return value;
}

/** "object", "array", "string", "number", "boolean" or "null": for error messages. */
export function jsonKind(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof JsonObject) return "object";
  if (value instanceof JsonNumber) return "number";
  return typeof value;
}

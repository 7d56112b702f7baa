// Parse and validate a safetensors header: the 8-byte length, the JSON, and every tensor entry
// against the data section it describes.
//
// Reference: huggingface/safetensors, safetensors/src/tensor.rs — `read_metadata` (length prefix,
// 100 MB cap, UTF-8, JSON) and `Metadata::validate` (tensors sorted by data_offsets must tile the
// data section exactly: each begins where the previous ended, `end - begin == numel * size`, and
// the last ends at the end of the file). We check the same things, in an order that lets each
// message name the tensor and the numbers that disagree, and additionally reject duplicate names
// (serde would keep one silently). This file reads no file itself: it is handed bytes.
import { type DType, dtypeSize, elementCount, isDType } from "./dtypes.ts";
import { fail } from "./errors.ts";
import { JsonNumber, JsonObject, type JsonValue, jsonKind, parseJson } from "./json.ts";

/** One tensor entry of the header. `dataOffsets` are bytes relative to the data section. */
export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** N: length of the JSON header in bytes (padding included). */
  headerLength: number;
  /** 8 + N: where the data section starts in the file. */
  dataStart: number;
  /** Bytes in the data section: file size - 8 - N. */
  dataLength: number;
  /** Tensors in data order (sorted by offsets), as the Rust crate keeps them. */
  tensors: TensorInfo[];
  /** The `__metadata__` string map, or undefined when the header has none. */
  metadata: Record<string, string> | undefined;
}

/** The Rust crate refuses headers over 100 MB; so do we, before allocating anything. */
export const MAX_HEADER_LENGTH = 100_000_000;

/** Read and check N from the first 8 bytes: within the cap and within the file. */
export function readHeaderLength(first8: Uint8Array, fileSize: number, fileName?: string): number {
  if (fileSize < 8 || first8.byteLength < 8) {
    fail(`file is ${fileSize} bytes, too short to hold the 8-byte header length`, fileName);
  }
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_LENGTH)) {
    if (isText(first8)) {
      const start = JSON.stringify(new TextDecoder().decode(first8.subarray(0, 8), { stream: true }));
      fail(`not a safetensors file: it begins with text (${start}), not an 8-byte header length`, fileName);
    }
    fail(`header length ${n} is over the ${MAX_HEADER_LENGTH}-byte limit`, fileName);
  }
  const length = Number(n);
  if (8 + length > fileSize) {
    fail(`header length ${length} runs past the end of the file (${fileSize} bytes)`, fileName);
  }
  return length;
}

/**
 * Whether the first 8 bytes are text: UTF-8 (a character cut at byte 8 allowed) without control
 * characters other than tab, newline and carriage return. A real header length is below 10^8, so
 * its upper four bytes are zero: a file that begins with 8 bytes of text is a text file (a README,
 * a config.json) given by mistake.
 */
function isText(first8: Uint8Array): boolean {
  const bytes = first8.subarray(0, 8);
  if (bytes.some((b) => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Validate the header of a file of `fileSize` bytes. `prefix` holds at least the first 8 + N
 * bytes (the whole file is fine too).
 */
export function parseHeader(prefix: Uint8Array, fileSize: number, fileName?: string): SafetensorsHeader {
  const headerLength = readHeaderLength(prefix, fileSize, fileName);
  if (prefix.byteLength < 8 + headerLength) {
    fail(`need ${8 + headerLength} bytes to read the header, got ${prefix.byteLength}`, fileName);
  }
  let text: string;
  try {
    text = utf8.decode(prefix.subarray(8, 8 + headerLength));
  } catch {
    return fail("header is not valid UTF-8", fileName);
  }
  const json = parseJson(text, "header", fileName);
  if (!(json instanceof JsonObject))
    return fail(`header must be a JSON object, got ${jsonKind(json)}`, fileName);

  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  const seen = new Set<string>();
  const tensors: TensorInfo[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [key, value] of json.entries) {
    if (seen.has(key))
      fail(
        `${key === "__metadata__" ? "__metadata__" : `tensor "${key}"`} appears twice in the header`,
        fileName,
      );
    seen.add(key);
    if (key === "__metadata__") metadata = parseMetadata(value, fileName);
    else tensors.push(parseTensorInfo(key, value, dataLength, fileName));
  }
  checkTiling(tensors, dataLength, fileName);
  return { headerLength, dataStart, dataLength, tensors, metadata };
}

function parseMetadata(value: JsonValue, fileName?: string): Record<string, string> | undefined {
  if (value === null) return undefined; // serde reads null as "no metadata"
  if (!(value instanceof JsonObject))
    return fail(`__metadata__ must be an object of strings, got ${jsonKind(value)}`, fileName);
  const seen = new Set<string>();
  for (const [key, v] of value.entries) {
    if (seen.has(key)) fail(`__metadata__ key "${key}" appears twice`, fileName);
    seen.add(key);
    if (typeof v !== "string")
      fail(`__metadata__ value of "${key}" must be a string, got ${jsonKind(v)}`, fileName);
  }
  // fromEntries defines own properties, so a key like "__proto__" stays a plain key.
  return Object.fromEntries(value.entries as [string, string][]);
}

/**
 * A JSON integer literal without a sign, as a usize is in serde_json: "-0" is refused too (serde
 * reads it as the float -0.0, which no usize accepts).
 */
function isUnsignedLiteral(value: JsonValue): value is JsonNumber {
  return value instanceof JsonNumber && value.isIntegerLiteral && !value.text.startsWith("-");
}

/** A whole number >= 0 that is exact as a double; undefined otherwise. */
function toIndex(value: JsonValue): number | undefined {
  if (!isUnsignedLiteral(value) || !Number.isSafeInteger(value.value)) return undefined;
  return value.value;
}

/**
 * A valid usize too large for a double to hold exactly (> 2^53 - 1). The Rust crate would parse it
 * and then find it disagrees with the file; no file can be that large, so we say so directly.
 */
function isTooLarge(value: JsonValue): boolean {
  return isUnsignedLiteral(value) && !Number.isSafeInteger(value.value);
}

const TOO_LARGE = `above 2^53 - 1 (${Number.MAX_SAFE_INTEGER}), larger than any file`;

function parseTensorInfo(name: string, value: JsonValue, dataLength: number, fileName?: string): TensorInfo {
  const where = `tensor "${name}"`;
  if (!(value instanceof JsonObject)) {
    return fail(
      `${where} must be an object with dtype, shape and data_offsets, got ${jsonKind(value)}`,
      fileName,
    );
  }
  const fields = new Map<string, JsonValue>();
  for (const [key, v] of value.entries) {
    if (fields.has(key)) fail(`${where} has "${key}" twice`, fileName);
    fields.set(key, v); // unknown fields are ignored, as serde does
  }
  for (const key of ["dtype", "shape", "data_offsets"]) {
    if (!fields.has(key)) fail(`${where} has no "${key}"`, fileName);
  }

  const dtype = fields.get("dtype")!;
  if (!isDType(dtype)) {
    return fail(
      `${where} has unknown dtype ${typeof dtype === "string" ? `"${dtype}"` : jsonKind(dtype)}`,
      fileName,
    );
  }

  const rawShape = fields.get("shape")!;
  const shape = Array.isArray(rawShape) ? rawShape.map(toIndex) : undefined;
  if (Array.isArray(rawShape) && rawShape.some(isTooLarge) && rawShape.every((d) => isUnsignedLiteral(d))) {
    return fail(`${where} has shape ${describeJson(rawShape)}: a dimension is ${TOO_LARGE}`, fileName);
  }
  if (!shape || shape.some((d) => d === undefined)) {
    return fail(
      `${where} has shape ${describeJson(rawShape)}; expected a list of whole numbers >= 0`,
      fileName,
    );
  }

  const rawOffsets = fields.get("data_offsets")!;
  const pair = Array.isArray(rawOffsets) && rawOffsets.length === 2;
  if (pair && rawOffsets.some(isTooLarge) && rawOffsets.every((o) => isUnsignedLiteral(o))) {
    return fail(`${where} has data_offsets ${describeJson(rawOffsets)}: an offset is ${TOO_LARGE}`, fileName);
  }
  const offsets = pair ? rawOffsets.map(toIndex) : undefined;
  if (!offsets || offsets.some((o) => o === undefined)) {
    return fail(
      `${where} has data_offsets ${describeJson(rawOffsets)}; expected [begin, end] in bytes`,
      fileName,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`${where} has data_offsets [${begin}, ${end}]: it ends before it begins`, fileName);

  const dims = shape as number[];
  const bytes = elementCount(dims) * dtypeSize(dtype);
  if (bytes !== end - begin) {
    const expected = Number.isFinite(bytes) ? `${bytes} bytes` : "more than 2^53 bytes";
    fail(
      `${where} is ${dtype} [${dims.join(", ")}] (${expected}) but its data_offsets [${begin}, ${end}] span ${end - begin} bytes`,
      fileName,
    );
  }
  if (end > dataLength) {
    fail(`${where} ends at byte ${end} but the data section has ${dataLength} bytes`, fileName);
  }
  return { name, dtype, shape: dims, dataOffsets: [begin, end] };
}

/** Sorted by offsets, the tensors must cover [0, dataLength) exactly once. Sorts in place. */
function checkTiling(tensors: TensorInfo[], dataLength: number, fileName?: string): void {
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let covered = 0;
  let previous: TensorInfo | undefined;
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    if (begin < covered && previous) {
      fail(
        `tensors "${previous.name}" [${previous.dataOffsets.join(", ")}] and "${t.name}" [${begin}, ${end}] overlap`,
        fileName,
      );
    }
    if (begin > covered) {
      const after = previous ? `"${previous.name}" (ends at ${covered})` : "the start of the data section";
      fail(
        `${begin - covered} bytes of the data section between ${after} and "${t.name}" (begins at ${begin}) belong to no tensor`,
        fileName,
      );
    }
    covered = end;
    previous = t;
  }
  if (covered !== dataLength) {
    fail(`the data section has ${dataLength} bytes but the tensors cover only ${covered}`, fileName);
  }
}

/** Short JSON rendering of a bad value for an error message (numbers as written). */
function describeJson(value: JsonValue): string {
  const render = (v: JsonValue): string => {
    if (v instanceof JsonNumber) return v.text;
    if (Array.isArray(v)) return `[${v.map(render).join(",")}]`;
    if (v instanceof JsonObject) return "{...}";
    return JSON.stringify(v);
  };
  const text = render(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

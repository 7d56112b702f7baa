// Parse and validate a GGUF header: everything before the tensor data.
//
//   "GGUF"  u32 version (2 or 3)  u64 tensor_count  u64 metadata_kv_count
//   metadata_kv_count x { string key, u32 value_type, value }
//   tensor_count x { string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset }
//   zero padding to a multiple of ALIGNMENT (general.alignment, default 32)
//   tensor data: each tensor at data_start + offset, offset a multiple of ALIGNMENT
//
// Dimensions are stored ggml-style, innermost first: ne[0] is the length of a row (the
// contiguous dimension). A Hugging Face weight of shape [out, in] is stored as ne = [in, out].
// Each tensor info here carries both: `ne` as stored and `shape` = ne reversed (row-major,
// outermost first, as numpy / PyTorch / safetensors write shapes).
//
// Version 1 used 32-bit counts and lengths and is refused; v2 and v3 are laid out identically
// for little-endian files (v3 added big-endian files, which are refused too).
// Beyond ggml's own checks (gguf.cpp `gguf_init_from_reader`: duplicate keys and names, at most
// 4 dims, element counts that overflow, rows not a multiple of the block size, a power-of-two
// alignment), every count and length is bounded by the bytes that exist before anything is
// allocated, and each tensor's data must be aligned, inside the file, and not overlap another.
// ggml also requires tensors packed in order with no gaps; we accept gaps (the spec allows them).
// Reference: ggml/docs/gguf.md; ggml/src/gguf.cpp; gguf-py gguf/gguf_reader.py.

import { type ByteSource, Cursor } from "./cursor.ts";
import { fail } from "./errors.ts";
import { ggmlTypeById } from "./ggml-types.ts";
import { readString, readValue, readValueType } from "./read-value.ts";
import type { GgufMetadata } from "./values.ts";

/** One tensor's entry in the header. */
export interface GgufTensorInfo {
  name: string;
  /** ggml type name: "F32", "Q8_0", ... (any type ggml defines; see ggml-types.ts). */
  type: string;
  /** Dimensions as stored, innermost first (ggml's ne). HF [out, in] -> ne = [in, out]. */
  ne: number[];
  /** The same dimensions outermost first (numpy / PyTorch order): ne reversed. */
  shape: number[];
  elementCount: number;
  byteLength: number;
  /** Where the data starts, relative to the data section (a multiple of the alignment). */
  offset: number;
}

export interface GgufHeader {
  version: 2 | 3;
  /** general.alignment, or 32 when the file does not set it. */
  alignment: number;
  /** Every key and value, in file order. */
  metadata: GgufMetadata;
  /** Tensor entries in file order. */
  tensors: GgufTensorInfo[];
  /** Absolute byte where the data section starts. */
  dataStart: number;
  /** Size of the whole file in bytes. */
  byteLength: number;
}

export const DEFAULT_ALIGNMENT = 32;
/** ggml's GGML_MAX_DIMS. */
export const MAX_DIMS = 4;
// The fewest bytes an entry can take: key/name length (8) + a 1-byte key + type (4) + a 1-byte
// value; name length (8) + n_dims (4) + type (4) + offset (8).
const MIN_KV_BYTES = 14;
const MIN_TENSOR_INFO_BYTES = 24;

/** Read and validate the header of the GGUF file behind `source`. */
export function parseGgufHeader(source: ByteSource, fileName?: string): GgufHeader {
  const cur = new Cursor(source, fileName);
  const version = readPreamble(cur);
  const tensorCount = cur.u64("tensor count");
  const kvCount = cur.u64("metadata key count");
  checkCount(cur, kvCount, MIN_KV_BYTES, "metadata key count", "key/value pair");
  checkCount(cur, tensorCount, MIN_TENSOR_INFO_BYTES, "tensor count", "tensor info");

  const nKeys = Number(kvCount); // exact: bounded by the file size above
  const metadata: GgufMetadata = new Map();
  for (let i = 0; i < nKeys; i++) {
    const key = readString(cur, `metadata key #${i}`);
    if (key === "") fail(`metadata key #${i} is empty`, fileName);
    if (metadata.has(key)) fail(`metadata key "${key}" appears twice`, fileName);
    metadata.set(key, readValue(cur, readValueType(cur, `metadata "${key}"`), key));
  }
  const alignment = readAlignment(metadata, fileName);

  const nTensors = Number(tensorCount);
  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < nTensors; i++) {
    const info = readTensorInfo(cur, i, alignment);
    if (names.has(info.name)) fail(`tensor "${info.name}" appears twice`, fileName);
    names.add(info.name);
    tensors.push(info);
  }
  const dataStart = alignUp(cur.position, alignment);
  checkLayout(tensors, dataStart, source.byteLength, fileName);
  return { version, alignment, metadata, tensors, dataStart, byteLength: source.byteLength };
}

/** Round up to a multiple of `alignment` (a power of two). */
export function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}

function readPreamble(cur: Cursor): 2 | 3 {
  const size = cur.remaining;
  const magic = cur.bytes(Math.min(4, size), "magic");
  if (size < 4 || String.fromCharCode(...magic) !== "GGUF") {
    const hex = [...magic].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    fail(`not a GGUF file: it starts with bytes [${hex}], not "GGUF"`, cur.fileName);
  }
  const version = cur.u32("version");
  if (version === 2 || version === 3) return version;
  if (version === 1) {
    fail(
      "GGUF version 1 is not supported (it used 32-bit counts and lengths); convert the file with a current llama.cpp",
      cur.fileName,
    );
  }
  if ((version & 0xffff) === 0) {
    fail(
      `GGUF version 0x${version.toString(16)} looks byte-swapped: a big-endian file, which is not supported`,
      cur.fileName,
    );
  }
  return fail(`unsupported GGUF version ${version} (this reader reads versions 2 and 3)`, cur.fileName);
}

function checkCount(cur: Cursor, count: bigint, least: number, what: string, entry: string): void {
  if (count * BigInt(least) > BigInt(cur.remaining)) {
    fail(
      `${what} ${count} cannot fit: each ${entry} takes at least ${least} bytes and only ${cur.remaining} bytes follow the counts`,
      cur.fileName,
    );
  }
}

function readAlignment(metadata: GgufMetadata, fileName?: string): number {
  const entry = metadata.get("general.alignment");
  if (entry === undefined) return DEFAULT_ALIGNMENT;
  if (entry.type !== "uint32") fail(`general.alignment must be a uint32, got ${entry.type}`, fileName);
  const a = entry.value as number;
  if (a === 0 || (a & (a - 1)) !== 0) fail(`general.alignment is ${a}; it must be a power of two`, fileName);
  return a;
}

function readTensorInfo(cur: Cursor, index: number, alignment: number): GgufTensorInfo {
  const name = readString(cur, `name of tensor #${index}`);
  const where = `tensor "${name}"`;
  const nDims = cur.u32(`dimension count of ${where}`);
  if (nDims > MAX_DIMS)
    fail(`${where} has ${nDims} dimensions; GGUF allows at most ${MAX_DIMS}`, cur.fileName);
  const ne: number[] = [];
  for (let j = 0; j < nDims; j++) {
    const d = cur.u64(`dimension ${j} of ${where}`);
    if (d > BigInt(Number.MAX_SAFE_INTEGER)) {
      fail(`${where} has dimension ${j} = ${d}, larger than any file`, cur.fileName);
    }
    ne.push(Number(d));
  }
  const typeId = cur.u32(`type of ${where}`);
  const type = ggmlTypeById(typeId);
  if (!type) fail(`${where} has unknown ggml type ${typeId}`, cur.fileName);
  const rawOffset = cur.u64(`offset of ${where}`);

  const dims = `ne [${ne.join(", ")}]`;
  const elementCount = ne.reduce((n, d) => n * d, 1);
  if (!Number.isSafeInteger(elementCount)) {
    fail(`${where} has ${dims}: more than 2^53 elements, larger than any file`, cur.fileName);
  }
  const rowLength = ne[0] ?? 1;
  if (rowLength % type.blockSize !== 0) {
    fail(
      `${where} is ${type.name} with rows of ${rowLength} elements, not a multiple of its block size ${type.blockSize}`,
      cur.fileName,
    );
  }
  const byteLength = (elementCount / type.blockSize) * type.typeSize;
  if (!Number.isSafeInteger(byteLength)) {
    fail(`${where} is ${type.name} ${dims}: more than 2^53 bytes, larger than any file`, cur.fileName);
  }
  if (rawOffset > BigInt(Number.MAX_SAFE_INTEGER)) {
    fail(`${where} has offset ${rawOffset}, larger than any file`, cur.fileName);
  }
  const offset = Number(rawOffset);
  if (offset % alignment !== 0) {
    fail(
      `${where} has offset ${offset}, not a multiple of the alignment ${alignment} (misaligned data)`,
      cur.fileName,
    );
  }
  return { name, type: type.name, ne, shape: [...ne].reverse(), elementCount, byteLength, offset };
}

/** Every tensor's bytes lie inside the file, and no two tensors share a byte. */
function checkLayout(
  tensors: GgufTensorInfo[],
  dataStart: number,
  fileSize: number,
  fileName?: string,
): void {
  for (const t of tensors) {
    const end = dataStart + t.offset + t.byteLength;
    if (end > fileSize) {
      fail(
        `tensor "${t.name}" (${t.type}, ${t.byteLength} bytes at offset ${t.offset}) ends at byte ${end} but the file has ${fileSize} bytes`,
        fileName,
      );
    }
  }
  // Empty tensors occupy no bytes: gguf-py gives them the offset of the next tensor.
  const sorted = tensors.filter((t) => t.byteLength > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.offset < a.offset + a.byteLength) {
      fail(
        `tensors "${a.name}" (bytes ${a.offset} to ${a.offset + a.byteLength}) and "${b.name}" (from ${b.offset}) overlap`,
        fileName,
      );
    }
  }
}

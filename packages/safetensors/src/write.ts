// Serialize named tensors (+ string metadata) exactly as the reference Rust writer does, so a
// file we read and write back comes out byte for byte the same.
//
// Reference: huggingface/safetensors, safetensors/src/tensor.rs, `prepare` and
// `impl Serialize for Metadata`:
// - tensors sorted by dtype, descending in the crate's enum order (U64, I64, F64, F32, ...: the
//   widest first, so every tensor starts aligned to its element size), then by name (byte order
//   of the UTF-8 name, which is code point order);
// - data laid out contiguously in that order; offsets relative to the data section;
// - header JSON compact (serde_json::to_string), `__metadata__` first when present, then the
//   tensors in data order, each as {"dtype","shape","data_offsets"};
// - header padded with spaces to a multiple of 8 bytes; u64 little-endian length in front.
// The crate keeps metadata in a HashMap (its key order is unspecified); we keep the caller's.
//
// Not here: files (node/file.ts streams these pieces to disk without concatenating them).
import { DTYPE_RANK } from "./dtypes.ts";
import { fail } from "./errors.ts";
import { MAX_HEADER_LENGTH } from "./header.ts";
import { checkTensor, type Tensor } from "./tensor.ts";

export type NamedTensors = Record<string, Tensor> | Map<string, Tensor>;

export interface PreparedSafetensors {
  /** The first 8 + N bytes of the file: length prefix and padded JSON header. */
  header: Uint8Array;
  /** Tensors in the order their data follows the header. */
  order: { name: string; tensor: Tensor }[];
  /** Size of the whole file in bytes. */
  byteLength: number;
}

/** Compare strings by Unicode code point, as Rust compares UTF-8 bytes (JS `<` uses UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return (ca.done ? 0 : 1) - (cb.done ? 0 : 1);
    const diff = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string serde_json can write: no lone UTF-16 surrogates (Rust strings are valid UTF-8). */
function checkString(s: string, what: string): void {
  if (typeof s !== "string" || LONE_SURROGATE.test(s)) fail(`${what} must be a well-formed string`);
}

/** Compute the header and the data order; validates every tensor first. */
export function prepareSafetensors(
  tensors: NamedTensors,
  metadata?: Record<string, string>,
): PreparedSafetensors {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, tensor] of entries) {
    checkString(name, `tensor name ${JSON.stringify(name)}`);
    if (name === "__metadata__") fail(`"__metadata__" is reserved and cannot name a tensor`);
    checkTensor(tensor, name);
  }
  entries.sort(
    ([nameA, a], [nameB, b]) => DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype] || compareCodePoints(nameA, nameB),
  );

  // JSON.stringify escapes strings exactly as serde_json does for well-formed strings: \" \\ \b
  // \f \n \r \t, other control characters as \u00xx, everything else written as is.
  const parts: string[] = [];
  if (metadata !== undefined) {
    const fields = Object.entries(metadata).map(([key, value]) => {
      checkString(key, `metadata key ${JSON.stringify(key)}`);
      checkString(value, `metadata value of "${key}"`);
      return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
    });
    parts.push(`"__metadata__":{${fields.join(",")}}`);
  }
  let offset = 0;
  for (const [name, t] of entries) {
    const end = offset + t.data.byteLength;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const n = Math.ceil(json.byteLength / 8) * 8;
  if (n > MAX_HEADER_LENGTH) fail(`header would be ${n} bytes, over the ${MAX_HEADER_LENGTH}-byte limit`);

  const header = new Uint8Array(8 + n).fill(0x20, 8 + json.byteLength); // pad with spaces
  new DataView(header.buffer).setBigUint64(0, BigInt(n), true);
  header.set(json, 8);
  return { header, order: entries.map(([name, tensor]) => ({ name, tensor })), byteLength: 8 + n + offset };
}

/** The whole file as one buffer (for small files and the browser; Node: writeSafetensors). */
export function serializeSafetensors(tensors: NamedTensors, metadata?: Record<string, string>): Uint8Array {
  const { header, order, byteLength } = prepareSafetensors(tensors, metadata);
  const out = new Uint8Array(byteLength);
  out.set(header, 0);
  let at = header.byteLength;
  for (const { tensor } of order) {
    out.set(tensor.data, at);
    at += tensor.data.byteLength;
  }
  return out;
}

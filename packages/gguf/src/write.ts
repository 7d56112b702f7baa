// Lay out a GGUF v3 file: header, metadata and tensor infos in the order given, then each
// tensor's data padded to the alignment. From the same metadata and tensors this is byte for byte
// what gguf-py's GGUFWriter writes (test/python-files.test.ts checks it on its files):
//
//   "GGUF" u32 3, u64 tensor count, u64 key count
//   keys:    string key, u32 value type, value                          (write-value.ts)
//   tensors: string name, u32 n_dims, u64 ne[n_dims] (shape reversed: innermost first),
//            u32 ggml type, u64 offset (in the data section; each tensor padded to the alignment)
//   zero padding to a multiple of the alignment, then the data, each tensor followed by zero
//   padding to the alignment (the last one too, as gguf-py does)
//
// Alignment: `alignment` in the spec, else general.alignment in the metadata, else 32. Given both,
// they must agree; given only `alignment`, a general.alignment key (uint32) is added after the
// other keys so that readers find the same value.
// Tensor names are at most 63 bytes (llama.cpp's GGML_MAX_NAME is 64 with the NUL).
// Reference: ggml/docs/gguf.md; gguf-py gguf/gguf_writer.py (write_header_to_file,
// write_kv_data_to_file, write_ti_data_to_file, write_tensors_to_file).
// Not here: files (node/file.ts streams the parts to disk without concatenating them).

import { ByteWriter } from "./byte-writer.ts";
import { fail } from "./errors.ts";
import { ggmlTypeByName } from "./ggml-types.ts";
import { alignUp, DEFAULT_ALIGNMENT } from "./header.ts";
import { checkTensor, type GgufTensor } from "./tensor.ts";
import type { GgufMetadata, GgufValue } from "./values.ts";
import { checkString, writeKeyValue } from "./write-value.ts";

export interface GgufWriteTensor extends GgufTensor {
  name: string;
}

export interface GgufWriteSpec {
  /** Keys and typed values, written in this order (a Map, or an object: mind that an object
   * puts integer-like keys first). */
  metadata?: GgufMetadata | Record<string, GgufValue>;
  /** Written in this order. shape is outermost first; the file stores it reversed (ne). */
  tensors?: GgufWriteTensor[];
  /** A power of two; see above. */
  alignment?: number;
}

export interface PreparedGguf {
  /** The header: everything before the first tensor's data, padding included. */
  header: Uint8Array;
  /** The tensors in data order, each with the zero padding that follows it. */
  tensors: { name: string; data: Uint8Array; padding: number }[];
  /** Size of the whole file in bytes. */
  byteLength: number;
}

const MAX_NAME_BYTES = 63;
const encoder = new TextEncoder();

/** Validate everything and compute the header and the data layout. */
export function prepareGguf(spec: GgufWriteSpec): PreparedGguf {
  const entries: [string, GgufValue][] =
    spec.metadata instanceof Map ? [...spec.metadata] : Object.entries(spec.metadata ?? {});
  const alignment = resolveAlignment(entries, spec.alignment);
  const tensors = spec.tensors ?? [];
  checkTensors(tensors);

  const out = new ByteWriter();
  out.bytes(encoder.encode("GGUF"));
  out.u32(3);
  out.u64(tensors.length);
  out.u64(entries.length);
  for (const [key, value] of entries) writeKeyValue(out, key, value);

  let offset = 0;
  const layout: PreparedGguf["tensors"] = [];
  for (const t of tensors) {
    out.string(t.name);
    out.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) out.u64(d); // ne: innermost first
    out.u32(ggmlTypeByName(t.type)!.id);
    out.u64(offset);
    const padded = alignUp(t.data.byteLength, alignment);
    layout.push({ name: t.name, data: t.data, padding: padded - t.data.byteLength });
    offset += padded;
  }
  out.zeros(alignUp(out.length, alignment) - out.length);
  const header = out.finish();
  return { header, tensors: layout, byteLength: header.byteLength + offset };
}

/** The whole file as one buffer (small files and the browser; Node: writeGgufFile). */
export function writeGguf(spec: GgufWriteSpec): Uint8Array {
  const { header, tensors, byteLength } = prepareGguf(spec);
  const file = new Uint8Array(byteLength); // zero-filled: the padding is already there
  file.set(header, 0);
  let at = header.byteLength;
  for (const { data, padding } of tensors) {
    file.set(data, at);
    at += data.byteLength + padding;
  }
  return file;
}

/** The alignment to use; appends general.alignment to `entries` when only the spec gives it. */
function resolveAlignment(entries: [string, GgufValue][], requested: number | undefined): number {
  const entry = entries.find(([key]) => key === "general.alignment")?.[1];
  if (entry !== undefined && entry.type !== "uint32") {
    fail(`metadata "general.alignment" must be a uint32, got ${entry.type}`);
  }
  const fromMetadata = entry?.value as number | undefined;
  for (const a of [requested, fromMetadata]) {
    if (a !== undefined && !(Number.isInteger(a) && a > 0 && a <= 2 ** 31 && (a & (a - 1)) === 0)) {
      fail(`alignment ${a} must be a power of two`);
    }
  }
  if (requested !== undefined && fromMetadata !== undefined && requested !== fromMetadata) {
    fail(`alignment ${requested} disagrees with metadata "general.alignment" = ${fromMetadata}`);
  }
  if (requested !== undefined && fromMetadata === undefined) {
    entries.push(["general.alignment", { type: "uint32", value: requested }]);
  }
  return requested ?? fromMetadata ?? DEFAULT_ALIGNMENT;
}

function checkTensors(tensors: GgufWriteTensor[]): void {
  if (!Array.isArray(tensors)) fail(`tensors must be an array of { name, type, shape, data }`);
  const seen = new Set<string>();
  for (const t of tensors) {
    checkString(t?.name, "a tensor name");
    const bytes = encoder.encode(t.name).byteLength;
    if (bytes === 0) fail("a tensor name is empty");
    if (bytes > MAX_NAME_BYTES) {
      fail(`tensor name "${t.name}" is ${bytes} bytes; llama.cpp reads at most ${MAX_NAME_BYTES}`);
    }
    if (seen.has(t.name)) fail(`tensor "${t.name}" is given twice`);
    seen.add(t.name);
    checkTensor(t, t.name);
  }
}

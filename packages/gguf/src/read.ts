// Read a GGUF file that is already in memory (an ArrayBuffer from fetch(), a Uint8Array from a
// file): validate the header once, then hand out tensors as views of the same bytes.
//
// Works in browsers as well as in Node: no file access here (node/file.ts reads the header of a
// file on disk incrementally and one tensor at a time).
// Reading the data of a tensor whose type is not F32, F16, BF16, Q8_0 or Q4_0 is refused with a
// one-line error; its entry is still listed in `tensors`.

import { bytesSource } from "./cursor.ts";
import { fail } from "./errors.ts";
import { type GgufTensorType, isTensorType, TENSOR_TYPES } from "./ggml-types.ts";
import { type GgufHeader, type GgufTensorInfo, parseGgufHeader } from "./header.ts";
import type { GgufTensor } from "./tensor.ts";
import type { GgufMetadata } from "./values.ts";

export interface GgufFile {
  header: GgufHeader;
  /** Every key and value, in file order (typed: see values.ts). */
  metadata: GgufMetadata;
  /** Tensor entries in file order. */
  tensors: GgufTensorInfo[];
  has(name: string): boolean;
  /** The entry for `name`; a GgufError naming the file when there is none. */
  info(name: string): GgufTensorInfo;
  /** The tensor `name`; its data is a subarray of the bytes given to parseGguf. */
  get(name: string): GgufTensor;
}

/** Validate and index a whole file held in memory. `fileName` only goes into error messages. */
export function parseGguf(bytes: Uint8Array | ArrayBuffer, fileName?: string): GgufFile {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const header = parseGgufHeader(bytesSource(data), fileName);
  const byName = indexByName(header.tensors);
  const info = (name: string) => byName.get(name) ?? missingTensor(name, byName, fileName);
  return {
    header,
    metadata: header.metadata,
    tensors: header.tensors,
    has: (name) => byName.has(name),
    info,
    get(name) {
      const t = info(name);
      const start = header.dataStart + t.offset;
      return {
        type: readableType(t, fileName),
        shape: [...t.shape],
        data: data.subarray(start, start + t.byteLength),
      };
    },
  };
}

export function indexByName(tensors: GgufTensorInfo[]): Map<string, GgufTensorInfo> {
  return new Map(tensors.map((t) => [t.name, t]));
}

/** The tensor's type if we decode it; otherwise a one-line refusal naming tensor and type. */
export function readableType(t: GgufTensorInfo, fileName?: string): GgufTensorType {
  if (isTensorType(t.type)) return t.type;
  return fail(
    `tensor "${t.name}" is ${t.type}, which this reader does not decode (it reads ${TENSOR_TYPES.join(", ")})`,
    fileName,
  );
}

/** A missing-tensor error that lists a few names the file does have, to spot typos. */
export function missingTensor(name: string, byName: Map<string, unknown>, fileName?: string): never {
  const some = [...byName.keys()].slice(0, 5).map((n) => `"${n}"`);
  const more = byName.size > 5 ? `, ... (${byName.size} in all)` : "";
  return fail(
    `no tensor "${name}"; the file has ${some.length ? some.join(", ") + more : "no tensors"}`,
    fileName,
  );
}

// Read a safetensors file that is already in memory (an ArrayBuffer from fetch(), a Uint8Array
// from a file): validate the header once, then hand out tensors as zero-copy views.
//
// Works in a browser as well as in Node: no file access here (see node/file.ts for lazy,
// per-tensor reads from disk).
import { fail } from "./errors.ts";
import { parseHeader, type SafetensorsHeader, type TensorInfo } from "./header.ts";
import type { Tensor } from "./tensor.ts";

export interface SafetensorsFile {
  header: SafetensorsHeader;
  /** Tensor entries in data order. */
  tensors: TensorInfo[];
  /** `__metadata__`, or undefined when the file has none. */
  metadata: Record<string, string> | undefined;
  has(name: string): boolean;
  /** The entry for `name`; throws a SafetensorsError naming the file when there is none. */
  info(name: string): TensorInfo;
  /** The tensor `name`; its data is a subarray of the bytes given to parseSafetensors. */
  get(name: string): Tensor;
}

/** Validate and index a whole file held in memory. `fileName` only goes into error messages. */
export function parseSafetensors(bytes: Uint8Array | ArrayBuffer, fileName?: string): SafetensorsFile {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const header = parseHeader(data, data.byteLength, fileName);
  const byName = indexByName(header.tensors);
  const info = (name: string): TensorInfo => byName.get(name) ?? missingTensor(name, byName, fileName);
  return {
    header,
    tensors: header.tensors,
    metadata: header.metadata,
    has: (name) => byName.has(name),
    info,
    get(name) {
      const { dtype, shape, dataOffsets } = info(name);
      const start = header.dataStart + dataOffsets[0];
      return { dtype, shape: [...shape], data: data.subarray(start, header.dataStart + dataOffsets[1]) };
    },
  };
}

export function indexByName(tensors: TensorInfo[]): Map<string, TensorInfo> {
  return new Map(tensors.map((t) => [t.name, t]));
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

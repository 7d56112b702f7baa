// GGUF files on disk, for Node: open a file and read its header incrementally (positioned reads
// of 64 KiB at a time: listing the tensors of a 500 MB file reads its header, not the file), then
// one tensor at a time on demand; write a file atomically.
//
// `read(name)` allocates exactly that tensor's bytes, in a fresh buffer, and fills it with one
// positioned read. Writing streams the header and each tensor's bytes through writeFileAtomic
// (@llmts/safetensors/node): a crash leaves the old file or the new one, never half of one.
// Not here: validation (../header.ts), layout (../write.ts).

import { closeSync, fstatSync, openSync } from "node:fs";
import { writeFileAtomic } from "@llmts/safetensors/node";
import { fail } from "../errors.ts";
import { type GgufHeader, type GgufTensorInfo, parseGgufHeader } from "../header.ts";
import { indexByName, missingTensor, readableType } from "../read.ts";
import type { GgufTensor } from "../tensor.ts";
import type { GgufMetadata } from "../values.ts";
import { type GgufWriteSpec, prepareGguf } from "../write.ts";
import { fileSource, readFully } from "./source.ts";

/** An open GGUF file: header parsed and validated, tensors read on demand. */
export interface GgufReader {
  path: string;
  /** Size of the file in bytes. */
  byteLength: number;
  header: GgufHeader;
  metadata: GgufMetadata;
  /** Tensor entries in file order. */
  tensors: GgufTensorInfo[];
  has(name: string): boolean;
  info(name: string): GgufTensorInfo;
  /** Read one tensor from disk into its own buffer (F32, F16, BF16, Q8_0, Q4_0; others refused). */
  read(name: string): GgufTensor;
  close(): void;
}

/** Open a file and validate its header; only the header is read now. Close it when done. */
export function openGguf(path: string): GgufReader {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      code === "ENOENT" ? "no such file" : `cannot open it (${code ?? (error as Error).message})`,
      path,
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) fail("not a regular file", path);
    const byteLength = stat.size;
    const header = parseGgufHeader(fileSource(fd, byteLength, path), path);
    const byName = indexByName(header.tensors);
    const info = (name: string) => byName.get(name) ?? missingTensor(name, byName, path);
    let open = true;
    return {
      path,
      byteLength,
      header,
      metadata: header.metadata,
      tensors: header.tensors,
      has: (name) => byName.has(name),
      info,
      read(name) {
        if (!open) fail(`cannot read "${name}": the file was closed`, path);
        const t = info(name);
        const type = readableType(t, path);
        const data = new Uint8Array(t.byteLength);
        readFully(fd, data, header.dataStart + t.offset, path);
        return { type, shape: [...t.shape], data };
      },
      close() {
        if (open) closeSync(fd);
        open = false;
      },
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Write a GGUF v3 file at `path`, atomically (temp file in the same directory, fsync, rename).
 * The tensor data is streamed, never concatenated into one buffer.
 */
export function writeGgufFile(path: string, spec: GgufWriteSpec): void {
  const { header, tensors } = prepareGguf(spec);
  const largestPadding = tensors.reduce((m, t) => Math.max(m, t.padding), 0);
  const zeros = new Uint8Array(largestPadding);
  writeFileAtomic(path, [header, ...tensors.flatMap((t) => [t.data, zeros.subarray(0, t.padding)])]);
}

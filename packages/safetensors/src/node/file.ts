// Safetensors files on disk, for Node: open a file, validate its header, and read one tensor at
// a time with positioned reads; write a file atomically.
//
// Reading never maps or slurps the whole file: `read(name)` allocates exactly that tensor's bytes
// (a fresh, aligned buffer, so the F32 view is free) and fills it with readSync at the tensor's
// offset. Loading a model tensor by tensor therefore holds each weight once, never the file and
// a copy of it. Writing goes through writeFileAtomic (atomic.ts): a crash leaves either the old
// file or the new one, never half of one.
// The byte layout itself is computed in ../write.ts; the validation in ../header.ts.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { fail } from "../errors.ts";
import { parseHeader, readHeaderLength, type SafetensorsHeader, type TensorInfo } from "../header.ts";
import { indexByName, missingTensor, parseSafetensors, type SafetensorsFile } from "../read.ts";
import type { Tensor } from "../tensor.ts";
import { type NamedTensors, prepareSafetensors } from "../write.ts";
import { writeFileAtomic } from "./atomic.ts";
import { readLimitedFile } from "./read-file.ts";

/** An open safetensors file: header parsed and validated, tensors read on demand. */
export interface SafetensorsReader {
  path: string;
  /** Size of the file in bytes. */
  byteLength: number;
  header: SafetensorsHeader;
  /** Tensor entries in data order. */
  tensors: TensorInfo[];
  metadata: Record<string, string> | undefined;
  has(name: string): boolean;
  info(name: string): TensorInfo;
  /**
   * Read one tensor from disk into its own buffer, or into `into` (exactly the tensor's byte
   * length: a loader that wants the bytes somewhere in particular reads them there, no copy).
   */
  read(name: string, into?: Uint8Array): Tensor;
  close(): void;
}

// readSync takes at most 2^31 - 1 bytes per call; read big tensors in 1 GiB pieces.
const CHUNK = 1 << 30;

function readFully(fd: number, into: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < into.byteLength) {
    const want = Math.min(CHUNK, into.byteLength - done);
    const got = readSync(fd, into, done, want, position + done);
    if (got === 0)
      fail(
        `file ended at byte ${position + done}, expected ${into.byteLength - done} more bytes (did it change?)`,
        path,
      );
    done += got;
  }
}

/** Open a file and validate its header; only the header is read now. Close it when done. */
export function openSafetensors(path: string): SafetensorsReader {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer before fstat could refuse it.
  // (On a regular file the flag changes nothing.)
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) fail("a directory, not a file", path);
    if (!stat.isFile()) fail("not a regular file (a device, FIFO or socket)", path);
    const byteLength = stat.size;
    const first8 = new Uint8Array(Math.min(8, byteLength));
    readFully(fd, first8, 0, path);
    // The length is checked against the cap and the file size before we allocate the header.
    const headerLength = readHeaderLength(first8, byteLength, path);
    const prefix = new Uint8Array(8 + headerLength);
    readFully(fd, prefix, 0, path);
    const header = parseHeader(prefix, byteLength, path);
    const byName = indexByName(header.tensors);
    let open = true;
    const info = (name: string) => byName.get(name) ?? missingTensor(name, byName, path);
    return {
      path,
      byteLength,
      header,
      tensors: header.tensors,
      metadata: header.metadata,
      has: (name) => byName.has(name),
      info,
      read(name, into) {
        if (!open) fail(`cannot read "${name}": the file was closed`, path);
        const { dtype, shape, dataOffsets } = info(name);
        const bytes = dataOffsets[1] - dataOffsets[0];
        if (into !== undefined && into.byteLength !== bytes) {
          fail(`cannot read "${name}" (${bytes} bytes) into a buffer of ${into.byteLength} bytes`, path);
        }
        const data = into ?? new Uint8Array(bytes);
        readFully(fd, data, header.dataStart + dataOffsets[0], path);
        return { dtype, shape: [...shape], data };
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

/** The largest file readSafetensorsFile reads whole (Node's own limit for one read of a file). */
const MAX_WHOLE_FILE = 2 ** 31 - 1;

/**
 * Read and validate a whole file at once (reference files, small checkpoints): a regular file of
 * at most 2 GiB; anything larger is for openSafetensors, which reads one tensor at a time.
 */
export function readSafetensorsFile(path: string): SafetensorsFile {
  const bytes = readLimitedFile(path, MAX_WHOLE_FILE, (reason) => fail(`path ${reason}`, path));
  return parseSafetensors(bytes, path);
}

/**
 * Write tensors (+ optional string metadata) to `path`, atomically (writeFileAtomic: temp file in
 * the same directory, fsync, rename). Byte-identical to what the Rust `safetensors` crate writes;
 * the tensor data is streamed, never concatenated into one buffer.
 */
export function writeSafetensors(
  path: string,
  tensors: NamedTensors,
  metadata?: Record<string, string>,
): void {
  const { header, order } = prepareSafetensors(tensors, metadata);
  writeFileAtomic(path, [header, ...order.map(({ tensor }) => tensor.data)]);
}

// A file on disk as a ByteSource: positioned reads (readSync at an offset), so the header parser
// pulls in only the bytes it asks for, a chunk at a time, and a tensor is read on its own.
// Not here: what the bytes mean (../header.ts).

import { readSync } from "node:fs";
import type { ByteSource } from "../cursor.ts";
import { fail } from "../errors.ts";

// readSync takes at most 2^31 - 1 bytes per call; read big tensors in 1 GiB pieces.
const CHUNK = 1 << 30;

/** Fill `into` from the file at `position`; a file that ends early (it changed) is an error. */
export function readFully(fd: number, into: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < into.byteLength) {
    const got = readSync(fd, into, done, Math.min(CHUNK, into.byteLength - done), position + done);
    if (got === 0) {
      fail(
        `file ended at byte ${position + done}, expected ${into.byteLength - done} more bytes (did it change?)`,
        path,
      );
    }
    done += got;
  }
}

/** The open file `fd` of `byteLength` bytes; each read allocates exactly what it returns. */
export function fileSource(fd: number, byteLength: number, path: string): ByteSource {
  return {
    byteLength,
    read(position, length) {
      const bytes = new Uint8Array(length);
      readFully(fd, bytes, position, path);
      return bytes;
    },
  };
}

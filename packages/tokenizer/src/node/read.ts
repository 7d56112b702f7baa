// Reading one tokenizer file on Node, bounded: only a regular file, and only up to its size limit
// (TOKENIZER_FILE_LIMITS), checked with fstat before a byte is read.
//
//   /dev/zero, a FIFO, a socket  -> "is not a regular file": reading would never end (or block)
//   a directory                  -> "is a directory, not a file"
//   a 3 GB file                  -> "is 3.2 GB, more than the 256 MiB a tokenizer.json may be"
//
// The file is opened with O_NONBLOCK: opening a FIFO for reading otherwise blocks until some
// other process opens it for writing, before fstat could say what it is. (On a regular file the
// flag changes nothing.) Checking the open descriptor, not the path, leaves no window in which
// the path could be swapped for something else.
// Not here: which files to read (../from-files.ts).

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { checkTokenizerFileSize, type TokenizerFileName } from "../from-files.ts";
import { TokenizerError } from "../types.ts";

function kindOf(stat: Stats): string {
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  return "not a file";
}

/** The bytes of `path`, which plays the part of `name` (its size limit and the messages). */
export function readTokenizerFile(path: string, name: TokenizerFileName): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new TokenizerError(`tokenizer: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new TokenizerError(`tokenizer: ${path} is a directory, not a file`);
    if (!stat.isFile())
      throw new TokenizerError(`tokenizer: ${path} is not a regular file (${kindOf(stat)})`);
    checkTokenizerFileSize(name, stat.size, path);
    const bytes = new Uint8Array(stat.size);
    let done = 0;
    while (done < bytes.length) {
      const got = readSync(fd, bytes, done, bytes.length - done, done);
      if (got === 0) break; // the file shrank since fstat: keep what is there
      done += got;
    }
    return bytes.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

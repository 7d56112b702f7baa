// Replacing a file so that a crash (power loss, a killed process) at any moment leaves either the
// old file or the complete new one, never half of one:
//
//   1. write everything to a fresh temporary file in the same directory (same file system, so the
//      rename below is atomic), named .<name>.<pid>.<random>.tmp so concurrent writers never share one;
//   2. fsync it: the bytes are on disk before the new name can point at them;
//   3. rename it over the target (POSIX rename replaces atomically);
//   4. fsync the directory, so the rename itself is durable.
//
// On failure the temporary file is removed and the target is untouched.
// Used for safetensors files (file.ts) and by @llmts/model for config.json.
// Not here: choosing what to write (write.ts lays out the bytes).
// Reference: POSIX rename(2), which replaces the target atomically; LevelDB's SetCurrentFile
// replaces its CURRENT file the same way (temp file, sync, rename).
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

// writeSync takes at most 2^31 - 1 bytes per call; write big buffers in 1 GiB pieces.
const CHUNK = 1 << 30;

function writeFully(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) {
    done += writeSync(fd, bytes, done, Math.min(CHUNK, bytes.byteLength - done));
  }
}

/**
 * Atomically replace `path` with `parts` written one after another (a string is written as UTF-8).
 * The parts are streamed to disk as they are, never concatenated.
 */
export function writeFileAtomic(path: string, parts: Iterable<Uint8Array | string>): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx");
  let closed = false;
  try {
    for (const part of parts) writeFully(fd, typeof part === "string" ? Buffer.from(part, "utf8") : part);
    fsyncSync(fd);
    closed = true;
    closeSync(fd);
    renameSync(temp, path);
  } catch (error) {
    if (!closed) closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  fsyncPath(dirname(path));
}

/**
 * fsync a file or a directory, so that a rename that follows cannot outrun its data, and a rename
 * in a directory survives a crash (best effort: not every OS lets a directory be opened).
 */
export function fsyncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    fsyncSync(fd);
  } catch {
    // Windows cannot open directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

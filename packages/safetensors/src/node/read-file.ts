// Reading a whole file that should be of modest size — a config.json, a tokenizer.json, training
// text — without trusting it: a path that names a device (/dev/zero), a FIFO or a directory is
// refused from its stat alone (reading /dev/zero never ends; opening a FIFO blocks until someone
// writes to it), and so is a file larger than the caller's cap (JSON.parse of a 5 GB "config"
// would take the process down long before it failed). A file that grows while it is read stops
// at the cap too.
// Not here: tensors (file.ts reads those one at a time with positioned reads).

import { closeSync, openSync, readSync, statSync } from "node:fs";

/**
 * The cap for a JSON file that describes something (a config.json, generation_config.json, a
 * sharded checkpoint's index, a fixture's reference.json): the largest real ones are a few
 * hundred KB (the index of a 405B model), so 16 MiB is generous and still parses in a moment.
 */
export const MAX_JSON_BYTES = 16 * 2 ** 20;

/** What a path is, in words, for the message that refuses it. */
function kindOf(stats: ReturnType<typeof statSync>): string {
  if (stats?.isDirectory()) return "a directory";
  if (stats?.isCharacterDevice()) return "a character device";
  if (stats?.isBlockDevice()) return "a block device";
  if (stats?.isFIFO()) return "a FIFO (named pipe)";
  if (stats?.isSocket()) return "a socket";
  return "not a regular file";
}

function size(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * The bytes of the regular file at `path`, at most `maxBytes` of them. Anything else calls
 * `fail(reason)` (which throws the caller's own error), e.g. "is a character device, not a file"
 * or "is 3.2 GiB, more than the 1.0 GiB allowed".
 */
export function readLimitedFile(path: string, maxBytes: number, fail: (reason: string) => never): Uint8Array {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(error)})`);
  }
  if (!stats?.isFile()) return fail(`is ${kindOf(stats)}, not a file`);
  if (stats.size > maxBytes) return fail(`is ${size(stats.size)}, more than the ${size(maxBytes)} allowed`);
  // The size stat reports is a hint (a file under /proc says 0): read until the end, growing the
  // buffer as needed, but never past maxBytes + 1 (one byte more than allowed proves too much).
  let out = new Uint8Array(Math.min(Math.max(stats.size + 1, 1 << 16), maxBytes + 1));
  const fd = openSync(path, "r");
  let length = 0;
  try {
    for (;;) {
      if (length === out.length) {
        if (length > maxBytes) return fail(`grew past the ${size(maxBytes)} allowed while it was read`);
        const bigger = new Uint8Array(Math.min(out.length * 2, maxBytes + 1));
        bigger.set(out);
        out = bigger;
      }
      const got = readSync(fd, out, length, out.length - length, length);
      if (got === 0) break;
      length += got;
    }
  } finally {
    closeSync(fd);
  }
  if (length > maxBytes) return fail(`grew past the ${size(maxBytes)} allowed while it was read`);
  return out.subarray(0, length);
}

/** readLimitedFile, decoded as UTF-8 (invalid sequences become U+FFFD, as readFileSync does). */
export function readLimitedText(path: string, maxBytes: number, fail: (reason: string) => never): string {
  return new TextDecoder().decode(readLimitedFile(path, maxBytes, fail));
}

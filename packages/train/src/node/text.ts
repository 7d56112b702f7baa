// Training text from files: --data FILE... read as UTF-8 and joined with a blank line between
// files (FILE_SEPARATOR, so the last word of one file never fuses with the first of the next).
// Each file must be a regular file of at most MAX_TEXT_BYTES: the text lives in memory as a
// JavaScript string (V8 allows about 512 Mi characters) and as int32 token ids, and a device such
// as /dev/zero would never end.
// Not here: tokenizing it or splitting it (../data.ts).

import { readLimitedText } from "@llmts/safetensors/node";
import { FILE_SEPARATOR } from "../data.ts";
import { DataError } from "../errors.ts";

/** The largest --data file read (bytes). */
export const MAX_TEXT_BYTES = 512 * 2 ** 20;

/** Reads text files (UTF-8) and joins them in the order given, FILE_SEPARATOR between them; an empty file is an error. */
export function readTextFiles(paths: readonly string[]): string {
  if (paths.length === 0) throw new DataError("data: no text files given (--data FILE...)");
  const parts: string[] = [];
  for (const path of paths) {
    const text = readLimitedText(path, MAX_TEXT_BYTES, (reason) => {
      throw new DataError(`data: ${path} ${reason}`);
    });
    // Refused here, where the file is known: joined with the others it would not look empty.
    if (text.length === 0) throw new DataError(`data: ${path} is empty: there is no text to train on`);
    parts.push(text);
  }
  return parts.join(FILE_SEPARATOR);
}

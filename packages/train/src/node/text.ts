// Training text from files: --data FILE... read as UTF-8 and joined with a blank line between
// files (FILE_SEPARATOR, so the last word of one file never fuses with the first of the next).
// Not here: tokenizing it or splitting it (../data.ts).

import { readFileSync } from "node:fs";
import { FILE_SEPARATOR } from "../data.ts";
import { DataError } from "../errors.ts";

/** Reads text files (UTF-8) and joins them in the order given, FILE_SEPARATOR between them; an empty file is an error. */
export function readTextFiles(paths: readonly string[]): string {
  if (paths.length === 0) throw new DataError("data: no text files given (--data FILE...)");
  const parts: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new DataError(`data: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
    // Refused here, where the file is known: joined with the others it would not look empty.
    if (text.length === 0) throw new DataError(`data: ${path} is empty: there is no text to train on`);
    parts.push(text);
  }
  return parts.join(FILE_SEPARATOR);
}

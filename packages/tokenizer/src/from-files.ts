// tokenizerFromFiles: a tokenizer from a model directory's files, already in memory. This is
// loadTokenizer(dir) (node/load.ts) without the file system, so a browser page that opened the
// files, or a test, loads a tokenizer exactly as the CLI does. The files that count, first match wins:
//   tokenizer.json (+ tokenizer_config.json for BOS/EOS)  -> fromTokenizerJson
//   tokenizer.bin                                          -> llama2.c's vocabulary with scores
//   vocab.json + merges.txt                                -> GPT-2's original files
// Every file has a size limit (TOKENIZER_FILE_LIMITS). Readers check it before they read (a
// browser page: File.size; node/read.ts: fstat), and it is checked again here, so a huge file
// is refused in one line instead of being decoded and parsed.
// Not here: finding and reading files (node/load.ts), parsing each format (tokenizer-json.ts,
// llama2c.ts, gpt2-files.ts).

import { gpt2FilesToJson } from "./gpt2-files.ts";
import { type Json, JsonSource } from "./json-fields.ts";
import { fromLlama2cTokenizer } from "./llama2c.ts";
import { fromTokenizerJson, type TokenizerConfig } from "./tokenizer-json.ts";
import { type Tokenizer, TokenizerError } from "./types.ts";

export type TokenizerFileName =
  | "tokenizer.json"
  | "tokenizer_config.json"
  | "tokenizer.bin"
  | "vocab.json"
  | "merges.txt";

/** A model directory's tokenizer files by name: text, or the file's bytes (UTF-8 for text files). */
export type TokenizerFiles = { [name in TokenizerFileName]?: string | Uint8Array };

const MiB = 1024 * 1024;

/**
 * The most bytes each file may have. Real ones are far smaller: GPT-2's tokenizer.json is 1.4 MB,
 * Llama 3's 9 MB, Gemma 3's (262k tokens) 33 MB; a tokenizer_config.json is kilobytes, or about
 * 1 MB when it lists thousands of added tokens; llama2.c's tokenizer.bin is 0.4 MB.
 */
export const TOKENIZER_FILE_LIMITS: Readonly<Record<TokenizerFileName, number>> = {
  "tokenizer.json": 256 * MiB,
  "tokenizer_config.json": 16 * MiB,
  "tokenizer.bin": 256 * MiB,
  "vocab.json": 256 * MiB,
  "merges.txt": 256 * MiB,
};

/**
 * Which files make the tokenizer, by the precedence above, given which files exist; undefined
 * when none do. Lets a reader open only the files that will be used.
 */
export function tokenizerFilesToRead(
  has: (name: TokenizerFileName) => boolean,
): TokenizerFileName[] | undefined {
  if (has("tokenizer.json")) {
    return has("tokenizer_config.json") ? ["tokenizer.json", "tokenizer_config.json"] : ["tokenizer.json"];
  }
  if (has("tokenizer.bin")) return ["tokenizer.bin"];
  if (has("vocab.json") && has("merges.txt")) return ["vocab.json", "merges.txt"];
  return undefined;
}

/** "3.2 GB", "700.0 MB", "12 bytes": a size for an error message. */
export function describeSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} bytes`;
}

/** Throws when a `name` file of `size` bytes is over its limit; `path` names it in the message. */
export function checkTokenizerFileSize(name: TokenizerFileName, size: number, path: string): void {
  const limit = TOKENIZER_FILE_LIMITS[name];
  if (size > limit) {
    throw new TokenizerError(
      `tokenizer: ${path} is ${describeSize(size)}, more than the ${limit / MiB} MiB a ${name} may be`,
    );
  }
}

export interface TokenizerFilesOptions {
  /** The directory the files came from, for "DIR has no tokenizer.json, ..." and default paths. */
  dir?: string;
  /** How errors name each file, e.g. its path (default: `${dir}/${name}`, or the bare name). */
  paths?: Partial<Record<TokenizerFileName, string>>;
}

/** Keeps a BOM, as Node's readFileSync(file, "utf8") does (JSON.parse then refuses it). */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

export function tokenizerFromFiles(files: TokenizerFiles, options: TokenizerFilesOptions = {}): Tokenizer {
  const pathOf = (name: TokenizerFileName) =>
    options.paths?.[name] ?? (options.dir === undefined ? name : `${options.dir}/${name}`);
  const chosen = tokenizerFilesToRead((name) => files[name] !== undefined);
  if (chosen === undefined) {
    const what = "tokenizer.json, vocab.json + merges.txt, or tokenizer.bin";
    throw new TokenizerError(
      options.dir === undefined
        ? `tokenizer: no ${what} among the files given`
        : `tokenizer: ${options.dir} has no ${what}`,
    );
  }
  for (const name of chosen) checkTokenizerFileSize(name, files[name]!.length, pathOf(name));
  const text = (name: TokenizerFileName) => {
    const content = files[name]!;
    return typeof content === "string" ? content : utf8.decode(content);
  };

  switch (chosen[0]) {
    case "tokenizer.json": {
      const file = pathOf("tokenizer.json");
      const json = new JsonSource(file).parse(text("tokenizer.json"), false); // fromTokenizerJson checks depth
      let config: TokenizerConfig = {};
      if (files["tokenizer_config.json"] !== undefined) {
        const parsed = new JsonSource(pathOf("tokenizer_config.json")).parse(text("tokenizer_config.json"));
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) config = parsed;
      }
      return fromTokenizerJson(json as Json, file, config);
    }
    case "tokenizer.bin": {
      const bytes = files["tokenizer.bin"]!;
      const file = pathOf("tokenizer.bin");
      if (typeof bytes === "string") {
        throw new TokenizerError(`tokenizer: ${file} must be given as bytes (a Uint8Array), not text`);
      }
      return fromLlama2cTokenizer(bytes, file);
    }
    default: {
      const vocabFile = pathOf("vocab.json");
      const json = gpt2FilesToJson(text("vocab.json"), vocabFile, text("merges.txt"), pathOf("merges.txt"));
      return fromTokenizerJson(json, vocabFile);
    }
  }
}

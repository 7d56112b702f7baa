// loadTokenizer(path): a tokenizer from a file or a model directory on disk.
//   a directory     -> what tokenizerFromFiles picks from its files (../from-files.ts):
//                      tokenizer.json (+ tokenizer_config.json), else tokenizer.bin, else
//                      vocab.json + merges.txt
//   tokenizer.json  -> that file (any name ending in .json other than vocab.json), with the
//                      tokenizer_config.json beside it
//   vocab.json / merges.txt -> the pair, from the same directory
//   tokenizer.bin   -> llama2.c's vocabulary with scores (any name ending in .bin)
// A thin layer over tokenizerFromFiles: this file only finds and reads the files (node/read.ts
// bounds each read); which files win and how they are parsed is decided there, for every platform.
//   a GGUF file     -> the tokenizer in its metadata (gguf.ts); a directory with no tokenizer
//                      files but a model.gguf (`llmts quantize`'s output) -> that file's
// Not supported: SentencePiece's tokenizer.model protobuf (use the model's tokenizer.json).

import { existsSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isGgufFile } from "@llmts/gguf/node";
import {
  type TokenizerFileName,
  type TokenizerFiles,
  tokenizerFilesToRead,
  tokenizerFromFiles,
} from "../from-files.ts";
import { type Tokenizer, TokenizerError } from "../types.ts";
import { ggufHasTokenizer, ggufInDirectory, loadGgufTokenizer } from "./gguf.ts";
import { readTokenizerFile } from "./read.ts";

export function loadTokenizer(pathOrDir: string): Tokenizer {
  if (!existsSync(pathOrDir)) throw new TokenizerError(`tokenizer: no such file or directory: ${pathOrDir}`);
  if (statSync(pathOrDir).isDirectory()) {
    const pathOf = (name: TokenizerFileName) => join(pathOrDir, name);
    const names = tokenizerFilesToRead((name) => existsSync(pathOf(name))) ?? [];
    const gguf = ggufInDirectory(pathOrDir);
    if (names.length === 0 && gguf !== undefined) return loadGgufTokenizer(gguf);
    return fromPaths(Object.fromEntries(names.map((name) => [name, pathOf(name)])), pathOrDir);
  }
  if (isGgufFile(pathOrDir)) return loadGgufTokenizer(pathOrDir);
  const name = basename(pathOrDir);
  const dir = dirname(pathOrDir);
  if (name === "vocab.json" || name === "merges.txt") {
    const pair = { "vocab.json": join(dir, "vocab.json"), "merges.txt": join(dir, "merges.txt") };
    for (const f of Object.values(pair)) {
      if (!existsSync(f))
        throw new TokenizerError(`tokenizer: ${f} not found (vocab.json and merges.txt go together)`);
    }
    return fromPaths(pair);
  }
  if (name.endsWith(".bin")) return fromPaths({ "tokenizer.bin": pathOrDir });
  if (name.endsWith(".model")) {
    throw new TokenizerError(
      `tokenizer: ${pathOrDir}: SentencePiece .model files are not supported; use the model's tokenizer.json`,
    );
  }
  const config = join(dir, "tokenizer_config.json");
  return fromPaths({
    "tokenizer.json": pathOrDir,
    ...(existsSync(config) ? { "tokenizer_config.json": config } : {}),
  });
}

/** Read each file (bounded) and hand them to tokenizerFromFiles, which names them by path. */
function fromPaths(paths: Partial<Record<TokenizerFileName, string>>, dir?: string): Tokenizer {
  const files: TokenizerFiles = {};
  for (const [name, path] of Object.entries(paths) as [TokenizerFileName, string][]) {
    files[name] = readTokenizerFile(path, name);
  }
  return tokenizerFromFiles(files, { paths, ...(dir === undefined ? {} : { dir }) });
}

/**
 * True when loadTokenizer(path) finds something to read: tokenizer files in a directory (or its
 * model.gguf's metadata), a GGUF file with a tokenizer, or a tokenizer file itself.
 */
export function hasTokenizer(path: string): boolean {
  if (!existsSync(path)) return false;
  if (!statSync(path).isDirectory()) return isGgufFile(path) ? ggufHasTokenizer(path) : true;
  if (tokenizerFilesToRead((name) => existsSync(join(path, name))) !== undefined) return true;
  const gguf = ggufInDirectory(path);
  return gguf !== undefined && ggufHasTokenizer(gguf);
}

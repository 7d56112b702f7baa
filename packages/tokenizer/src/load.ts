// loadTokenizer(path): find and read a tokenizer from a file or a model directory.
//   a directory     -> its tokenizer.json (+ tokenizer_config.json for BOS/EOS), else
//                      vocab.json + merges.txt (GPT-2's original files)
//   tokenizer.json  -> that file (any name ending in .json other than vocab.json)
//   vocab.json / merges.txt -> the pair, from the same directory
//   tokenizer.bin   -> llama2.c's vocabulary with scores (also found in a directory)
// Not supported: SentencePiece's tokenizer.model protobuf (use the model's tokenizer.json).

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { gpt2FilesToJson } from "./gpt2-files.ts";
import { type Json, JsonSource } from "./json-fields.ts";
import { fromLlama2cTokenizer } from "./llama2c.ts";
import { fromTokenizerJson, type TokenizerConfig } from "./tokenizer-json.ts";
import { type Tokenizer, TokenizerError } from "./types.ts";

export function loadTokenizer(pathOrDir: string): Tokenizer {
  if (!existsSync(pathOrDir)) throw new TokenizerError(`tokenizer: no such file or directory: ${pathOrDir}`);
  if (statSync(pathOrDir).isDirectory()) {
    const json = join(pathOrDir, "tokenizer.json");
    if (existsSync(json)) return loadTokenizerJson(json);
    const bin = join(pathOrDir, "tokenizer.bin");
    if (existsSync(bin)) return fromLlama2cTokenizer(readFileSync(bin), bin);
    if (existsSync(join(pathOrDir, "vocab.json")) && existsSync(join(pathOrDir, "merges.txt"))) {
      return loadGpt2Files(join(pathOrDir, "vocab.json"), join(pathOrDir, "merges.txt"));
    }
    throw new TokenizerError(
      `tokenizer: ${pathOrDir} has no tokenizer.json, vocab.json + merges.txt, or tokenizer.bin`,
    );
  }
  const name = basename(pathOrDir);
  if (name === "vocab.json" || name === "merges.txt") {
    const dir = dirname(pathOrDir);
    return loadGpt2Files(join(dir, "vocab.json"), join(dir, "merges.txt"));
  }
  if (name.endsWith(".bin")) return fromLlama2cTokenizer(readFileSync(pathOrDir), pathOrDir);
  if (name.endsWith(".model")) {
    throw new TokenizerError(
      `tokenizer: ${pathOrDir}: SentencePiece .model files are not supported; use the model's tokenizer.json`,
    );
  }
  return loadTokenizerJson(pathOrDir);
}

function loadTokenizerJson(file: string): Tokenizer {
  const json = new JsonSource(file).parse(readFileSync(file, "utf8"));
  const configFile = join(dirname(file), "tokenizer_config.json");
  let config: TokenizerConfig = {};
  if (existsSync(configFile)) {
    const parsed = new JsonSource(configFile).parse(readFileSync(configFile, "utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) config = parsed;
  }
  return fromTokenizerJson(json as Json, file, config);
}

function loadGpt2Files(vocabFile: string, mergesFile: string): Tokenizer {
  for (const f of [vocabFile, mergesFile]) {
    if (!existsSync(f))
      throw new TokenizerError(`tokenizer: ${f} not found (vocab.json and merges.txt go together)`);
  }
  const json = gpt2FilesToJson(
    readFileSync(vocabFile, "utf8"),
    vocabFile,
    readFileSync(mergesFile, "utf8"),
    mergesFile,
  );
  return fromTokenizerJson(json, vocabFile);
}

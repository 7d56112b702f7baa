// Public API of @llmts/tokenizer: text <-> token ids. Platform-neutral: no file system here, so
// it runs in browsers; files on disk are "@llmts/tokenizer/node" (node/index.ts).
//   Tokenizer (interface)     types.ts — what generation and training code use
//   CharTokenizer             char.ts — toy models
//   ByteLevelBpeTokenizer     byte-level-bpe.ts — GPT-2, Llama 3, Qwen, SmolLM
//   SentencePieceBpeTokenizer sentencepiece-bpe.ts — Llama 2, TinyLlama, Mistral
//   tokenizerFromFiles        from-files.ts — a model directory's files, already in memory
//   tokenizerFromGguf / tokenizerToGguf   gguf-read.ts / gguf-write.ts — GGUF metadata
//   trainBpe                  train.ts — minbpe-style training, saved as tokenizer.json

export type { AddedToken } from "./added-tokens.ts";
export { BYTE_TO_CHAR, CHAR_TO_BYTE, toByteChars } from "./byte-chars.ts";
export { ByteLevelBpeTokenizer } from "./byte-level-bpe.ts";
export { CharTokenizer } from "./char.ts";
export {
  checkTokenizerFileSize,
  TOKENIZER_FILE_LIMITS,
  type TokenizerFileName,
  type TokenizerFiles,
  type TokenizerFilesOptions,
  tokenizerFilesToRead,
  tokenizerFromFiles,
} from "./from-files.ts";
export { hasGgufTokenizer, tokenizerFromGguf } from "./gguf-read.ts";
export { TOKEN_TYPE } from "./gguf-vocab.ts";
export { tokenizerToGguf } from "./gguf-write.ts";
export { byteLevelBpeJson, gpt2FilesToJson } from "./gpt2-files.ts";
export { MAX_JSON_DEPTH } from "./json-fields.ts";
export { fromLlama2cTokenizer } from "./llama2c.ts";
export { GPT2_PATTERN } from "./pipeline.ts";
export { translateRegex } from "./regex.ts";
export { SentencePieceBpeTokenizer } from "./sentencepiece-bpe.ts";
export { fromTokenizerJson, type TokenizerConfig } from "./tokenizer-json.ts";
export { type TrainOptions, trainBpe } from "./train.ts";
export {
  type EncodeOptions,
  type StreamDecoder,
  type Tokenizer,
  TokenizerError,
  type TokenizerKind,
} from "./types.ts";

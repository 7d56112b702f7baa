// Public API of @llmts/tokenizer: text <-> token ids.
//   Tokenizer (interface)     types.ts — what generation and training code use
//   CharTokenizer             char.ts — toy models
//   ByteLevelBpeTokenizer     byte-level-bpe.ts — GPT-2, Llama 3, Qwen, SmolLM
//   SentencePieceBpeTokenizer sentencepiece-bpe.ts — Llama 2, TinyLlama, Mistral
//   loadTokenizer             load.ts — a tokenizer.json, vocab.json + merges.txt, or a model dir
//   trainBpe                  train.ts — minbpe-style training, saved as tokenizer.json

export type { AddedToken } from "./added-tokens.ts";
export { BYTE_TO_CHAR, CHAR_TO_BYTE, toByteChars } from "./byte-chars.ts";
export { ByteLevelBpeTokenizer } from "./byte-level-bpe.ts";
export { CharTokenizer } from "./char.ts";
export { byteLevelBpeJson, gpt2FilesToJson } from "./gpt2-files.ts";
export { fromLlama2cTokenizer } from "./llama2c.ts";
export { loadTokenizer } from "./load.ts";
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

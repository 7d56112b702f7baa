// What GGUF's tokenizer keys mean, shared by reading (gguf-read.ts) and writing (gguf-write.ts):
//
//   tokenizer.ggml.model          "llama": SentencePiece-style BPE, merged by token score
//                                 "gpt2":  byte-level BPE with a merge list
//   tokenizer.ggml.pre            gpt2's pre-tokenizer: "gpt2" (GPT-2's regex), "llama-bpe"
//                                 (Llama 3's), "qwen2" (Qwen2's)
//   tokenizer.ggml.tokens         string[]   every token, id order
//   tokenizer.ggml.scores         float32[]  ("llama") the higher, the earlier a merge makes it
//   tokenizer.ggml.token_type     int32[]    TOKEN_TYPE below
//   tokenizer.ggml.merges         string[]   ("gpt2") "a b", best first
//   tokenizer.ggml.bos_token_id / eos_token_id / unknown_token_id   uint32
//   tokenizer.ggml.add_bos_token / add_eos_token / add_space_prefix bool
// Not here: reading or writing them.
// Reference: gguf-py constants.py (Keys.Tokenizer, TokenType); llama.cpp llama-vocab.cpp
// (LLAMA_VOCAB_PRE_TYPE_* and their regexes).

/** tokenizer.ggml.token_type values (gguf-py's TokenType). */
export const TOKEN_TYPE = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

const CONTRACTIONS_CI = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";
const LLAMA3_TAIL = "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/**
 * The Split patterns of the byte-level pre-tokenizers read and written here, as the models'
 * tokenizer.json files spell them (GPT-2's is ByteLevel's own regex, use_regex: true).
 */
export const PRE_TOKENIZER_PATTERNS: Readonly<Record<string, string>> = {
  "llama-bpe": `${CONTRACTIONS_CI}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}${LLAMA3_TAIL}`,
  qwen2: `${CONTRACTIONS_CI}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}${LLAMA3_TAIL}`,
};

/** The pre-tokenizer names read: GPT-2's (also "default" and none), and those above. */
export const PRE_TOKENIZERS = ["gpt2", ...Object.keys(PRE_TOKENIZER_PATTERNS)];

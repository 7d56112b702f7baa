// Node entry point of @llmts/tokenizer (`import ... from "@llmts/tokenizer/node"`): tokenizers
// on disk. Everything that needs no file system is in the main entry point and runs in browsers;
// tokenizerFromFiles there loads from files already in memory by the same rules.
//   loadTokenizer   load.ts — a tokenizer.json, vocab.json + merges.txt, tokenizer.bin, or a model dir
//   saveTokenizer   save.ts — its tokenizer.json, written atomically
export { loadTokenizer } from "./load.ts";
export { readTokenizerFile } from "./read.ts";
export { saveTokenizer } from "./save.ts";

// Node entry point of @llmts/tokenizer (`import ... from "@llmts/tokenizer/node"`): tokenizers
// on disk. Everything that needs no file system is in the main entry point and runs in browsers;
// tokenizerFromFiles there loads from files already in memory by the same rules.
//   loadTokenizer   load.ts — a tokenizer.json, vocab.json + merges.txt, tokenizer.bin, a GGUF
//                   file, or a model dir
//   hasTokenizer    load.ts — whether loadTokenizer(path) finds anything to read
//   saveTokenizer   save.ts — its tokenizer.json, written atomically
export { loadGgufTokenizer } from "./gguf.ts";
export { hasTokenizer, loadTokenizer } from "./load.ts";
export { readTokenizerFile } from "./read.ts";
export { saveTokenizer } from "./save.ts";

// Node entry point of @llmts/model (`import ... from "@llmts/model/node"`): checkpoint
// directories on disk. Everything that needs no file system is in the main entry point and runs
// in browsers (modelFromFiles loads from bytes in memory).
export { loadModel, readConfig, saveModel } from "./directory.ts";
export { GGUF_MODEL_FILE, ggufModelPath, loadGgufModel, saveGgufModel } from "./gguf.ts";

// Node entry point of @llmts/safetensors (`import ... from "@llmts/safetensors/node"`): files on
// disk. Everything that needs no file system is in the main entry point and works in browsers.
export { fsyncPath, writeFileAtomic } from "./atomic.ts";
export {
  type Checkpoint,
  type CheckpointTensorInfo,
  openCheckpoint,
  resolveCheckpointFiles,
} from "./checkpoint.ts";
export { openSafetensors, readSafetensorsFile, type SafetensorsReader, writeSafetensors } from "./file.ts";
export { prepareOutputDirectory } from "./output-dir.ts";
export { MAX_JSON_BYTES, readLimitedFile, readLimitedText } from "./read-file.ts";

// A checkpoint as the Hugging Face hub lays it out: one `model.safetensors`, or shards listed by
// `model.safetensors.index.json`, whose `weight_map` says which shard holds each tensor:
//
//   { "metadata": { "total_size": 497759232 },
//     "weight_map": { "wte.weight": "model-00001-of-00002.safetensors", ... } }
//
// openCheckpoint() takes a .safetensors file, an index file, or a directory holding either, and
// gives one view over all shards: headers are read and validated up front, tensor data lazily.
// Reference: transformers' `load_sharded_checkpoint` / huggingface_hub's sharding layout.
import { existsSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";
import { fail } from "../errors.ts";
import type { TensorInfo } from "../header.ts";
import { JsonObject, jsonKind, parseJson } from "../json.ts";
import { missingTensor } from "../read.ts";
import type { Tensor } from "../tensor.ts";
import { openSafetensors, type SafetensorsReader } from "./file.ts";
import { MAX_JSON_BYTES, readLimitedText } from "./read-file.ts";

/** A tensor entry plus the shard file it lives in. */
export interface CheckpointTensorInfo extends TensorInfo {
  file: string;
}

export interface Checkpoint {
  /** Absolute paths of the safetensors files, in shard order. */
  files: string[];
  /** The index file, when the checkpoint is sharded. */
  index: string | undefined;
  /** Every tensor: shard by shard, in data order within a shard. */
  tensors: CheckpointTensorInfo[];
  /** `__metadata__` of the shards merged (the first shard wins on conflicts). */
  metadata: Record<string, string> | undefined;
  has(name: string): boolean;
  info(name: string): CheckpointTensorInfo;
  /** Read one tensor from its shard into its own buffer, or into `into` (its exact byte length). */
  read(name: string, into?: Uint8Array): Tensor;
  close(): void;
}

const SINGLE = "model.safetensors";
const INDEX = "model.safetensors.index.json";

/**
 * Which files make up the checkpoint at `pathOrDir`: a .safetensors file is itself; a .json file
 * is an index; a directory holds model.safetensors, else model.safetensors.index.json, else its
 * only *.safetensors.index.json or only *.safetensors file.
 */
export function resolveCheckpointFiles(pathOrDir: string): { files: string[]; index: string | undefined } {
  if (!existsSync(pathOrDir)) fail(`no such file or directory: ${pathOrDir}`);
  const path = resolve(pathOrDir);
  if (statSync(path).isDirectory()) {
    const names = readdirSync(path);
    const pick = (name: string) => resolveCheckpointFiles(join(path, name));
    if (names.includes(SINGLE)) return pick(SINGLE);
    if (names.includes(INDEX)) return pick(INDEX);
    const indexes = names.filter((n) => n.endsWith(".safetensors.index.json"));
    if (indexes.length === 1) return pick(indexes[0]!);
    const files = names.filter((n) => n.endsWith(".safetensors"));
    if (files.length === 1) return pick(files[0]!);
    return fail(`found no ${SINGLE} or ${INDEX} in ${pathOrDir}`);
  }
  if (path.endsWith(".json")) return { files: readIndex(path, pathOrDir).shards, index: path };
  return { files: [path], index: undefined };
}

/** Parse an index file: its weight_map (tensor -> absolute shard path) and shards in name order. */
function readIndex(path: string, shownAs: string): { weightMap: Map<string, string>; shards: string[] } {
  const text = readLimitedText(path, MAX_JSON_BYTES, (reason) => fail(`index file ${reason}`, shownAs));
  const json = parseJson(text, "index file", shownAs);
  const weightMap =
    json instanceof JsonObject ? json.entries.find(([k]) => k === "weight_map")?.[1] : undefined;
  if (!(weightMap instanceof JsonObject)) {
    const what =
      path.endsWith(`${sep}config.json`) || path === "config.json"
        ? " (this is a model's config.json; give its directory)"
        : "";
    return fail(`index file must be an object with a "weight_map" object${what}`, shownAs);
  }
  const dir = resolve(path, "..");
  const map = new Map<string, string>();
  for (const [name, shard] of weightMap.entries) {
    if (map.has(name)) fail(`weight_map lists tensor "${name}" twice`, shownAs);
    if (typeof shard !== "string")
      return fail(`weight_map entry "${name}" must be a file name, got ${jsonKind(shard)}`, shownAs);
    // Shards live next to the index; a name reaching outside that directory is refused.
    const shardPath = resolve(dir, shard);
    if (isAbsolute(shard) || !shardPath.startsWith(dir + sep)) {
      fail(`weight_map entry "${name}" points outside the checkpoint directory: "${shard}"`, shownAs);
    }
    if (!existsSync(shardPath))
      fail(`weight_map entry "${name}" names ${shard}, which does not exist`, shownAs);
    map.set(name, shardPath);
  }
  return { weightMap: map, shards: [...new Set(map.values())].sort() };
}

/** Open a checkpoint (file, index, or directory); headers now, tensor data on read(). */
export function openCheckpoint(pathOrDir: string): Checkpoint {
  const { files, index } = resolveCheckpointFiles(pathOrDir);
  const readers: SafetensorsReader[] = [];
  try {
    for (const file of files) readers.push(openSafetensors(file));
    const byName = new Map<string, { info: CheckpointTensorInfo; reader: SafetensorsReader }>();
    if (index) {
      const { weightMap } = readIndex(index, pathOrDir);
      const readerOf = new Map(readers.map((r) => [r.path, r]));
      for (const [name, shard] of weightMap) {
        const reader = readerOf.get(shard)!;
        if (!reader.has(name))
          fail(`index maps tensor "${name}" to ${shard}, which has no such tensor`, pathOrDir);
        byName.set(name, { info: { ...reader.info(name), file: shard }, reader });
      }
    } else {
      for (const reader of readers) {
        for (const t of reader.tensors) byName.set(t.name, { info: { ...t, file: reader.path }, reader });
      }
    }
    // Shard order, then data order within a shard.
    const tensors = readers.flatMap((r) =>
      r.tensors.filter((t) => byName.get(t.name)?.reader === r).map((t) => byName.get(t.name)!.info),
    );
    const merged = readers.some((r) => r.metadata)
      ? Object.assign({}, ...readers.map((r) => r.metadata ?? {}).reverse())
      : undefined;
    const entry = (name: string) => byName.get(name) ?? missingTensor(name, byName, pathOrDir);
    return {
      files,
      index,
      tensors,
      metadata: merged,
      has: (name) => byName.has(name),
      info: (name) => entry(name).info,
      read: (name, into) => entry(name).reader.read(name, into),
      close: () => {
        for (const r of readers) r.close();
      },
    };
  } catch (error) {
    for (const r of readers) r.close();
    throw error;
  }
}

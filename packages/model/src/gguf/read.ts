// A model from a GGUF file (llama.cpp's format): its config from the metadata (or from the
// config.json beside it), its tensors renamed to Hugging Face's names and put back into HF's
// layout (GPT-2's Conv1D weights transposed, Llama's q/k rows un-permuted), every problem listed
// at once in a WeightLoadError as loading safetensors does.
//
//   F32 / F16 / BF16 tensors          -> float32 Tensors (as loading safetensors gives)
//   Q8_0 / Q4_0 matrices              -> QuantizedMatrix, kept in ggml's blocks: linear layers and
//                                        the token embedding run on them (layers.ts); a quantized
//                                        norm or position embedding is decoded to float32
//   any other ggml type (Q4_K, ...)   -> refused in one line naming the tensor and its type
// Not here: files (node/gguf.ts opens them; a browser hands parseGguf's result), the tokenizer
// (@llmts/tokenizer reads it from the same metadata).
// Reference: llama.cpp llama-model-loader.cpp (names, shapes, types checked before loading).

import { type GgufMetadata, type GgufTensor, type GgufTensorInfo, toFloat32 } from "@llmts/gguf";
import { QuantizedMatrix, Tensor } from "@llmts/tensor";
import { type ModelConfig, parseConfig } from "../config.ts";
import { ConfigError, WeightLoadError, type WrongShape } from "../errors.ts";
import { familyOf } from "../families.ts";
import type { CausalLM } from "../model.ts";
import type { Weight } from "../params.ts";
import { configJsonFromGguf, ggufArchOfFile } from "./config.ts";
import {
  type GgufArch,
  ggufNameOf,
  hfNameOf,
  isConv1dWeight,
  mayBeQuantized,
  permutedHeads,
} from "./names.ts";
import { permuteRows } from "./permute.ts";

/** A GGUF file's header and tensors: parseGguf's result in memory, openGguf's on disk. */
export interface GgufSource {
  readonly metadata: GgufMetadata;
  readonly tensors: readonly GgufTensorInfo[];
  has(name: string): boolean;
  read(name: string): GgufTensor;
}

const TYPES = new Set(["F32", "F16", "BF16", "Q8_0", "Q4_0"]);

/** [a, b] -> [b, a] of a row-major float32 matrix. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

/**
 * The model in a GGUF file. `config` is the config.json beside it when there is one (it says
 * more than GGUF metadata can: rope_scaling llama3, fields we ignore); else the metadata's.
 * `file` names the source in errors.
 */
export function modelFromGguf(
  gguf: GgufSource,
  file: string,
  config?: ModelConfig,
): { config: ModelConfig; model: CausalLM } {
  const arch = ggufArchOfFile(gguf.metadata, file);
  const c = config ?? parseConfig(configJsonFromGguf(gguf.metadata, gguf, file), file);
  const family = familyOf(c);
  const specs = new Map(family.parameterSpecs(c, { gpt2Prefix: "" }).map((s) => [s.name, s]));

  // First every header entry: names, types, shapes; all problems at once.
  const missing = new Set(specs.keys());
  const unexpected: string[] = [];
  const wrongShape: WrongShape[] = [];
  const plan: { info: GgufTensorInfo; name: string }[] = [];
  for (const info of gguf.tensors) {
    const name = hfNameOf(info.name, arch);
    const spec = name === undefined ? undefined : specs.get(name);
    if (spec === undefined || name === undefined) {
      const ignored = info.name === "rope_freqs.weight" || (name !== undefined && family.isIgnored(name, c));
      if (!ignored) unexpected.push(info.name);
      continue;
    }
    missing.delete(name);
    if (!TYPES.has(info.type)) {
      throw new ConfigError(
        `gguf model: tensor "${info.name}" is ${info.type}; this loader reads ${[...TYPES].join(", ")} (${file})`,
      );
    }
    // Compared as the file stores it: GPT-2's Conv1D weights are [out, in] there.
    const expected = isConv1dWeight(name, arch) ? [...spec.shape].reverse() : spec.shape;
    if (info.shape.join() !== expected.join())
      wrongShape.push({ name: info.name, expected, actual: info.shape });
    plan.push({ info, name });
  }
  if (missing.size + unexpected.length + wrongShape.length > 0) {
    const missingGguf = [...missing].map((n) => ggufNameOf(n, arch) ?? n);
    throw new WeightLoadError(file, { missing: missingGguf, unexpected, wrongShape, wrongDtype: [] });
  }

  // Then one tensor at a time, into HF's layout.
  const headDim = c.arch === "llama" ? c.headDim : 0;
  const weights = new Map<string, Weight>();
  for (const { info, name } of plan) {
    weights.set(name, toWeight(gguf.read(info.name), name, arch, headDim));
  }
  // Parameters in the order the architecture lists them, as loading safetensors gives them.
  const ordered = new Map<string, Weight>();
  for (const name of specs.keys()) ordered.set(name, weights.get(name)!);
  return { config: c, model: family.build(c, ordered) };
}

/** One GGUF tensor as the model holds it (HF layout). */
function toWeight(t: GgufTensor, name: string, arch: GgufArch, headDim: number): Weight {
  const heads = permutedHeads(name, arch);
  const quantized = t.type === "Q8_0" || t.type === "Q4_0";
  if (quantized && mayBeQuantized(name, t.shape)) {
    const [rows, cols] = t.shape as [number, number];
    const rowBytes = t.data.length / rows;
    const data = heads === null ? t.data : permuteRows(t.data, headDim, rowBytes, false);
    return new QuantizedMatrix(t.type as "Q8_0" | "Q4_0", [rows, cols], data);
  }
  let values = toFloat32(t);
  if (heads !== null) {
    const cols = t.shape.length === 2 ? t.shape[1]! : 1;
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    values = new Float32Array(permuteRows(bytes, headDim, cols * 4, false).buffer);
  }
  let shape = t.shape;
  if (isConv1dWeight(name, arch)) {
    values = transpose(values, t.shape[0]!, t.shape[1]!); // [out, in] -> [in, out]
    shape = [t.shape[1]!, t.shape[0]!];
  }
  return Tensor.fromArray(values, shape).requiresGrad_();
}

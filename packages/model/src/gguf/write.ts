// A model as a GGUF file for llama.cpp / Ollama: the hyperparameters under llama.cpp's keys
// (config.ts), every weight under its GGUF name in llama.cpp's layout (names.ts: Conv1D weights
// transposed, Llama's q/k rows permuted), quantized on request as llama.cpp's converter does
// with --outtype q8_0: every matrix whose rows are whole blocks of 32 (linear layers, the token
// embedding, the output layer), and nothing else: norms, biases and GPT-2's position embeddings
// stay F32, and so does a matrix whose rows do not divide into blocks (the converter falls back
// the same way). A weight that is already quantized is written as it is.
//
//   general.file_type             0 all F32, 7 mostly Q8_0, 2 mostly Q4_0 (llama_ftype)
//   general.quantization_version  2 (GGML_QNT_VERSION: the Q8_0 / Q4_0 block layout)
//   rope_freqs.weight             Llama 3 rope scaling, as the converter writes it: the factor
//                                 each rotary frequency is divided by
// Not here: the tokenizer's keys (@llmts/tokenizer: the caller passes them as `metadata`),
// writing the bytes (@llmts/gguf: writeGguf / writeGgufFile).
// Reference: llama.cpp convert_hf_to_gguf.py (LlamaModel, Qwen2Model, GPT2Model,
// prepare_tensors' quantization fallback); ggml docs/gguf.md.

import { fromFloat32, type GgufMetadata, type GgufWriteSpec, type GgufWriteTensor } from "@llmts/gguf";
import { QuantizedMatrix, type QuantType } from "@llmts/tensor";
import type { LlamaConfig } from "../config.ts";
import { ConfigError } from "../errors.ts";
import type { CausalLM } from "../model.ts";
import { ropeInverseFrequencies } from "../rope.ts";
import { ggufArchOf, ggufConfigMetadata } from "./config.ts";
import { ggufNameOf, isConv1dWeight, mayBeQuantized, permutedHeads } from "./names.ts";
import { permuteRows } from "./permute.ts";

export interface GgufExportOptions {
  /** Quantize every matrix that can be (default: write each weight in the type it has). */
  quantize?: QuantType;
  /** Keys written after the model's: the tokenizer's, general.name, ... */
  metadata?: GgufMetadata;
}

export interface GgufExport {
  spec: GgufWriteSpec;
  /** GGUF names of the matrices left F32 although `quantize` was asked (rows not whole blocks). */
  keptFloat: string[];
}

const FILE_TYPE: Record<"F32" | QuantType, number> = { F32: 0, Q8_0: 7, Q4_0: 2 };

/** [rows, cols] -> [cols, rows] of a row-major float32 matrix. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

/**
 * What llama.cpp divides each rotary frequency by under Llama 3 rope scaling (rope_freqs), as the
 * converter computes it, in float32: 1 below the high-frequency wavelength, `factor` above the
 * low-frequency one, 1 / ((1 - smooth) / factor + smooth) in between. (rope.ts applies the same
 * scaling to the frequencies themselves.)
 */
function llama3RopeFactors(
  freqs: Float32Array,
  s: Extract<NonNullable<LlamaConfig["ropeScaling"]>, { type: "llama3" }>,
): Float32Array {
  const f = Math.fround;
  const old = s.originalMaxPositionEmbeddings;
  return freqs.map((freq) => {
    // PyTorch computes `scalar / tensor` as reciprocal(tensor) · scalar: rounded the same way here,
    // so the bytes are the converter's (checked by fixtures/gguf-models/check_export.py)
    const wavelen = f(f(1 / freq) * f(2 * Math.PI));
    if (wavelen < old / s.highFreqFactor) return 1;
    if (wavelen > old / s.lowFreqFactor) return s.factor;
    const smooth = f(f(f(f(1 / wavelen) * old) - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor));
    return f(1 / f(f(f(1 - smooth) / s.factor) + smooth));
  });
}

export function modelToGguf(model: CausalLM, options: GgufExportOptions = {}): GgufExport {
  const config = model.config;
  const arch = ggufArchOf(config);
  const headDim = config.arch === "llama" ? config.headDim : 0;
  const tensors: GgufWriteTensor[] = [];
  const keptFloat: string[] = [];
  const elements = { F32: 0, Q8_0: 0, Q4_0: 0 };
  if (config.arch === "llama" && config.ropeScaling?.type === "llama3") {
    const factors = llama3RopeFactors(
      ropeInverseFrequencies(headDim, config.ropeTheta, null),
      config.ropeScaling,
    );
    tensors.push({ name: "rope_freqs.weight", ...fromFloat32(factors, [headDim / 2], "F32") });
  }
  for (const [name, w] of model.weights()) {
    const ggufName = ggufNameOf(name, arch);
    if (ggufName === undefined) throw new Error(`export: no GGUF name for "${name}"`);
    const heads = permutedHeads(name, arch);
    if (w instanceof QuantizedMatrix) {
      if (options.quantize !== undefined && options.quantize !== w.type) {
        throw new ConfigError(
          `export: "${name}" is already ${w.type}; re-quantizing it to ${options.quantize} would compound the errors: export from the float checkpoint`,
        );
      }
      const data = heads === null ? w.data : permuteRows(w.data, headDim, w.rowBytes, true);
      tensors.push({ name: ggufName, type: w.type, shape: [w.rows, w.cols], data });
      elements[w.type] += w.rows * w.cols;
      continue;
    }
    let values = w.dataSync() as Float32Array;
    let shape = [...w.shape];
    if (isConv1dWeight(name, arch)) {
      values = transpose(values, shape[0]!, shape[1]!); // [in, out] -> [out, in]
      shape = [shape[1]!, shape[0]!];
    }
    if (heads !== null) {
      const rowBytes = (shape[1] ?? 1) * 4;
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      values = new Float32Array(permuteRows(bytes, headDim, rowBytes, true).buffer);
    }
    let type: "F32" | QuantType = "F32";
    if (options.quantize !== undefined && mayBeQuantized(name, shape)) {
      if (shape[1]! % 32 === 0) type = options.quantize;
      else keptFloat.push(ggufName);
    }
    tensors.push({ name: ggufName, ...fromFloat32(values, shape, type) });
    elements[type] += values.length;
  }
  // "mostly" the quantized type that holds the most weights, as llama.cpp's ftype names it
  const main =
    options.quantize ??
    (elements.Q8_0 + elements.Q4_0 === 0 ? "F32" : elements.Q8_0 >= elements.Q4_0 ? "Q8_0" : "Q4_0");
  const metadata = ggufConfigMetadata(config);
  metadata.set("general.file_type", { type: "uint32", value: FILE_TYPE[main] });
  metadata.set("general.quantization_version", { type: "uint32", value: 2 });
  for (const [key, value] of options.metadata ?? []) metadata.set(key, value);
  return { spec: { metadata, tensors }, keptFloat };
}

// A quantized model with its weights decoded back to float32: what training needs (gradients
// flow into float tensors; a Q8_0 block has no gradient), and what `llmts train --init-from`
// runs on a quantized checkpoint. Decoding is exact (each weight is q · d, as ggml reads it), so
// the float model computes what the quantized one does with float activations.
//   linear weights and the token embedding   [out, in] -> [out, in]
//   GPT-2's Conv1D weights                   [out, in] (as ggml stores them) -> HF's [in, out]
// Not here: quantizing (gguf/write.ts), the decoding itself (@llmts/tensor's dequantizeRow).
// Reference: what llama.cpp's tools and transformers' GGUF loader do before fine-tuning.

import { dequantizeRow, Tensor } from "@llmts/tensor";
import { buildModel } from "./load.ts";
import type { CausalLM } from "./model.ts";
import type { Weight } from "./params.ts";

/** [rows, cols] -> [cols, rows] */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

/** `model` itself when no weight is quantized; else the same model over float32 weights. */
export function toFloatModel(model: CausalLM): CausalLM {
  const weights = model.weights();
  if ([...weights.values()].every((w) => w instanceof Tensor)) return model;
  const conv1d = /(^|\.)h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;
  const floats = new Map<string, Weight>();
  for (const [name, w] of weights) {
    if (w instanceof Tensor) {
      floats.set(name, w);
      continue;
    }
    const values = new Float32Array(w.rows * w.cols);
    for (let n = 0; n < w.rows; n++) dequantizeRow(w, n, values.subarray(n * w.cols, (n + 1) * w.cols));
    const gpt2Conv1d = model.config.arch === "gpt2" && conv1d.test(name);
    const tensor = gpt2Conv1d
      ? Tensor.fromArray(transpose(values, w.rows, w.cols), [w.cols, w.rows])
      : Tensor.fromArray(values, [w.rows, w.cols]);
    floats.set(name, tensor.requiresGrad_());
  }
  return buildModel(model.config, floats);
}

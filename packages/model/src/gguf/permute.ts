// The row order of q_proj / k_proj in llama.cpp's "llama" layout. Rotary embeddings rotate pairs
// of features: HF's Llama pairs feature i with i + D/2 of each head ("rotate half"), llama.cpp
// pairs 2i with 2i + 1 (as Meta's original checkpoints do). The converter reorders each head's
// rows so the pairs sit next to each other:
//
//   GGUF row h·D + 2i + s  =  HF row h·D + s·D/2 + i        (head h, i < D/2, s = 0 or 1)
//
// e.g. D = 4: HF rows [a0 a1 b0 b1] of a head (a = first half, b = second) -> GGUF [a0 b0 a1 b1].
// It is numpy's w.reshape(heads, 2, D/2, ...).swapaxes(1, 2).reshape(w.shape), written as a map
// of row indices so it applies to float rows and to quantized rows (whole blocks) alike.
// Not here: which tensors are permuted (names.ts).
// Reference: llama.cpp convert_hf_to_gguf.py `LlamaModel.permute`.

/** For each GGUF row, the HF row it comes from (rows = heads · D). */
export function ggufRowSources(rows: number, headDim: number): Int32Array {
  if (rows % headDim !== 0 || headDim % 2 !== 0) {
    throw new RangeError(`permute: ${rows} rows are not whole heads of an even size ${headDim}`);
  }
  const half = headDim / 2;
  const from = new Int32Array(rows);
  for (let h = 0; h < rows / headDim; h++) {
    for (let i = 0; i < half; i++) {
      for (let s = 0; s < 2; s++) from[h * headDim + 2 * i + s] = h * headDim + s * half + i;
    }
  }
  return from;
}

/** Rows of `rowBytes` bytes reordered: out row r = in row from[r]. */
export function reorderRows(data: Uint8Array, rowBytes: number, from: Int32Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let r = 0; r < from.length; r++)
    out.set(data.subarray(from[r]! * rowBytes, (from[r]! + 1) * rowBytes), r * rowBytes);
  return out;
}

/** HF -> GGUF order (`toGguf`), or GGUF -> HF, of rows of `rowBytes` bytes. */
export function permuteRows(
  data: Uint8Array,
  headDim: number,
  rowBytes: number,
  toGguf: boolean,
): Uint8Array {
  const rows = data.length / rowBytes;
  const from = ggufRowSources(rows, headDim);
  if (toGguf) return reorderRows(data, rowBytes, from);
  const back = new Int32Array(rows);
  for (let r = 0; r < rows; r++) back[from[r]!] = r; // HF row from[r] sits at GGUF row r
  return reorderRows(data, rowBytes, back);
}

// The row work of block attention (js/block-attention.ts's BlockRows) on the wasm SIMD kernels of
// unary.wat: the masked softmax of a block's scores (forward) and its gradient (backward), four
// lanes at a time with exp inline. The block buffers are handed out inside the kernels' memory
// (pinnedFloat32), so these kernels and the block's matrix products read them where they lie — no
// copy in or out between the products and the softmax.
// Where an array is not in that memory (a page without SharedArrayBuffer, or the pinned region
// full), the plain loops of jsRows run instead.
// Not here: the blocks and their products (js/block-attention.ts).
// Reference: unary.wat's softmaxRows / softmaxGradRows; jsRows (the loops they compute).

import { type BlockRows, jsRows } from "../js/block-attention.ts";
import { unaryKernels, wasmAddress } from "./memory.ts";
import { pinnedFloat32 } from "./pinned.ts";

export const wasmRows: BlockRows = {
  floats: (n) => pinnedFloat32(n),
  ints(n) {
    const words = pinnedFloat32(n);
    return new Int32Array(words.buffer, words.byteOffset, n);
  },
  softmax(s, M, n, ranges, scale, stats) {
    const [sAt, rAt, tAt] = [wasmAddress(s), wasmAddress(ranges), wasmAddress(stats)];
    if (sAt < 0 || rAt < 0 || tAt < 0) jsRows.softmax(s, M, n, ranges, scale, stats);
    else unaryKernels.softmaxRows(sAt, M, n, rAt, scale, tAt);
  },
  softmaxGrad(s, d, M, n, ranges, scale, lse) {
    const [sAt, dAt, rAt, lAt] = [wasmAddress(s), wasmAddress(d), wasmAddress(ranges), wasmAddress(lse)];
    if (sAt < 0 || dAt < 0 || rAt < 0 || lAt < 0) jsRows.softmaxGrad(s, d, M, n, ranges, scale, lse);
    else unaryKernels.softmaxGradRows(sAt, dAt, M, n, rAt, scale, lAt);
  },
};

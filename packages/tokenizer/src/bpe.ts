// The BPE merge loop shared by every BPE tokenizer here: given a word as a list of token ids,
// repeatedly merge the adjacent pair with the best (lowest) rank until no pair can merge.
//
//   "lower" as ids [l, o, w, e, r], merges ranked (l,o)=0 (lo,w)=1 (e,r)=2
//   -> [lo, w, e, r] -> [low, e, r] -> [low, er]
//
// Ties (the same pair twice) merge leftmost first, like Hugging Face's BPE and tiktoken.
// Two implementations with identical results: `mergeWordSimple` rescans all pairs after each
// merge (O(n²), fastest for the short words that make up almost all text) and `mergeWordHeap`
// keeps candidate pairs in a binary heap over a linked list of symbols (O(n log n), for long
// words such as a whitespace-free SentencePiece chunk). Tests compare the two.
// Not here: how words are found (pre-tokenizers) and how characters become initial ids.
// Reference: Sennrich et al. 2016 (BPE for NMT); huggingface/tokenizers models/bpe/word.rs.

/** Token ids must stay below ID_SPACE so that a pair (a, b) packs into one number a·2²¹ + b. */
export const ID_SPACE = 2 ** 21;

/**
 * pair -> packed merge: rank · ID_SPACE + mergedId. Comparing packed values compares ranks
 * first, so the best pair is the one with the smallest value.
 */
export type MergeTable = Map<number, number>;

export const pairKey = (a: number, b: number): number => a * ID_SPACE + b;

/** Words at least this long use the heap. Measured crossover on Moby-Dick-like text is ~40. */
const HEAP_THRESHOLD = 48;

export function mergeWord(ids: number[], merges: MergeTable): number[] {
  return ids.length < HEAP_THRESHOLD ? mergeWordSimple(ids, merges) : mergeWordHeap(ids, merges);
}

/** Reference twin: find the best pair, merge it, repeat. Mutates and returns `ids`. */
export function mergeWordSimple(ids: number[], merges: MergeTable): number[] {
  while (ids.length > 1) {
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let i = 0; i < ids.length - 1; i++) {
      const packed = merges.get(ids[i]! * ID_SPACE + ids[i + 1]!);
      if (packed !== undefined && packed < best) {
        best = packed;
        at = i;
      }
    }
    if (at < 0) break;
    ids[at] = best % ID_SPACE;
    ids.splice(at + 1, 1);
  }
  return ids;
}

/**
 * Heap version. Symbols live in a doubly linked list over the original positions; the heap holds
 * (packed merge, left position) for every adjacent pair that can merge. Entries go stale when a
 * neighbour merges; a popped entry is used only if its pair is still there with the same value.
 */
export function mergeWordHeap(ids: number[], merges: MergeTable): number[] {
  const n = ids.length;
  if (n < 2) return ids;
  const tok = Int32Array.from(ids);
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  const heap = new PairHeap();
  const offer = (left: number) => {
    const right = next[left]!;
    if (left < 0 || right < 0) return;
    const packed = merges.get(tok[left]! * ID_SPACE + tok[right]!);
    if (packed !== undefined) heap.push(packed, left);
  };
  for (let i = 0; i < n - 1; i++) offer(i);

  while (heap.size > 0) {
    const [packed, left] = heap.pop();
    const right = next[left]!;
    if (tok[left]! < 0 || right < 0) continue; // left was merged away, or is now last
    if (merges.get(tok[left]! * ID_SPACE + tok[right]!) !== packed) continue; // stale
    // Merge right into left.
    tok[left] = packed % ID_SPACE;
    tok[right] = -1;
    const after = next[right]!;
    next[left] = after;
    if (after >= 0) prev[after] = left;
    offer(prev[left]!);
    offer(left);
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]!) out.push(tok[i]!);
  return out;
}

/** Min-heap of (value, position), ordered by value then position (leftmost wins ties). Also used by training. */
export class PairHeap {
  private values: number[] = [];
  private positions: number[] = [];

  get size(): number {
    return this.values.length;
  }

  private less(i: number, j: number): boolean {
    const a = this.values[i]!;
    const b = this.values[j]!;
    return a < b || (a === b && this.positions[i]! < this.positions[j]!);
  }

  private swap(i: number, j: number): void {
    const v = this.values[i]!;
    this.values[i] = this.values[j]!;
    this.values[j] = v;
    const p = this.positions[i]!;
    this.positions[i] = this.positions[j]!;
    this.positions[j] = p;
  }

  push(value: number, position: number): void {
    this.values.push(value);
    this.positions.push(position);
    let i = this.values.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.values[0]!, this.positions[0]!];
    const lastValue = this.values.pop()!;
    const lastPosition = this.positions.pop()!;
    if (this.values.length > 0) {
      this.values[0] = lastValue;
      this.positions[0] = lastPosition;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.values.length && this.less(l, m)) m = l;
        if (r < this.values.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

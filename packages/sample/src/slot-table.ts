// Which slot of a SlotModel a new sequence goes to, and what each slot still holds.
//
// A slot keeps its tokens (their keys and values) after its sequence ends. A new prompt that
// starts with the same tokens — the next turn of a chat resends the whole conversation — takes
// that slot and feeds only the rest (llama.cpp's server calls this cache_prompt):
//
//   slot 0 holds [A B C D E]    new prompt [A B C X Y] -> slot 0, reuse 3: truncate to [A B C],
//                                                         feed [X Y]
//
// The free slot sharing the longest prefix wins; among equals the least recently used one, so
// a slot that a chat may come back to is overwritten last. At least one prompt token is always
// fed, since the model's logits for the next token come out of a forward pass.
// Not here: the model calls (batcher.ts).
// Reference: llama.cpp tools/server (slot selection by longest common prefix, cache_prompt).

export interface SlotClaim {
  slot: number;
  /** Prompt tokens already in the slot: keep them, feed the prompt from here. */
  reuse: number;
}

export class SlotTable {
  private readonly held: number[][]; // [slots] the ids each slot's cache holds, in order
  private readonly busy: boolean[];
  private readonly lastUsed: number[];
  private clock = 0;

  constructor(readonly size: number) {
    this.held = Array.from({ length: size }, () => []);
    this.busy = new Array<boolean>(size).fill(false);
    this.lastUsed = new Array<number>(size).fill(0);
  }

  get free(): number {
    return this.busy.filter((b) => !b).length;
  }

  /** Takes a free slot for `prompt` (there must be one; check `free`). */
  claim(prompt: readonly number[]): SlotClaim {
    let best: SlotClaim | null = null;
    for (let slot = 0; slot < this.size; slot++) {
      if (this.busy[slot]) continue;
      const reuse = Math.min(commonPrefix(this.held[slot]!, prompt), prompt.length - 1);
      const better =
        best === null ||
        reuse > best.reuse ||
        (reuse === best.reuse && this.lastUsed[slot]! < this.lastUsed[best.slot]!);
      if (better) best = { slot, reuse };
    }
    if (best === null) throw new Error("slot table: no free slot (check `free` first)");
    this.busy[best.slot] = true;
    this.lastUsed[best.slot] = ++this.clock;
    this.held[best.slot]!.length = best.reuse;
    return best;
  }

  /** Records ids fed into `slot` (appended to what it holds). */
  fed(slot: number, ids: readonly number[]): void {
    this.held[slot]!.push(...ids);
  }

  /** How many ids `slot` holds. */
  length(slot: number): number {
    return this.held[slot]!.length;
  }

  /** The sequence in `slot` ended: the slot is free, its tokens stay for a later prompt. */
  release(slot: number): void {
    this.busy[slot] = false;
  }

  /** Forgets what `slot` holds (after a failed forward pass its contents are unknown). */
  forget(slot: number): void {
    this.held[slot]!.length = 0;
  }
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

// Stop strings on streamed text: pass text through until one of the stop strings appears, and
// never let out any part of it. Text that might be the beginning of a stop string is held back
// until the next piece shows whether it is.
//
//   stops ["\n\n"]:  push("Hi.\n") -> "Hi."   (the "\n" could start "\n\n": held)
//                    push("\nBye") -> ""      stopped: "\n\n" found, nothing after it is emitted
//
// Why this is enough: we hold back the longest suffix that is a prefix of some stop string, so a
// stop string can only ever start inside the held-back text or later; searching `held + piece`
// finds every occurrence, also one split across many tokens.
// Not here: decoding ids (stream-decoder.ts). HF's StopStringCriteria also stops on these, but
// keeps the stop string in the output; we cut it, as llama.cpp and OpenAI-style servers do.

export interface StopResult {
  /** Text safe to emit now. */
  text: string;
  /** True once a stop string was found; `text` ends just before it. */
  stopped: boolean;
}

export class StopStringFilter {
  private held = "";

  constructor(private readonly stops: readonly string[]) {}

  push(piece: string): StopResult {
    const buf = this.held + piece;
    // The earliest occurrence of any stop string wins.
    let at = -1;
    for (const stop of this.stops) {
      const i = buf.indexOf(stop);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    if (at >= 0) {
      this.held = "";
      return { text: buf.slice(0, at), stopped: true };
    }
    const keep = this.longestPartialMatch(buf);
    this.held = buf.slice(buf.length - keep);
    return { text: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** The held-back text, for the end of generation (no stop string can complete any more). */
  flush(): string {
    const rest = this.held;
    this.held = "";
    return rest;
  }

  /** Length of the longest suffix of buf that is a proper prefix of a stop string. */
  private longestPartialMatch(buf: string): number {
    let best = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, buf.length); n > best; n--) {
        if (buf.endsWith(stop.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}

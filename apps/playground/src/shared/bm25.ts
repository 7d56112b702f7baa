// BM25 (Okapi): which chunks of a knowledge base best match a question, by the words they share,
// weighted by how rare each word is and damped for long chunks. The retrieval half of
// retrieval-augmented generation in the playground (the generation half is the model's).
//
//   idf(w)      = ln((N − n(w) + 0.5) / (n(w) + 0.5))          N chunks, n(w) of them contain w;
//                                                              a negative idf (w in more than half)
//                                                              is replaced by 0.25 × the mean idf
//   score(q, D) = Σ over words w of q (repeats count):
//                   idf(w) · f(w, D) · (k1 + 1) / (f(w, D) + k1 · (1 − b + b · |D| / avgdl))
//   k1 = 1.5, b = 0.75
//
// Words: lower-case runs of letters and digits ("Captain Ahab's" -> captain, ahab, s).
// Not here: chunking (chunks.ts), similarity of the model's hidden states (the other option the
// issue names; BM25 needs no model and shows why a chunk was picked).
// Reference: Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and Beyond";
// the constants and the idf floor are rank_bm25's BM25Okapi, which test/bm25.test.ts checks against.

const K1 = 1.5;
const B = 0.75;
const EPSILON = 0.25;

/** "Captain Ahab's ship" -> ["captain", "ahab", "s", "ship"] (Unicode letters and digits). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export interface Ranked {
  /** Index of the chunk in the list given. */
  index: number;
  score: number;
}

export class Bm25 {
  private readonly docs: Map<string, number>[]; // term frequencies per chunk
  private readonly lengths: number[];
  private readonly avgdl: number;
  private readonly idf = new Map<string, number>();

  constructor(chunks: readonly string[]) {
    this.docs = chunks.map((chunk) => {
      const tf = new Map<string, number>();
      for (const w of words(chunk)) tf.set(w, (tf.get(w) ?? 0) + 1);
      return tf;
    });
    this.lengths = chunks.map((chunk) => words(chunk).length);
    const N = chunks.length;
    this.avgdl = N === 0 ? 0 : this.lengths.reduce((a, b) => a + b, 0) / N;

    const containing = new Map<string, number>();
    for (const tf of this.docs) for (const w of tf.keys()) containing.set(w, (containing.get(w) ?? 0) + 1);
    let sum = 0;
    const negative: string[] = [];
    for (const [w, n] of containing) {
      const idf = Math.log(N - n + 0.5) - Math.log(n + 0.5);
      this.idf.set(w, idf);
      sum += idf;
      if (idf < 0) negative.push(w);
    }
    const floor = containing.size === 0 ? 0 : (EPSILON * sum) / containing.size;
    for (const w of negative) this.idf.set(w, floor);
  }

  /** The score of every chunk for `query`, in chunk order. */
  scores(query: string): number[] {
    const q = words(query);
    return this.docs.map((tf, i) => {
      const norm = K1 * (1 - B + (B * this.lengths[i]!) / this.avgdl);
      let score = 0;
      for (const w of q) {
        const f = tf.get(w) ?? 0;
        score += ((this.idf.get(w) ?? 0) * (f * (K1 + 1))) / (f + norm);
      }
      return score;
    });
  }

  /** The `k` best chunks with a score above 0, best first (ties: the earlier chunk first). */
  top(query: string, k: number): Ranked[] {
    return this.scores(query)
      .map((score, index) => ({ index, score }))
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, k);
  }
}

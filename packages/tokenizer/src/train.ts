// Train a byte-level BPE tokenizer on a text (minbpe's RegexTokenizer, GPT-2 split pattern).
//
//   1. Split the text into words with GPT-2's regex (special tokens are cut out first and never
//      learned) and count each distinct word: {" the": 14000, " whale": 1200, ...}.
//   2. Every word starts as its UTF-8 bytes: ids 0..255.
//   3. Repeat until the vocabulary is full: find the most frequent adjacent pair, summed over
//      words × counts, e.g. (" ", "t") -> 80000; give it the next id; replace it in every word
//      that contains it.
//
// The naive loop recounts every pair of the corpus for each merge (minbpe's get_stats). Here
// pair counts are kept up to date instead: a merge only recounts the words that contain the
// pair (found through an index pair -> words), and the best pair comes from a max-heap with
// lazy deletion (an entry whose count is out of date is skipped when popped). Ties go to the
// smaller pair of ids, so training is deterministic.
// The result is saved as a GPT-2-style tokenizer.json (ids 0..255 are the bytes, in byte order
// like minbpe, then merges, then special tokens), which Hugging Face tokenizers can load.
// Reference: Karpathy, minbpe regex.py; Sennrich et al. 2016.

import { AddedTokenSplitter } from "./added-tokens.ts";
import { ID_SPACE, PairHeap, pairKey } from "./bpe.ts";
import { BYTE_TO_CHAR } from "./byte-chars.ts";
import type { ByteLevelBpeTokenizer } from "./byte-level-bpe.ts";
import { byteLevelBpeJson } from "./gpt2-files.ts";
import { GPT2_PATTERN, splitIsolated } from "./pipeline.ts";
import { translateRegex } from "./regex.ts";
import { fromTokenizerJson } from "./tokenizer-json.ts";
import { TokenizerError } from "./types.ts";

export interface TrainOptions {
  /** Added after the merges, e.g. ["<|endoftext|>"]; they count towards vocabSize. */
  specialTokens?: string[];
  /** Called after each merge with (merges done, merges planned). */
  onProgress?: (done: number, total: number) => void;
}

interface Word {
  ids: number[];
  count: number;
}

/** Count distinct pre-tokenized words: text -> [{ids: UTF-8 bytes, count}]. */
function countWords(text: string, specialTokens: string[]): Word[] {
  const splitter = new AddedTokenSplitter(
    specialTokens.map((content, id) => ({ id, content, special: true })),
  );
  const regex = new RegExp(translateRegex(GPT2_PATTERN), "gu");
  const counts = new Map<string, number>();
  const pieces: string[] = [];
  for (const segment of splitter.split(text)) {
    if (typeof segment !== "string") continue;
    pieces.length = 0;
    splitIsolated(segment, regex, pieces);
    for (const p of pieces) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const utf8 = new TextEncoder();
  return [...counts].map(([word, count]) => ({ ids: Array.from(utf8.encode(word)), count }));
}

/**
 * Train a byte-level BPE with `vocabSize` ids in all: 256 bytes + merges + special tokens.
 * Stops early if no pair occurs any more (a small text cannot fill a large vocabulary).
 */
export function trainBpe(text: string, vocabSize: number, options: TrainOptions = {}): ByteLevelBpeTokenizer {
  const specials = options.specialTokens ?? [];
  const planned = vocabSize - 256 - specials.length;
  if (!Number.isInteger(vocabSize) || planned < 0) {
    throw new TokenizerError(
      `tokenizer: vocab size must be a whole number >= 256 + ${specials.length} special tokens, got ${vocabSize}`,
    );
  }
  const words = countWords(text, specials);

  // Pair statistics over all words: pair -> sum of word counts; pair -> words containing it.
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: 1 | -1) => {
    const { ids, count } = words[w]!;
    for (let i = 0; i < ids.length - 1; i++) {
      const key = pairKey(ids[i]!, ids[i + 1]!);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * count);
      if (sign > 0) {
        const set = pairWords.get(key);
        if (set) set.add(w);
        else pairWords.set(key, new Set([w]));
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1);

  // Max-heap by count via the min-heap on -count; ties: smaller pair key first.
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(-count, key);

  // Token bytes as a string of byte stand-ins (the vocab.json spelling), id -> string.
  const tokens: string[] = [...BYTE_TO_CHAR];
  const idOf = new Map(tokens.map((t, id) => [t, id]));
  const merges: [string, string][] = [];

  while (merges.length < planned && heap.size > 0) {
    const [negCount, key] = heap.pop();
    const count = pairCounts.get(key) ?? 0;
    if (count !== -negCount) continue; // stale entry
    if (count <= 0) break;
    const a = Math.floor(key / ID_SPACE);
    const b = key % ID_SPACE;
    const merged = tokens[a]! + tokens[b]!;
    // Two different pairs can spell the same bytes ("a"+"bc", "ab"+"c"): reuse the id, as HF does.
    let id = idOf.get(merged);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(merged);
      idOf.set(merged, id);
    }
    merges.push([tokens[a]!, tokens[b]!]);

    // Recount only the words that contain (a, b).
    const touched = new Set<number>();
    for (const w of pairWords.get(key) ?? []) {
      const ids = words[w]!.ids;
      addPairs(w, -1);
      for (let i = 0; i < ids.length; i++)
        touched.add(i < ids.length - 1 ? pairKey(ids[i]!, ids[i + 1]!) : -1);
      let out = 0;
      for (let i = 0; i < ids.length; i++) {
        if (i < ids.length - 1 && ids[i] === a && ids[i + 1] === b) {
          ids[out++] = id;
          i++;
        } else ids[out++] = ids[i]!;
      }
      ids.length = out;
      addPairs(w, 1);
      for (let i = 0; i < ids.length - 1; i++) touched.add(pairKey(ids[i]!, ids[i + 1]!));
    }
    pairWords.delete(key);
    pairCounts.delete(key);
    for (const k of touched) {
      if (k < 0 || k === key) continue;
      const c = pairCounts.get(k) ?? 0;
      if (c > 0) heap.push(-c, k);
      else pairCounts.delete(k);
    }
    options.onProgress?.(merges.length, planned);
  }

  const vocab: Record<string, number> = {};
  tokens.forEach((t, id) => {
    vocab[t] = id;
  });
  const specialTokens = specials.map((content, k) => ({ content, id: tokens.length + k }));
  const json = byteLevelBpeJson({ vocab, merges, specialTokens });
  return fromTokenizerJson(json, "(trained)") as ByteLevelBpeTokenizer;
}

// GPT-2's vocab.json + merges.txt rebuilt from js-tiktoken's gpt2 ranks, so tests need no download.
//
// tiktoken stores only ranks (token bytes -> id). A byte-level BPE's merge list is recoverable:
// token t of rank r was made by merging the two pieces that BPE produces on t's bytes when only
// ranks below r are allowed (tiktoken's "recover merges", also used by Hugging Face's converter).
// The byte -> character table is written out here from openai/gpt-2 encoder.py on purpose
// (not imported from src), so a mistake in ours cannot hide in the fixture.

import gpt2 from "js-tiktoken/ranks/gpt2";

/** openai/gpt-2 encoder.py bytes_to_unicode(). */
function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const table: string[] = [];
  bs.forEach((b, k) => {
    table[b] = String.fromCharCode(cs[k]!);
  });
  return table;
}

/** js-tiktoken's compressed rank format: lines "firstToken offset b64 b64 ...". Keys: latin1 byte strings. */
export function gpt2Ranks(): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const line of gpt2.bpe_ranks.split("\n")) {
    if (!line) continue;
    const [, offset, ...tokens] = line.split(" ");
    tokens.forEach((t, k) => {
      ranks.set(Buffer.from(t, "base64").toString("latin1"), Number(offset) + k);
    });
  }
  return ranks;
}

/** BPE on `token`'s bytes using only ranks below `maxRank`: the two pieces it was merged from. */
function recoverPair(token: string, ranks: Map<string, number>, maxRank: number): string[] {
  let parts = [...token];
  for (;;) {
    let best = -1;
    let bestRank = maxRank;
    for (let i = 0; i < parts.length - 1; i++) {
      const r = ranks.get(parts[i]! + parts[i + 1]!);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) return parts;
    parts = [...parts.slice(0, best), parts[best]! + parts[best + 1]!, ...parts.slice(best + 2)];
  }
}

export interface Gpt2Files {
  vocab: Record<string, number>;
  merges: [string, string][];
  vocabJson: string;
  mergesTxt: string;
  tokenizerJson: object;
}

let cached: Gpt2Files | undefined;

export function gpt2Files(): Gpt2Files {
  if (cached) return cached;
  const table = bytesToUnicode();
  const spell = (bytes: string) => [...bytes].map((c) => table[c.charCodeAt(0)]).join("");
  const ranks = gpt2Ranks();
  const vocab: Record<string, number> = {};
  const byRank: string[] = [];
  for (const [bytes, rank] of ranks) {
    vocab[spell(bytes)] = rank;
    byRank[rank] = bytes;
  }
  vocab["<|endoftext|>"] = 50256;
  const merges: [string, string][] = [];
  for (let rank = 0; rank < byRank.length; rank++) {
    const bytes = byRank[rank]!;
    if (bytes.length < 2) continue;
    const pair = recoverPair(bytes, ranks, rank);
    if (pair.length !== 2) throw new Error(`cannot recover the merge for rank ${rank}`);
    merges.push([spell(pair[0]!), spell(pair[1]!)]);
  }
  // merges.txt is UTF-8; the spelled tokens never contain spaces.
  const mergesTxt = `#version: 0.2\n${merges.map(([a, b]) => `${a} ${b}`).join("\n")}\n`;
  const tokenizerJson = {
    version: "1.0",
    added_tokens: [
      {
        id: 50256,
        content: "<|endoftext|>",
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  cached = { vocab, merges, vocabJson: JSON.stringify(vocab), mergesTxt, tokenizerJson };
  return cached;
}

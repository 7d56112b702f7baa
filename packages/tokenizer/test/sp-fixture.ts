// A SentencePiece-style (Llama 2 layout) tokenizer.json built from a known vocabulary:
// <unk> <s> </s>, the 256 byte-fallback tokens <0x00>..<0xFF>, the ASCII characters of a text,
// and merges learned here by a plain char-level BPE over "▁"-prefixed words. Non-ASCII
// characters are deliberately left out so that they go through byte fallback.

export interface SpOptions {
  /** "legacy": Prepend + Replace normalizer (Llama 2); "metaspace": Metaspace pre-tokenizer (Mistral). */
  style: "legacy" | "metaspace";
  /** Merges written as "a b" strings or as ["a", "b"] arrays. */
  mergeFormat: "string" | "array";
}

/** Plain BPE training on words (counts every pair anew each step): the merges, best first. */
function learnMerges(text: string, count: number): [string, string][] {
  const words = new Map<string, number>();
  for (const w of `▁${text.replaceAll(" ", "▁")}`.split(/(?=▁)/)) words.set(w, (words.get(w) ?? 0) + 1);
  let split = [...words].map(([w, c]) => ({
    parts: [...w].filter((ch) => ch.charCodeAt(0) < 128 || ch === "▁"),
    c,
  }));
  const merges: [string, string][] = [];
  for (let m = 0; m < count; m++) {
    const stats = new Map<string, number>();
    for (const { parts, c } of split) {
      for (let i = 0; i < parts.length - 1; i++) {
        const key = `${parts[i]}\u0000${parts[i + 1]}`;
        stats.set(key, (stats.get(key) ?? 0) + c);
      }
    }
    let best = "";
    let bestCount = 0;
    for (const [key, c] of stats) if (c > bestCount) [best, bestCount] = [key, c];
    if (!best) break;
    const [a, b] = best.split("\u0000") as [string, string];
    merges.push([a, b]);
    split = split.map(({ parts, c }) => {
      const out: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (parts[i] === a && parts[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(parts[i]!);
      }
      return { parts: out, c };
    });
  }
  return merges;
}

export function spTokenizerJson(text: string, options: SpOptions): object {
  const vocab: Record<string, number> = { "<unk>": 0, "<s>": 1, "</s>": 2 };
  const add = (t: string) => {
    if (vocab[t] === undefined) vocab[t] = Object.keys(vocab).length;
  };
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
  add("▁");
  for (const c of [...new Set(text)].sort()) if (c.charCodeAt(0) < 128 && c !== " ") add(c);
  const merges = learnMerges(text, 400);
  for (const [a, b] of merges) add(a + b);

  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const legacy = options.style === "legacy";
  return {
    version: "1.0",
    added_tokens: [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
    normalizer: legacy
      ? {
          type: "Sequence",
          normalizers: [
            { type: "Prepend", prepend: "▁" },
            { type: "Replace", pattern: { String: " " }, content: "▁" },
          ],
        }
      : null,
    pre_tokenizer: legacy
      ? null
      : { type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [],
      special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
    },
    decoder: {
      type: "Sequence",
      decoders: [
        { type: "Replace", pattern: { String: "▁" }, content: " " },
        { type: "ByteFallback" },
        { type: "Fuse" },
        { type: "Strip", content: " ", start: 1, stop: 0 },
      ],
    },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: "<unk>",
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab,
      merges: options.mergeFormat === "string" ? merges.map(([a, b]) => `${a} ${b}`) : merges,
    },
  };
}

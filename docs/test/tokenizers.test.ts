// Every worked example of docs/tokenizers.md, re-run. GPT-2's ids are also checked against
// js-tiktoken's own encoder (an independent implementation), so the page's numbers are GPT-2's,
// not just ours; the merge walk uses the rank order of GPT-2's merge list.
// The training example's expected merges were worked out by hand on the page (minbpe's rules).

import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
// docs/ is not a workspace dependent of the packages (its package.json lists vitest only), so
// sources and the tokenizer tests' fixtures are imported by path.
import { fromTokenizerJson, toByteChars, trainBpe } from "../../packages/tokenizer/src/index.ts";
import { gpt2Files } from "../../packages/tokenizer/test/gpt2-fixture.ts";
import { spTokenizerJson } from "../../packages/tokenizer/test/sp-fixture.ts";

// js-tiktoken is a dev dependency of @llmts/tokenizer, resolved the way that package sees it.
const fromTokenizerPackage = createRequire(new URL("../../packages/tokenizer/package.json", import.meta.url));
const { getEncoding } = fromTokenizerPackage("js-tiktoken") as {
  getEncoding(name: "gpt2"): { encode(text: string): number[] };
};

describe("the byte-level BPE examples (GPT-2)", () => {
  const files = gpt2Files();
  const gpt2 = fromTokenizerJson(files.tokenizerJson as never, "gpt2 (from js-tiktoken ranks)");
  const tiktoken = getEncoding("gpt2");

  const examples: [string, number[], string[]][] = [
    ["Hello world", [15496, 995], ["Hello", "Ġworld"]],
    ["Call me Ishmael.", [14134, 502, 1148, 21720, 417, 13], ["Call", "Ġme", "ĠIs", "hma", "el", "."]],
    [" naïve", [41492], ["ĠnaÃ¯ve"]],
    ["😀!", [47249, 222, 0], ["ðŁĺ", "Ģ", "!"]],
  ];
  for (const [text, ids, tokens] of examples) {
    it(`encodes ${JSON.stringify(text)} to ${JSON.stringify(ids)}, as js-tiktoken does`, () => {
      expect(gpt2.encode(text)).toEqual(ids);
      expect(tiktoken.encode(text)).toEqual(ids);
      expect(ids.map((id) => gpt2.idToToken(id))).toEqual(tokens);
    });
  }

  it('merges " world" in the order of the table: ranks 10, 17, 79, 220, 739', () => {
    const rank = new Map(files.merges.map(([a, b], r) => [`${a} ${b}`, r]));
    let parts = [...toByteChars(" world")];
    expect(parts.map((p) => files.vocab[p])).toEqual([220, 86, 78, 81, 75, 67]);
    const steps: [number, string][] = [];
    for (;;) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < parts.length - 1; i++) {
        const r = rank.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), parts[best]! + parts[best + 1]!, ...parts.slice(best + 2)];
      steps.push([bestRank, parts.join(" ")]);
    }
    expect(steps).toEqual([
      [10, "Ġw o r l d"],
      [17, "Ġw or l d"],
      [79, "Ġw or ld"],
      [220, "Ġwor ld"],
      [739, "Ġworld"],
    ]);
    expect(files.vocab.Ġworld).toBe(256 + 739);
  });

  it("streams 😀 out only once both of its tokens have arrived", () => {
    const decoder = gpt2.createStreamDecoder();
    expect([47249, 222, 0].map((id) => decoder.push(id))).toEqual(["", "😀", "!"]);
    expect(decoder.flush()).toBe("");
  });
});

describe("the SentencePiece example (Llama 2 layout)", () => {
  const sp = fromTokenizerJson(
    spTokenizerJson("Hello world. Hello there, world. The world is wide.", {
      style: "legacy",
      mergeFormat: "string",
    }) as never,
    "toy sentencepiece",
  );

  it("falls back to the UTF-8 bytes of ö and decodes them back", () => {
    const tokens = (text: string) => sp.encode(text).map((id) => sp.idToToken(id));
    expect(tokens("Hello world")).toEqual(["▁Hello", "▁world"]);
    expect(tokens("Hello wörld")).toEqual(["▁Hello", "▁w", "<0xC3>", "<0xB6>", "r", "l", "d"]);
    expect(sp.decode(sp.encode("Hello wörld"))).toBe("Hello wörld");
    expect([sp.addBos, sp.bosId]).toEqual([true, 1]);
  });
});

describe("the training example", () => {
  it('learns aa, ab, then aaab from "aaabdaaabac"', () => {
    const tok = trainBpe("aaabdaaabac", 256 + 3);
    expect([256, 257, 258].map((id) => tok.idToToken(id))).toEqual(["aa", "ab", "aaab"]);
    expect(tok.encode("aaabdaaabac")).toEqual([258, 100, 258, 97, 99]);
  });
});

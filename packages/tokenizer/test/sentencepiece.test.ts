// SentencePiece-style BPE (Llama 2 / Mistral layouts) against @huggingface/tokenizers.
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { fromTokenizerJson } from "../src/index.ts";
import { mobyDickText, TRICKY } from "./corpus.ts";
import { spTokenizerJson } from "./sp-fixture.ts";

const training = mobyDickText().slice(0, 60_000);
// Paragraphs of the first third of the book (the oracle is slow on long words): with no
// pre-tokenizer each paragraph is one long "word", which exercises the heap merge loop.
const paragraphs = () => [
  ...mobyDickText()
    .slice(0, 400_000)
    .split("\n\n")
    .filter((p) => p.length > 0),
  ...TRICKY.filter((t) => t !== ""),
];

describe("SentencePiece-style BPE", () => {
  for (const [style, mergeFormat] of [
    ["legacy", "string"],
    ["metaspace", "array"],
  ] as const) {
    describe(`${style} layout, merges as ${mergeFormat}s`, () => {
      const json = spTokenizerJson(training, { style, mergeFormat });
      const ours = fromTokenizerJson(json as never, "sp.json");
      const hf = new HfTokenizer(json, {});

      it("is read as a SentencePiece BPE that wants BOS", () => {
        expect(ours.kind).toBe("sentencepiece-bpe");
        expect([ours.bosId, ours.eosId, ours.addBos]).toEqual([1, 2, true]);
      });

      it("gives @huggingface/tokenizers' ids on every paragraph of Moby-Dick and the tricky strings", () => {
        for (const text of paragraphs()) {
          const expected = hf.encode(text, { add_special_tokens: false }).ids;
          expect(ours.encode(text), JSON.stringify(text.slice(0, 80))).toEqual(expected);
        }
      }, 60_000);

      it("decodes like @huggingface/tokenizers, byte-fallback characters included", () => {
        for (const text of [...TRICKY.filter((t) => t !== ""), training.slice(0, 5000)]) {
          const ids = ours.encode(text);
          expect(ours.decode(ids)).toBe(hf.decode(ids, { clean_up_tokenization_spaces: false }));
        }
      });

      it("falls back to <0xNN> byte tokens for characters outside the vocabulary", () => {
        const ids = ours.encode("😀");
        expect(ids.map((id) => ours.idToToken(id))).toEqual(["▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>"]);
        expect(ours.decode(ids)).toBe("😀");
      });

      it("streams byte-fallback characters only when complete, and strips the leading space once", () => {
        const ids = ours.encode("héllo 😀 world");
        const stream = ours.createStreamDecoder();
        const pieces = ids.map((id) => stream.push(id));
        expect(pieces.join("") + stream.flush()).toBe("héllo 😀 world");
        expect(pieces.every((p) => !p.includes("\ufffd"))).toBe(true);
      });
    });
  }
});

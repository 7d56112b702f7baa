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

      it("decodes invalid byte runs like Hugging Face's ByteFallback: one U+FFFD per byte token", () => {
        // Expected strings checked with the Rust `tokenizers` 0.22.2 on this tokenizer.json (the
        // JS oracle decodes invalid runs like TextDecoder instead, which Rust does not).
        const b = (hex: string) => ours.tokenToId(`<0x${hex}>`)!;
        const the = ours.tokenToId("▁the")!;
        expect(ours.decode([b("F3"), b("A2")])).toBe("\uFFFD\uFFFD"); // TextDecoder: one U+FFFD
        expect(ours.decode([b("7D"), b("AF")])).toBe("\uFFFD\uFFFD"); // the valid "}" goes too
        expect(ours.decode([b("E2"), b("82"), b("AC")])).toBe("€");
        expect(ours.decode([b("F0"), b("9F"), the])).toBe("\uFFFD\uFFFD the");
        expect(ours.decode([the, b("C3"), b("A9"), b("FF"), the, b("41")])).toBe(
          "the\uFFFD\uFFFD\uFFFD theA",
        );
      });

      it("streams random byte-token sequences to exactly what decode gives", () => {
        let x = 12345; // a small LCG: reproducible ids, mostly byte tokens (3..258), some pieces
        const next = () => {
          x = (x * 1103515245 + 12345) % 2 ** 31;
          return x / 2 ** 31;
        };
        const pieces = ours.encode("the whale and the sea");
        for (let t = 0; t < 300; t++) {
          const ids = Array.from({ length: 1 + Math.floor(next() * 8) }, () =>
            next() < 0.8 ? 3 + Math.floor(next() * 256) : pieces[Math.floor(next() * pieces.length)]!,
          );
          const stream = ours.createStreamDecoder();
          const streamed = ids.map((id) => stream.push(id)).join("") + stream.flush();
          expect(streamed, JSON.stringify(ids)).toBe(ours.decode(ids));
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

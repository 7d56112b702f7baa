// Properties over arbitrary input (fast-check): byte-level BPE is lossless on any Unicode string,
// and streaming decoding always concatenates to the one-shot decode.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CharTokenizer, fromTokenizerJson, type Tokenizer, trainBpe } from "../src/index.ts";
import { mobyDickText } from "./corpus.ts";
import { gpt2Files } from "./gpt2-fixture.ts";
import { spTokenizerJson } from "./sp-fixture.ts";

const gpt2 = fromTokenizerJson(gpt2Files().tokenizerJson as never, "gpt2");
const trained = trainBpe(mobyDickText().slice(0, 100_000), 600);
const sp = fromTokenizerJson(
  spTokenizerJson(mobyDickText().slice(0, 20_000), { style: "legacy", mergeFormat: "string" }) as never,
  "sp",
);
// Any Unicode scalar values (no lone surrogates: UTF-8 cannot carry them), mixed with ASCII words.
const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string());

const streamed = (t: Tokenizer, ids: number[]) => {
  const decoder = t.createStreamDecoder();
  return ids.map((id) => decoder.push(id)).join("") + decoder.flush();
};

describe("tokenizer properties", () => {
  it("decode(encode(s)) === s for any Unicode string with byte-level BPE (GPT-2 and trained)", () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(gpt2.decode(gpt2.encode(s))).toBe(s);
        expect(trained.decode(trained.encode(s))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it("decode(encode(s)) === s for SentencePiece BPE with byte fallback, when s does not start with a space", () => {
    fc.assert(
      fc.property(text, (s) => {
        fc.pre(!s.startsWith(" "));
        expect(sp.decode(sp.encode(s))).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it("concatenating the stream decoder's output equals decode, for any id sequence", () => {
    const char = CharTokenizer.fromText("abc😀");
    for (const t of [gpt2, trained, sp, char]) {
      fc.assert(
        fc.property(fc.array(fc.nat(t.vocabSize - 1), { maxLength: 40 }), (ids) => {
          expect(streamed(t, ids)).toBe(t.decode(ids));
        }),
        { numRuns: 300 },
      );
    }
  });
});

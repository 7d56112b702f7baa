// The corners of tokenizer.json where Hugging Face's behaviour decides what is right: the
// post-processor's special tokens (BOS for Llama 2 and Llama 3), a merge listed twice, byte
// fallback in a byte-level vocabulary, `single_word` added tokens, BOS/EOS named by
// tokenizer_config.json. Compared with @huggingface/tokenizers wherever it implements the
// feature; `single_word` it ignores, so those expected ids are written out by hand, each checked
// against Hugging Face tokenizers 0.22.2 (Rust).
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { fromTokenizerJson, type Tokenizer, trainBpe } from "../src/index.ts";
import { mobyDickText, TRICKY } from "./corpus.ts";
import { spTokenizerJson } from "./sp-fixture.ts";

type Json = Record<string, unknown> & { model: Record<string, unknown> };

const special = (id: number, content: string, extra: object = {}) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
  ...extra,
});
const template = (pieces: string[], ids: Record<string, number>) => ({
  type: "TemplateProcessing",
  single: pieces.map((p) =>
    p === "$A" ? { Sequence: { id: "A", type_id: 0 } } : { SpecialToken: { id: p, type_id: 0 } },
  ),
  pair: [],
  special_tokens: Object.fromEntries(
    Object.entries(ids).map(([name, id]) => [name, { id: name, ids: [id], tokens: [name] }]),
  ),
});

/** A trained byte-level BPE's tokenizer.json (ids 0..299: bytes, then merges), trained once. */
const trainedJson = JSON.parse(trainBpe(mobyDickText().slice(0, 30_000), 300).toTokenizerJson()) as Json;

/** A copy of the trained tokenizer.json, edited. */
function byteLevelJson(edit: (json: Json) => void): Json {
  const json = structuredClone(trainedJson);
  edit(json);
  return json;
}

const texts = [...TRICKY, mobyDickText().slice(0, 3000)];
const withSpecials = (hf: HfTokenizer, text: string) => hf.encode(text, { add_special_tokens: true }).ids;

describe("special tokens from the post-processor", () => {
  // Llama 3's layout: a Sequence post-processor whose TemplateProcessing adds <|begin_of_text|>.
  const llama3 = byteLevelJson((j) => {
    j.added_tokens = [special(300, "<|begin_of_text|>"), special(301, "<|end_of_text|>")];
    j.post_processor = {
      type: "Sequence",
      processors: [
        { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
        template(["<|begin_of_text|>", "$A"], { "<|begin_of_text|>": 300 }),
      ],
    };
  });

  it("finds Llama 3's BOS inside a Sequence post-processor and wants it before a prompt", () => {
    const ours = fromTokenizerJson(llama3 as never, "llama3.json");
    expect([ours.bosId, ours.eosId, ours.addBos]).toEqual([300, 301, true]);
  });

  it("adds the template's tokens only when asked, as @huggingface/tokenizers does", () => {
    const ours = fromTokenizerJson(llama3 as never, "llama3.json");
    const hf = new HfTokenizer(llama3, {});
    for (const text of texts) {
      expect(ours.encode(text, { addSpecialTokens: true })).toEqual(withSpecials(hf, text));
      expect(ours.encode(text)).toEqual(hf.encode(text, { add_special_tokens: false }).ids);
    }
    expect(ours.encode("Hi", { addSpecialTokens: true })[0]).toBe(300);
  });

  it("puts tokens after the text too: a template with a suffix, BertProcessing, RobertaProcessing", () => {
    const processors = [
      template(["<|begin_of_text|>", "$A", "<|end_of_text|>"], {
        "<|begin_of_text|>": 300,
        "<|end_of_text|>": 301,
      }),
      { type: "BertProcessing", cls: ["<|begin_of_text|>", 300], sep: ["<|end_of_text|>", 301] },
      {
        type: "RobertaProcessing",
        cls: ["<|begin_of_text|>", 300],
        sep: ["<|end_of_text|>", 301],
        trim_offsets: true,
        add_prefix_space: false,
      },
    ];
    for (const post_processor of processors) {
      const json = { ...llama3, post_processor };
      const ours = fromTokenizerJson(json as never, "post.json");
      const hf = new HfTokenizer(json, {});
      for (const text of ["Hi", "Call me Ishmael.", ""]) {
        expect(ours.encode(text, { addSpecialTokens: true }), post_processor.type).toEqual(
          withSpecials(hf, text),
        );
      }
      expect(ours.encode("Hi", { addSpecialTokens: true }).at(-1)).toBe(301);
    }
  });

  it("lets tokenizer_config's add_bos_token / add_eos_token override the template, as transformers does", () => {
    // transformers' LlamaTokenizerFast.update_post_processor rebuilds the template from the two flags.
    const config = { bos_token: "<|begin_of_text|>", eos_token: "<|end_of_text|>" };
    const noBos = fromTokenizerJson(llama3 as never, "llama3.json", { ...config, add_bos_token: false });
    expect(noBos.addBos).toBe(false);
    expect(noBos.encode("Hi", { addSpecialTokens: true })).toEqual(noBos.encode("Hi"));
    const withEos = fromTokenizerJson(llama3 as never, "llama3.json", { ...config, add_eos_token: true });
    const ids = withEos.encode("Hi", { addSpecialTokens: true });
    expect([withEos.addBos, ids[0], ids.at(-1)]).toEqual([true, 300, 301]);
    const bare = byteLevelJson((j) => {
      j.added_tokens = [special(300, "<|begin_of_text|>"), special(301, "<|end_of_text|>")];
    });
    const bosFromFlag = fromTokenizerJson(bare as never, "bare.json", { ...config, add_bos_token: true });
    expect([bosFromFlag.addBos, bosFromFlag.encode("Hi", { addSpecialTokens: true })[0]]).toEqual([
      true,
      300,
    ]);
  });

  it("adds Llama 2's <s> like @huggingface/tokenizers, and GPT-2-style files add nothing", () => {
    const sp = spTokenizerJson(mobyDickText().slice(0, 20_000), { style: "legacy", mergeFormat: "string" });
    const ours = fromTokenizerJson(sp as never, "sp.json");
    const hf = new HfTokenizer(sp, {});
    for (const text of texts)
      expect(ours.encode(text, { addSpecialTokens: true })).toEqual(withSpecials(hf, text));
    const gpt2Style = byteLevelJson(() => {});
    expect(fromTokenizerJson(gpt2Style as never, "t.json").encode("Hi", { addSpecialTokens: true })).toEqual(
      withSpecials(new HfTokenizer(gpt2Style, {}), "Hi"),
    );
  });
});

describe("tokenizer.json details", () => {
  // "bcd" with merges (b,c) and (c,d): which applies first depends on the rank (b,c) ends up with.
  const tiny = (merges: string[]) => ({
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: "Fuse" },
    model: { type: "BPE", vocab: { b: 0, c: 1, d: 2, bc: 3, cd: 4 }, merges },
  });

  it("gives a merge listed twice its last rank, as Hugging Face does", () => {
    for (const merges of [
      ["b c", "c d", "b c"],
      ["c d", "b c", "c d"],
    ]) {
      const json = tiny(merges);
      const ours = fromTokenizerJson(json as never, "dup.json");
      expect(ours.encode("bcd"), merges.join(", ")).toEqual(
        new HfTokenizer(json, {}).encode("bcd", { add_special_tokens: false }).ids,
      );
    }
    expect(fromTokenizerJson(tiny(["b c", "c d", "b c"]) as never, "dup.json").encode("bcd")).toEqual([0, 4]);
  });

  it("runs a byte-level vocabulary with byte_fallback: a missing byte becomes <0xNN> tokens or <unk>", () => {
    // Drop the stand-in of byte 0xC3 ("Ã", the first byte of "é"); add <0xC3> <0x83> (UTF-8 of "Ã").
    for (const [byteFallback, unk] of [
      [true, null],
      [false, "<unk>"],
      [false, null],
    ] as const) {
      const json = byteLevelJson((j) => {
        const vocab = j.model.vocab as Record<string, number>;
        delete vocab.Ã;
        j.model.merges = (j.model.merges as string[]).filter((m) => !JSON.stringify(m).includes("Ã"));
        Object.assign(vocab, { "<0xC3>": 300, "<0x83>": 301, "<unk>": 302 });
        Object.assign(j.model, { byte_fallback: byteFallback, unk_token: unk });
      });
      const ours = fromTokenizerJson(json as never, "bf.json");
      const hf = new HfTokenizer(json, {});
      for (const text of ["naïve café", "ÃÃ é", ...TRICKY]) {
        expect(ours.encode(text), `${byteFallback} ${unk} ${text}`).toEqual(
          hf.encode(text, { add_special_tokens: false }).ids,
        );
      }
    }
  });

  it("matches a single_word added token only where no word character touches it", () => {
    const chars = [..."abxyz _é日1-.'<>m‿①Ⓐ\u0301"];
    const json = {
      added_tokens: [
        special(20, "ab", { single_word: true }),
        special(21, "<m>", { single_word: true, lstrip: true, rstrip: true }),
      ],
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: { type: "Fuse" },
      model: { type: "BPE", vocab: Object.fromEntries(chars.map((c, i) => [c, i])), merges: [] },
    };
    const ours = fromTokenizerJson(json as never, "sw.json");
    // Checked against Hugging Face tokenizers 0.22.2; "a"=0 "b"=1 " "=5 "-"=10.
    const expected: [string, number[]][] = [
      ["ab", [20]],
      ["x ab y", [2, 5, 20, 5, 3]],
      ["-ab-", [10, 20, 10]],
      ["ab ab", [20, 5, 20]],
      ["①ab", [17, 20]], // ① is not a word character (a number, but not a decimal digit)
      ["xab", [2, 0, 1]],
      ["ab_", [0, 1, 6]],
      ["abé", [0, 1, 7]],
      ["日ab", [8, 0, 1]],
      ["ab1", [0, 1, 9]],
      ["abab", [0, 1, 0, 1]],
      ["‿ab", [16, 0, 1]],
      ["Ⓐab", [18, 0, 1]],
      ["ab\u0301", [0, 1, 19]],
      ["a <m>", [0, 21]], // lstrip takes the space, the space makes it a single word
      ["x  <m>  y", [2, 21, 3]],
      ["a<m>", [0, 13, 15, 14]],
      ["<m>x", [13, 15, 14, 2]],
    ];
    for (const [text, ids] of expected) expect(ours.encode(text), text).toEqual(ids);
  });

  it("takes BOS and EOS named by tokenizer_config.json from the vocabulary too", () => {
    // "</s>" as an ordinary vocabulary entry (id 300), not an added token.
    const json = byteLevelJson((j) => Object.assign(j.model.vocab as object, { "</s>": 300 }));
    const config = { bos_token: "Ġthe", eos_token: { content: "</s>" }, add_bos_token: true };
    const ours: Tokenizer = fromTokenizerJson(json as never, "t.json", config);
    const vocab = json.model.vocab as Record<string, number>;
    expect([ours.bosId, ours.eosId, ours.addBos]).toEqual([vocab.Ġthe, 300, true]);
    // Without a config, a well-known name counts only as an added token: no EOS here.
    expect(fromTokenizerJson(json as never, "t.json").eosId).toBeUndefined();
  });

  it("prints <0xNN> tokens literally when the decoder has no ByteFallback, as Hugging Face does", () => {
    const json = spTokenizerJson(mobyDickText().slice(0, 20_000), {
      style: "metaspace",
      mergeFormat: "string",
    });
    const decoder = { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true };
    Object.assign(json, { decoder });
    const ours = fromTokenizerJson(json as never, "sp.json");
    const hf = new HfTokenizer(json, {});
    const ids = ours.encode("a ö b 😀");
    expect(ours.decode(ids)).toBe(hf.decode(ids, { clean_up_tokenization_spaces: false }));
    expect(ours.decode(ids)).toContain("<0xC3><0xB6>");
  });

  it("gives each token's own bytes, SentencePiece's leading space included", () => {
    const sp = fromTokenizerJson(
      spTokenizerJson(mobyDickText().slice(0, 20_000), { style: "legacy", mergeFormat: "string" }) as never,
      "sp.json",
    );
    const text = (id: number) => new TextDecoder().decode(sp.idToBytes(id));
    expect(text(sp.tokenToId("▁the")!)).toBe(" the");
    expect(sp.decode([sp.tokenToId("▁the")!])).toBe("the");
    expect(text(sp.tokenToId("▁")!)).toBe(" ");
    expect([...sp.idToBytes(sp.tokenToId("<0xE6>")!)!]).toEqual([0xe6]);
    expect(text(1)).toBe("<s>");
    expect(sp.idToBytes(sp.vocabSize)).toBeUndefined();
  });
});

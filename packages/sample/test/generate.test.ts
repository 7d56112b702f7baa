import { describe, expect, it } from "vitest";
import { GenerationError, generate, readEosTokenIds } from "../src/index.ts";
import {
  BigramModel,
  ByteTokenizer,
  deterministicTable,
  PieceTokenizer,
  ScriptedModel,
  StreamingByteTokenizer,
} from "./fakes.ts";

const bytes = new ByteTokenizer();

/** Greedy byte model that "says" `text` (as UTF-8 bytes), then keeps saying byte 0. */
function sayer(text: string, contextLength = 1024): ScriptedModel {
  return new ScriptedModel(257, bytes.encode(text), contextLength); // 256 bytes + one special id
}

describe("generate: the loop", () => {
  it("greedy decoding follows the bigram chain: one prefill, then one step per new token", () => {
    // Token i is followed by (3i + 1) mod 11: from 2 -> 7 -> 0 -> 1 -> 4 -> 2 -> 7
    const model = new BigramModel(
      11,
      deterministicTable(11, (i) => (3 * i + 1) % 11),
    );
    const result = generate(model, [5, 2], { temperature: 0, max_new_tokens: 6 });
    expect(result.generated_ids).toEqual([7, 0, 1, 4, 2, 7]);
    expect(result.prompt_ids).toEqual([5, 2]);
    expect(result.finish_reason).toBe("length");
    expect(model.prefillCalls).toBe(1);
    expect(model.stepCalls).toBe(5); // no forward pass after the last token
    expect(model.fed).toEqual([5, 2, 7, 0, 1, 4, 2]);
  });

  it("leaves the model's logits buffers untouched (it samples from a copy)", () => {
    const table = deterministicTable(11, (i) => (3 * i + 1) % 11);
    const before = Float32Array.from(table);
    const model = new BigramModel(11, table);
    generate(model, [1, 2, 3], {
      temperature: 0.8,
      top_k: 3,
      top_p: 0.9,
      repetition_penalty: 1.3,
      max_new_tokens: 20,
    });
    expect(table).toEqual(before);
  });

  it("stops right after an EOS id: kept in generated_ids, not in text", () => {
    const model = sayer("ok\u0000");
    const result = generate(
      model,
      [65],
      { temperature: 0, eos_token_id: [0, 256], max_new_tokens: 10 },
      { tokenizer: bytes },
    );
    expect(result.generated_ids).toEqual([0x6f, 0x6b, 0]);
    expect(result.text).toBe("ok");
    expect(result.finish_reason).toBe("eos_token");
  });

  it("the same seed gives the same tokens on every run; another seed gives others", () => {
    const V = 16;
    const table = Float32Array.from({ length: V * V }, (_, k) => Math.sin(k * 1.7) * 2);
    const run = (seed: number) =>
      generate(new BigramModel(V, table), [1], { seed, temperature: 1, max_new_tokens: 64 }).generated_ids;
    expect(run(123)).toEqual(run(123));
    expect(run(124)).not.toEqual(run(123));
  });
});

describe("generate: text, streaming and stop strings", () => {
  it.each([
    ["a decode()-only tokenizer", bytes],
    ["a tokenizer with its own stream decoder", new StreamingByteTokenizer()],
  ])(
    "streams pieces that concatenate to the non-streaming decode of the generated ids, with %s",
    (_, tokenizer) => {
      // A bigram byte model that samples freely over "é", "東", "😀", ASCII... : any byte follows any.
      const V = 257;
      const table = new Float32Array(V * V);
      const favourite = bytes.encode("a é 東 😀\n");
      for (let i = 0; i < V; i++) for (const b of favourite) table[i * V + b] = 3;
      for (const seed of [1, 2, 3, 4, 5]) {
        const pieces: string[] = [];
        const result = generate(
          new BigramModel(V, table),
          bytes.encode("Say: "),
          { seed, max_new_tokens: 60 },
          { tokenizer, onText: (piece) => pieces.push(piece) },
        );
        expect(pieces.join("")).toBe(result.text);
        expect(result.text).toBe(bytes.decode(result.generated_ids));
      }
    },
  );

  it("does not print a stop string, and stops generating when it appears", () => {
    const pieces: string[] = [];
    const result = generate(
      sayer("Hello\n\nWorld"),
      [65],
      { temperature: 0, stop_strings: ["\n\n"], max_new_tokens: 50 },
      { tokenizer: bytes, onText: (p) => pieces.push(p) },
    );
    expect(result.text).toBe("Hello");
    expect(pieces.join("")).toBe("Hello");
    expect(result.finish_reason).toBe("stop_sequence");
    expect(result.generated_ids).toEqual(bytes.encode("Hello\n\n")); // the last token completed the stop
  });

  it("cuts a stop string that is split across tokens, also mid-token", () => {
    const sp = new PieceTokenizer(["▁go", "xS", "TO", "Py", "▁on"]);
    const script = ["▁go", "xS", "TO", "Py", "▁on"].map((p) => sp.id(p));
    const pieces: string[] = [];
    const result = generate(
      new ScriptedModel(5, script),
      [sp.id("▁go")],
      { temperature: 0, stop_strings: ["STOP"], max_new_tokens: 5 },
      { tokenizer: sp, onText: (p) => pieces.push(p) },
    );
    expect(result.text).toBe(" gox");
    expect(pieces.join("")).toBe(" gox");
    expect(pieces.some((p) => p.includes("S"))).toBe(false);
    expect(result.generated_ids.length).toBe(4);
  });

  it("emits text held back for a stop string that never completed when generation ends", () => {
    const result = generate(
      sayer("a\n"),
      [65],
      { temperature: 0, stop_strings: ["\n\n"], max_new_tokens: 2 },
      { tokenizer: bytes },
    );
    expect(result.text).toBe("a\n");
    expect(result.finish_reason).toBe("length");
  });

  it("prints no stray space when the prompt is only BOS: the text is decode(generated)", () => {
    const sp = new PieceTokenizer(["<s>", "▁the"]);
    const pieces: string[] = [];
    const result = generate(
      new ScriptedModel(2, [1, 1, 1]),
      [sp.id("<s>")],
      { temperature: 0, max_new_tokens: 3 },
      { tokenizer: sp, onText: (p) => pieces.push(p) },
    );
    expect(result.text).toBe("the the the");
    expect(pieces.join("")).toBe(sp.decode(result.generated_ids));
  });

  it("without a tokenizer returns ids only", () => {
    const result = generate(sayer("abc"), [65], { temperature: 0, max_new_tokens: 3 });
    expect(result.generated_ids).toEqual([97, 98, 99]);
    expect(result.text).toBe("");
  });
});

describe("generate: crop_context (nanoGPT's sliding window)", () => {
  /** The bigram chain with a window of 4, recording what each prefill is given. */
  const chain = () => {
    const model = new BigramModel(
      11,
      deterministicTable(11, (i) => (3 * i + 1) % 11),
      4,
    );
    const prefills: number[][] = [];
    const prefill = model.prefill.bind(model);
    model.prefill = (ids) => {
      prefills.push(Array.from(ids));
      return prefill(ids);
    };
    return { model, prefills };
  };

  it("keeps generating past the window, re-running the last contextLength tokens for each new one", () => {
    const { model, prefills } = chain();
    const result = generate(model, [5, 2], { temperature: 0, max_new_tokens: 6, crop_context: true });
    // The same chain as without a window: 2 -> 7 -> 0 -> 1 -> 4 -> 2 -> 7
    expect(result.generated_ids).toEqual([7, 0, 1, 4, 2, 7]);
    // [5, 2] + 7, 0 fill the window of 4; then every token re-runs the last 4.
    expect(prefills).toEqual([
      [5, 2],
      [2, 7, 0, 1],
      [7, 0, 1, 4],
      [0, 1, 4, 2],
    ]);
    expect(model.stepCalls).toBe(2);
    expect(result.context_crops).toBe(3);
    expect(result.config.crop_context).toBe(true);
  });

  it("crops a prompt longer than the window to its last contextLength tokens", () => {
    const { model, prefills } = chain();
    const result = generate(model, [9, 9, 9, 9, 5, 2], {
      temperature: 0,
      max_new_tokens: 2,
      crop_context: true,
    });
    expect(result.prompt_ids).toEqual([9, 9, 9, 9, 5, 2]);
    expect(prefills).toEqual([
      [9, 9, 5, 2],
      [9, 5, 2, 7],
    ]);
    expect(result.generated_ids).toEqual([7, 0]);
  });

  it("does not lower the default max_new_tokens to the window", () => {
    expect(generate(chain().model, [1], { temperature: 0, crop_context: true }).generated_ids).toHaveLength(
      256,
    );
  });
});

describe("generate: limits and errors", () => {
  const model = (contextLength: number) =>
    new BigramModel(
      11,
      deterministicTable(11, (i) => (i + 1) % 11),
      contextLength,
    );

  it("refuses a prompt plus max_new_tokens longer than the context window, naming the numbers", () => {
    expect(() => generate(model(16), new Array(10).fill(1), { max_new_tokens: 7 })).toThrow(GenerationError);
    expect(() => generate(model(16), new Array(10).fill(1), { max_new_tokens: 7 })).toThrow(
      /prompt \(10 tokens\) \+ max_new_tokens \(7\) = 17 exceeds the model's context length of 16/,
    );
    expect(generate(model(16), new Array(10).fill(1), { max_new_tokens: 6 }).generated_ids).toHaveLength(6);
  });

  it("by default generates only as many tokens as fit in the window", () => {
    expect(generate(model(16), new Array(10).fill(1), { temperature: 0 }).generated_ids).toHaveLength(6);
    expect(() => generate(model(16), new Array(16).fill(1))).toThrow(/no room for a new token/);
  });

  it("rejects an empty prompt and out-of-range settings", () => {
    expect(() => generate(model(16), [])).toThrow(/prompt is empty/);
    expect(() => generate(model(16), [1], { temperature: -1 })).toThrow(/temperature must be/);
    expect(() => generate(model(16), [1], { top_p: 1.5 })).toThrow(/top_p must be in \[0, 1\]/);
    expect(generate(model(16), [1], { top_p: 0, max_new_tokens: 2 }).generated_ids).toEqual([2, 3]);
    expect(() => generate(model(16), [1], { top_k: 2.5 })).toThrow(/top_k must be/);
    expect(() => generate(model(16), [1], { repetition_penalty: 0 })).toThrow(/repetition_penalty must be/);
    expect(() => generate(model(16), [1], { stop_strings: ["x"] })).toThrow(/need a tokenizer/);
  });
});

describe("generate: stats", () => {
  it("reports time to first token, prefill and decode speed, and peak memory", () => {
    // A fake clock the model advances: prefill 10 ms, each step 2 ms, sampling takes no time.
    const clock = { t: 0, prefillMs: 10, stepMs: 2 };
    const model = new BigramModel(
      11,
      deterministicTable(11, (i) => (i + 1) % 11),
      64,
      clock,
    );
    const readings = [50, 70, 250, 60].map((mb) => mb * 2 ** 20); // RSS rises and falls again
    let k = 0;
    const result = generate(
      model,
      [1, 2, 3, 4, 5],
      { temperature: 0, max_new_tokens: 8 },
      { now: () => clock.t, memoryBytes: () => readings[k++ % readings.length]! },
    );
    expect(result.time_to_first_token_ms).toBe(10);
    expect(result.prefill_tokens_per_second).toBe(500); // 5 tokens / 10 ms
    expect(result.decode_tokens_per_second).toBe(500); // 7 tokens / 14 ms
    expect(result.peak_rss_mb).toBe(250); // the largest reading, not the last
    const unmeasured = generate(model, [1, 2], { temperature: 0, max_new_tokens: 2 }, { now: () => clock.t });
    expect(unmeasured.peak_rss_mb).toBeNull(); // no memoryBytes: nothing measured, nothing made up
  });

  it("reports null tokens/s, not Infinity, when the clock saw no time pass", () => {
    const model = new BigramModel(
      11,
      deterministicTable(11, (i) => (i + 1) % 11),
    );
    const result = generate(model, [1, 2], { temperature: 0, max_new_tokens: 3 }, { now: () => 0 });
    expect(result.prefill_tokens_per_second).toBeNull();
    expect(result.decode_tokens_per_second).toBeNull();
    expect(JSON.parse(JSON.stringify(result)).prefill_tokens_per_second).toBeNull();
  });
});

describe("readEosTokenIds", () => {
  const gen = (json: unknown) => ({ file: "m/generation_config.json", json });
  const cfg = (json: unknown) => ({ file: "m/config.json", json });

  it("prefers generation_config.json, accepts one id or a list, and falls back to config.json", () => {
    expect(readEosTokenIds([gen({ eos_token_id: [128001, 128009] }), cfg({ eos_token_id: 128001 })])).toEqual(
      [128001, 128009],
    );
    expect(readEosTokenIds([gen({ eos_token_id: null }), cfg({ eos_token_id: 50256 })])).toEqual([50256]);
    expect(readEosTokenIds([gen(undefined), cfg({ bos_token_id: 1, eos_token_id: 2 })])).toEqual([2]);
    expect(readEosTokenIds([gen({}), cfg({})])).toEqual([]);
  });

  it("names the file whose eos_token_id is malformed", () => {
    expect(() => readEosTokenIds([gen({ eos_token_id: "2" })])).toThrow(GenerationError);
    expect(() => readEosTokenIds([gen({}), cfg({ eos_token_id: [2, -1] })])).toThrow(
      /eos_token_id must be an integer >= 0 or a list of them, got \[2,-1\] \(m\/config\.json\)/,
    );
  });
});

import { intTensor, noGrad, Rng, type Tensor } from "@llmts/tensor";
import { describe, expect, it } from "vitest";
import { type CausalLM, createModel, type ModelConfig, stepModel } from "../src/index.ts";
import { tinyGemma3, tinyGpt2, tinyGptNeoX, tinyLlama, tinyPhi3, tinyQwen3 } from "./tiny.ts";

const llama3 = {
  rope_type: "llama3",
  factor: 8,
  low_freq_factor: 1,
  high_freq_factor: 4,
  original_max_position_embeddings: 8,
};

const cases: [string, ModelConfig][] = [
  ["gpt2", tinyGpt2()],
  ["llama with GQA (4 query heads over 2 key/value heads)", tinyLlama()],
  ["qwen2 (q/k/v biases)", tinyLlama({ model_type: "qwen2", tie_word_embeddings: true })],
  ["mistral with a sliding window of 3", tinyLlama({ model_type: "mistral", sliding_window: 3 })],
  ["llama with llama3 rope scaling", tinyLlama({ rope_theta: 5e5, rope_scaling: llama3 })],
  ["qwen3 (per-head q/k norms, head_dim 6 ≠ 16 / 4)", tinyQwen3()],
  ["gemma3 (sliding layers with a window of 3 between full ones, two rope bases)", tinyGemma3()],
  ["gpt_neox (fused per-head qkv, 2 of 8 dims rotated, parallel residual)", tinyGptNeoX()],
  ["gpt_neox with the sequential residual", tinyGptNeoX({ use_parallel_residual: false })],
  ["phi3 (fused qkv / gate_up, 6 of 8 dims rotated, sliding window of 4)", tinyPhi3()],
];

// Two rows of 10 tokens (batch 2).
const ids = [
  [3, 17, 0, 8, 8, 21, 5, 30, 2, 11],
  [9, 1, 33, 4, 12, 7, 7, 19, 26, 6],
];

function full(model: CausalLM): Tensor {
  return noGrad(() => model.forward(intTensor(ids))); // [2, 10, V]
}

/** Feeds ids in chunks of the given sizes through one cache, concatenating the logits per row. */
function chunked(model: CausalLM, sizes: number[]): number[][] {
  const cache = model.newCache({ batchSize: 2 });
  const rows: number[][] = [[], []];
  let start = 0;
  for (const n of sizes) {
    const chunk = ids.map((row) => row.slice(start, start + n));
    const logits = model.forward(intTensor(chunk), { cache }); // [2, n, V]
    const V = logits.shape[2]!;
    const data = logits.dataSync();
    for (let b = 0; b < 2; b++) rows[b]!.push(...data.subarray(b * n * V, (b + 1) * n * V));
    start += n;
  }
  expect([cache.length(0), cache.length(1)]).toEqual([10, 10]);
  return rows;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(1e-5);
}

describe("the KV cache", () => {
  for (const [name, config] of cases) {
    it(`${name}: one token at a time gives the same logits as the full forward pass`, () => {
      const model = createModel(config, new Rng(11));
      const reference = full(model).dataSync();
      const rows = chunked(model, Array(10).fill(1));
      const V = model.vocabSize;
      expectClose([...rows[0]!, ...rows[1]!], reference.subarray(0, 2 * 10 * V));
    });

    it(`${name}: a prompt chunk followed by single tokens and another chunk gives the same logits`, () => {
      const model = createModel(config, new Rng(12));
      const reference = full(model).dataSync();
      const rows = chunked(model, [4, 1, 1, 4]);
      expectClose([...rows[0]!, ...rows[1]!], reference);
    });
  }

  it("refuses a token past the cache's length, naming both numbers", () => {
    const model = createModel(tinyGpt2(), new Rng(13));
    const cache = model.newCache({ maxLength: 4 });
    model.forward(intTensor([[1, 2, 3]]), { cache });
    model.forward(intTensor([[4]]), { cache });
    expect(() => model.forward(intTensor([[5]]), { cache })).toThrow(
      /5 positions do not fit in a cache of 4/,
    );
  });

  it("refuses a sequence longer than the context window", () => {
    const model = createModel(tinyGpt2(), new Rng(14)); // n_positions 24
    const long = intTensor([Array(25).fill(1)]);
    expect(() => noGrad(() => model.forward(long))).toThrow(/25 tokens exceed the model's context of 24/);
  });

  it("names an out-of-vocabulary id by its row and position [b, t]", () => {
    const model = createModel(tinyGpt2(), new Rng(16)); // vocab 37
    const ids = intTensor([
      [1, 2, 3],
      [4, 40, 5],
    ]);
    expect(() => noGrad(() => model.forward(ids))).toThrow(
      /^forward: token id 40 at ids\[1, 1\] is out of range for a vocabulary of 37$/,
    );
  });

  it("keeps its keys and values in the arrays `allocate` hands out, with the same logits", () => {
    const model = createModel(tinyLlama(), new Rng(16));
    const seq = [5, 9, 2, 7, 7, 1];
    const handedOut: Float32Array[] = [];
    const cache = model.newCache({
      allocate: (n) => {
        handedOut.push(new Float32Array(n));
        return handedOut[handedOut.length - 1]!;
      },
    });
    model.forward(intTensor([seq.slice(0, 4)]), { cache });
    const last = model.forward(intTensor([seq.slice(4)]), { cache, lastOnly: true });
    expect(handedOut.length).toBe(2 * model.config.nLayer); // keys and values per layer
    expect(handedOut.some((a) => a.some((x) => x !== 0))).toBe(true);
    const reference = noGrad(() => model.forward(intTensor([seq]), { lastOnly: true })).dataSync();
    expectClose(last.dataSync(), reference);
  });

  it("grows past its initial capacity without changing the logits", () => {
    const config = tinyLlama({ max_position_embeddings: 1200 });
    const model = createModel(config, new Rng(15));
    const seq = Array.from({ length: 1100 }, (_, i) => (i * 7) % 41);
    const reference = noGrad(() => model.forward(intTensor([seq]), { lastOnly: true })).dataSync();
    const cache = model.newCache();
    model.forward(intTensor([seq.slice(0, 1000)]), { cache }); // capacity 1024 at first
    const last = model.forward(intTensor([seq.slice(1000)]), { cache, lastOnly: true });
    expectClose(last.dataSync(), reference);
  });
});

/** Logits [T, V] of `seq` run alone through the full forward pass (no cache). */
function alone(model: CausalLM, seq: number[]): Float32Array {
  return noGrad(() => model.forward(intTensor([seq]))).dataSync() as Float32Array;
}

/** Row `b` of logits [B, 1, V]. */
const rowOf = (logits: Tensor, b: number) => {
  const V = logits.shape[2]!;
  return logits.dataSync().subarray(b * V, (b + 1) * V);
};

describe("cache slots (sequences decoded together, each at its own length)", () => {
  for (const [name, config] of cases) {
    it(`${name}: one forward per step over rows at different lengths gives each row's logits alone`, () => {
      const model = createModel(config, new Rng(17));
      const V = model.vocabSize;
      const [a, b] = [ids[0]!, ids[1]!.slice(0, 7)];
      const cache = model.newCache({ batchSize: 2 });
      // Prompts of 6 and 2 tokens, each prefilled into its own slot (rows listed slot 1 first).
      model.forward(intTensor([a.slice(0, 6)]), { cache, slots: [1] });
      model.forward(intTensor([b.slice(0, 2)]), { cache, slots: [0] });
      for (let t = 0; t < 4; t++) {
        const step = intTensor([[a[6 + t]!], [b[2 + t]!]]); // [2, 1]
        const logits = model.forward(step, { cache, slots: [1, 0] }); // [2, 1, V]
        expectClose(rowOf(logits, 0), alone(model, a).subarray((6 + t) * V, (7 + t) * V));
        expectClose(rowOf(logits, 1), alone(model, b).subarray((2 + t) * V, (3 + t) * V));
      }
      expect([cache.length(0), cache.length(1)]).toEqual([6, 10]);
    });
  }

  it("frees a slot for a new sequence while the other sequence goes on", () => {
    const model = createModel(tinyLlama(), new Rng(18));
    const V = model.vocabSize;
    const [a, b] = [ids[0]!, ids[1]!];
    const cache = model.newCache({ batchSize: 2 });
    model.forward(intTensor([a.slice(0, 2), b.slice(0, 2)]), { cache }); // both slots in lock step
    model.forward(intTensor([[a[2]!], [b[2]!]]), { cache });
    cache.reset(1); // b leaves; c joins in its slot with a 4-token prompt
    const c = [5, 5, 31, 2, 9];
    model.forward(intTensor([c.slice(0, 4)]), { cache, slots: [1] });
    const logits = model.forward(intTensor([[a[3]!], [c[4]!]]), { cache }); // [2, 1, V]
    expectClose(rowOf(logits, 0), alone(model, a).subarray(3 * V, 4 * V));
    expectClose(rowOf(logits, 1), alone(model, c).subarray(4 * V, 5 * V));
  });

  it("refuses slots that repeat, do not exist, or do not match the rows", () => {
    const model = createModel(tinyGpt2(), new Rng(19));
    const cache = model.newCache({ batchSize: 2 });
    const two = intTensor([[1], [2]]);
    expect(() => model.forward(two, { cache, slots: [1, 1] })).toThrow(/slots \[1, 1\] repeat a slot/);
    expect(() => model.forward(two, { cache, slots: [0, 2] })).toThrow(
      /slot 2 does not exist \(the cache has 2\)/,
    );
    expect(() => model.forward(two, { cache, slots: [0] })).toThrow(/1 slots given for a batch of 2 rows/);
    expect(() => model.forward(two, { slots: [0, 1] })).toThrow(/slots .* need options.cache/);
  });
});

describe("stepModel", () => {
  it("prefill and step return the full forward's logits at each position", () => {
    const model = createModel(tinyLlama(), new Rng(16));
    const row = ids[0]!;
    const reference = noGrad(() => model.forward(intTensor([row]))).dataSync(); // [1, 10, V]
    const V = model.vocabSize;
    const step = stepModel(model);
    expectClose(step.prefill(row.slice(0, 6)), reference.subarray(5 * V, 6 * V));
    for (let t = 6; t < 10; t++) expectClose(step.step(row[t]!), reference.subarray(t * V, (t + 1) * V));
    expectClose(step.prefill(row.slice(0, 2)), reference.subarray(V, 2 * V)); // prefill starts over
    expectClose(step.step(row[2]!), reference.subarray(2 * V, 3 * V));
  });
});

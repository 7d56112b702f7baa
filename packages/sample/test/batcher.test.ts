// ContinuousBatcher: requests decoded together give what each gives alone (generate() on the
// same model), one forward pass per step covers every running sequence, requests join and leave
// between steps, and a slot keeps its tokens for a later prompt that starts the same way.
import { type CausalLM, createModel, parseConfig, slotModel, stepModel } from "@llmts/model";
import { Rng } from "@llmts/tensor";
import { CharTokenizer } from "@llmts/tokenizer";
import { describe, expect, it } from "vitest";
import {
  type BatchRequest,
  type BatchResult,
  ContinuousBatcher,
  type GenerationConfig,
  generate,
  QueueFullError,
  type SlotModel,
} from "../src/index.ts";
import { deterministicTable, softmax64 } from "./fakes.ts";

const text = "the cat sat on the mat. a dog ran far.\n";
const tokenizer = CharTokenizer.fromText(text);

function tinyModel(): CausalLM {
  const config = parseConfig({
    model_type: "llama",
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    hidden_size: 32,
    intermediate_size: 48,
    vocab_size: tokenizer.vocabSize,
    max_position_embeddings: 64,
  });
  return createModel(config, new Rng(5));
}

/** Steps the batcher until idle and returns every result, in submission order. */
async function runAll(batcher: ContinuousBatcher, requests: BatchRequest[]): Promise<BatchResult[]> {
  const jobs = requests.map((r) => batcher.submit(r));
  while (batcher.busy) batcher.step();
  return Promise.all(jobs.map((j) => j.result));
}

const prompts = ["the cat", "a dog ran", "t", "mat. the", "on the mat. a"];
const settings: GenerationConfig[] = [
  { temperature: 0, max_new_tokens: 12 },
  { temperature: 0, max_new_tokens: 3 },
  { temperature: 0.9, top_k: 5, seed: 7, max_new_tokens: 9 },
  { temperature: 0, max_new_tokens: 20, stop_strings: ["t"] },
  { temperature: 1.2, top_p: 0.8, seed: 3, max_new_tokens: 6 },
];

describe("ContinuousBatcher", () => {
  it("gives each request the tokens and text it gets alone, while others join and leave", async () => {
    const model = tinyModel();
    const alone = prompts.map((p, i) =>
      generate(stepModel(model), tokenizer.encode(p), settings[i], { tokenizer }),
    );
    // Two slots for five requests: three wait, then join as the first ones finish.
    const batcher = new ContinuousBatcher(slotModel(model, { slots: 2 }), { tokenizer });
    const batched = await runAll(
      batcher,
      prompts.map((p, i) => ({ promptIds: tokenizer.encode(p), config: settings[i]! })),
    );
    batched.forEach((b, i) => {
      expect(b.generated_ids).toEqual(alone[i]!.generated_ids);
      expect(b.text).toBe(alone[i]!.text);
      expect(b.finish_reason).toBe(alone[i]!.finish_reason);
    });
  });

  it("streams each token as it is sampled, the last one carrying the finish reason", async () => {
    const model = tinyModel();
    const events: string[] = [];
    const batcher = new ContinuousBatcher(slotModel(model, { slots: 2 }), { tokenizer });
    const [result] = await runAll(batcher, [
      {
        promptIds: tokenizer.encode("the cat"),
        config: { temperature: 0, max_new_tokens: 5 },
        onToken: (e) => events.push(e.finish ? `${e.text}|${e.finish}` : e.text),
      },
    ]);
    expect(events).toHaveLength(5);
    expect(events.at(-1)).toMatch(/\|length$/);
    expect(events.join("").replace("|length", "")).toBe(result!.text);
  });

  it("runs one forward pass per step over every running sequence, each in its own slot", async () => {
    const fake = new CountingSlotModel(8, 3);
    const batcher = new ContinuousBatcher(fake, {});
    const config = (n: number) => ({ temperature: 0, max_new_tokens: n });
    await runAll(batcher, [
      { promptIds: [1], config: config(4) },
      { promptIds: [2, 3], config: config(2) },
      { promptIds: [4], config: config(3) },
    ]);
    // Every request's tokens after its first come from step(); rows shrink as requests leave.
    expect(fake.steps.map((s) => s.slots.length)).toEqual([3, 2, 1]);
    expect(new Set(fake.steps[0]!.slots).size).toBe(3);
  });

  it("lets a waiting request join between steps as soon as a slot is free", async () => {
    const fake = new CountingSlotModel(8, 1);
    const batcher = new ContinuousBatcher(fake, {});
    const results = await runAll(batcher, [
      { promptIds: [1], config: { temperature: 0, max_new_tokens: 3 } },
      { promptIds: [5], config: { temperature: 0, max_new_tokens: 2 } },
    ]);
    expect(results.map((r) => r.generated_ids)).toEqual([
      [2, 3, 4],
      [6, 7],
    ]);
    expect(fake.extends.map((e) => e.slot)).toEqual([0, 0]);
  });

  it("frees the slot of a cancelled request for the next one, keeping what it generated so far", async () => {
    const fake = new CountingSlotModel(16, 1);
    const batcher = new ContinuousBatcher(fake, {});
    const first = batcher.submit({ promptIds: [1], config: { temperature: 0, max_new_tokens: 10 } });
    const second = batcher.submit({ promptIds: [9], config: { temperature: 0, max_new_tokens: 2 } });
    batcher.step();
    batcher.step();
    first.cancel();
    while (batcher.busy) batcher.step();
    const [a, b] = await Promise.all([first.result, second.result]);
    expect(a.finish_reason).toBe("cancelled");
    expect(a.generated_ids).toEqual([2, 3]);
    expect(b.generated_ids).toEqual([10, 11]);
  });

  it("refuses a request beyond the queue's size with QueueFullError", () => {
    const fake = new CountingSlotModel(8, 1);
    const batcher = new ContinuousBatcher(fake, { maxQueue: 1 });
    const config = { temperature: 0, max_new_tokens: 2 };
    batcher.submit({ promptIds: [1], config }); // takes the slot at the next step
    batcher.submit({ promptIds: [2], config }); // waits
    expect(() => batcher.submit({ promptIds: [3], config })).toThrow(QueueFullError);
  });

  it("refuses a request that does not fit the context before queueing it", () => {
    const batcher = new ContinuousBatcher(new CountingSlotModel(8, 1, 4), {});
    expect(() => batcher.submit({ promptIds: [1, 2, 3], config: { max_new_tokens: 2 } })).toThrow(
      /exceeds the model's context length of 4/,
    );
    expect(batcher.busy).toBe(false);
  });

  it("feeds only the tokens after a prefix that a free slot still holds", async () => {
    const fake = new CountingSlotModel(16, 2);
    const batcher = new ContinuousBatcher(fake, {});
    const [first] = await runAll(batcher, [
      { promptIds: [1, 5, 9], config: { temperature: 0, max_new_tokens: 3 } },
    ]);
    // The slot holds the prompt and every generated token but the last (never fed back).
    const history = [...first!.prompt_ids, ...first!.generated_ids, 4];
    const [second] = await runAll(batcher, [
      { promptIds: history, config: { temperature: 0, max_new_tokens: 1 } },
    ]);
    expect(second!.cached_tokens).toBe(5);
    expect(fake.extends.at(-1)!.ids).toEqual([first!.generated_ids.at(-1), 4]);
  });

  it("fails a request whose prompt the model refuses, and only that one", async () => {
    const model = tinyModel();
    const batcher = new ContinuousBatcher(slotModel(model, { slots: 2 }), { tokenizer });
    const bad = batcher.submit({ promptIds: [1, 999], config: { max_new_tokens: 2 } });
    const good = batcher.submit({ promptIds: [1, 2], config: { temperature: 0, max_new_tokens: 2 } });
    while (batcher.busy) batcher.step();
    await expect(bad.result).rejects.toThrow(/token id 999 .* out of range/);
    expect((await good.result).generated_ids).toHaveLength(2);
  });

  it("returns the model's log-probabilities of each token and the most likely alternatives", async () => {
    const model = tinyModel();
    const prompt = tokenizer.encode("the cat");
    const logits = stepModel(model).prefill(prompt).slice();
    const probs = softmax64(logits);
    const batcher = new ContinuousBatcher(slotModel(model, { slots: 1 }), { tokenizer });
    let first: { id: number; logprob: number; top: { id: number; logprob: number }[] } | undefined;
    await runAll(batcher, [
      {
        promptIds: prompt,
        config: { temperature: 0, max_new_tokens: 1 },
        logprobs: 3,
        onToken: (e) => {
          first = e.logprob;
        },
      },
    ]);
    const ranked = probs.map((p, id) => ({ id, p })).sort((a, b) => b.p - a.p);
    expect(first!.id).toBe(ranked[0]!.id);
    expect(first!.top.map((t) => t.id)).toEqual(ranked.slice(0, 3).map((r) => r.id));
    first!.top.forEach((t, k) => {
      expect(t.logprob).toBeCloseTo(Math.log(ranked[k]!.p), 5);
    });
  });
});

/**
 * A bigram SlotModel over V ids: id i is followed by i + 1 (mod V), whatever the slot. Records
 * every extend (slot, ids) and every step (slots, ids).
 */
class CountingSlotModel implements SlotModel {
  readonly extends: { slot: number; ids: number[] }[] = [];
  readonly steps: { slots: number[]; ids: number[] }[] = [];
  private readonly lengths: number[];
  private readonly table: Float32Array;

  constructor(
    readonly vocabSize: number,
    readonly slots: number,
    readonly contextLength = 64,
  ) {
    this.lengths = new Array<number>(slots).fill(0);
    this.table = deterministicTable(vocabSize, (i) => (i + 1) % vocabSize);
  }
  private row(id: number): Float32Array {
    return this.table.subarray(id * this.vocabSize, (id + 1) * this.vocabSize);
  }
  length(slot: number): number {
    return this.lengths[slot]!;
  }
  truncate(slot: number, length: number): void {
    if (length > this.lengths[slot]!) throw new Error("fake: truncate past the end");
    this.lengths[slot] = length;
  }
  extend(slot: number, ids: ArrayLike<number>): Float32Array {
    this.extends.push({ slot, ids: Array.from(ids) });
    this.lengths[slot]! += ids.length;
    return this.row(ids[ids.length - 1]!);
  }
  step(slots: readonly number[], ids: readonly number[]): Float32Array {
    this.steps.push({ slots: [...slots], ids: [...ids] });
    const out = new Float32Array(slots.length * this.vocabSize);
    slots.forEach((s, b) => {
      this.lengths[s]! += 1;
      out.set(this.row(ids[b]!), b * this.vocabSize);
    });
    return out;
  }
}

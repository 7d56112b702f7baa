// The OpenAI routes through the official `openai` npm client, as users point it at a local
// server: completions and chat, whole and streamed, usage counts, stop strings, log-probabilities,
// and errors. Expected text comes from generate() on the same weights (the single-sequence loop
// `llmts generate` runs), never from the server itself.
import { ChatTemplate, chatPromptIds } from "@llmts/chat";
import { type CausalLM, stepModel } from "@llmts/model";
import { type GenerationConfig, generate } from "@llmts/sample";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/index.ts";
import { CHAT_TEMPLATE, served, tinyModel, tokenizer } from "./served.ts";

let model: CausalLM;
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  model = tinyModel();
  server = await startServer(served(model), { port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(() => server.close());

/** What `llmts generate` gives for these ids: the reference for every answer below. */
function expected(ids: number[], config: GenerationConfig) {
  return generate(stepModel(model), ids, config, { tokenizer });
}

describe("POST /v1/completions with the openai client", () => {
  it("lists the served model under GET /v1/models", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["tiny"]);
  });

  it("continues a text prompt greedily as generate() does, with exact usage counts", async () => {
    const r = await client.completions.create({
      model: "tiny",
      prompt: "Call me",
      max_tokens: 12,
      temperature: 0,
    });
    const want = expected(tokenizer.encode("Call me"), { temperature: 0, max_new_tokens: 12 });
    expect(r.choices[0]!.text).toBe(want.text);
    expect(r.choices[0]!.finish_reason).toBe("length");
    expect(r.object).toBe("text_completion");
    expect(r.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 12, total_tokens: 19 });
  });

  it("takes the prompt as token ids", async () => {
    const ids = tokenizer.encode("Ishmael");
    const r = await client.completions.create({ model: "tiny", prompt: ids, max_tokens: 5, temperature: 0 });
    expect(r.choices[0]!.text).toBe(expected(ids, { temperature: 0, max_new_tokens: 5 }).text);
  });

  it("streams the same text in chunks of one id, ending with finish_reason, usage and [DONE]", async () => {
    const stream = await client.completions.create({
      model: "tiny",
      prompt: "Call me",
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    const text = chunks.flatMap((c) => c.choices.map((ch) => ch.text)).join("");
    expect(text).toBe(expected(tokenizer.encode("Call me"), { temperature: 0, max_new_tokens: 12 }).text);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 12 });
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("length");
  });

  it("stops before a stop string, which is not returned, with finish_reason stop", async () => {
    const full = expected(tokenizer.encode("Call me"), { temperature: 0, max_new_tokens: 20 }).text;
    const stop = full.slice(5, 7);
    const r = await client.completions.create({
      model: "tiny",
      prompt: "Call me",
      max_tokens: 20,
      temperature: 0,
      stop: [stop],
    });
    expect(r.choices[0]!.text).toBe(full.slice(0, full.indexOf(stop)));
    expect(r.choices[0]!.finish_reason).toBe("stop");
  });

  it("samples reproducibly with a seed, as generate() does with the same seed", async () => {
    const config = { temperature: 0.9, top_k: 10, seed: 42, max_new_tokens: 10 };
    const r = await client.completions.create({
      model: "tiny",
      prompt: "abc",
      max_tokens: 10,
      temperature: 0.9,
      top_k: 10,
      seed: 42,
    } as OpenAI.CompletionCreateParamsNonStreaming);
    expect(r.choices[0]!.text).toBe(expected(tokenizer.encode("abc"), config).text);
  });

  it("returns log-probabilities of each token and its top alternatives", async () => {
    const r = await client.completions.create({
      model: "tiny",
      prompt: "abc",
      max_tokens: 4,
      temperature: 0,
      logprobs: 2,
    });
    const lp = r.choices[0]!.logprobs!;
    expect(lp.tokens).toHaveLength(4);
    expect(lp.tokens!.join("")).toBe(r.choices[0]!.text);
    // Greedy: each chosen token is the most likely one.
    lp.top_logprobs!.forEach((top, k) => {
      expect(Object.keys(top)).toHaveLength(2);
      expect(Math.max(...Object.values(top))).toBeCloseTo(lp.token_logprobs![k]!, 6);
    });
  });
});

describe("POST /v1/chat/completions with the openai client", () => {
  const messages = [
    { role: "system" as const, content: "Be brief." },
    { role: "user" as const, content: "Who are you?" },
  ];
  const promptIds = () => chatPromptIds(ChatTemplate.plain(), tokenizer, messages);

  it("replies through the default template, stopping at the end of the line", async () => {
    const r = await client.chat.completions.create({
      model: "tiny",
      messages,
      max_tokens: 30,
      temperature: 0,
    });
    const want = expected(promptIds(), { temperature: 0, max_new_tokens: 30, stop_strings: ["\n"] });
    expect(r.choices[0]!.message).toMatchObject({ role: "assistant", content: want.text });
    expect(r.choices[0]!.finish_reason).toBe(want.finish_reason === "length" ? "length" : "stop");
    expect(r.usage!.prompt_tokens).toBe(promptIds().length);
    expect(r.usage!.completion_tokens).toBe(want.generated_ids.length);
  });

  it("streams a reply: a role delta first, then the content, one id, a finish chunk, [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "tiny",
      messages,
      max_tokens: 30,
      temperature: 0,
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const want = expected(promptIds(), { temperature: 0, max_new_tokens: 30, stop_strings: ["\n"] });
    expect(text).toBe(want.text);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).not.toBeNull();
  });

  it("accepts max_completion_tokens and content given as text parts", async () => {
    const r = await client.chat.completions.create({
      model: "tiny",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Who are " },
            { type: "text", text: "you?" },
          ],
        },
      ],
      max_completion_tokens: 3,
      temperature: 0,
      stop: ["never-appears"],
    });
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(3);
  });

  it("returns chat log-probabilities with top_logprobs alternatives per token", async () => {
    const r = await client.chat.completions.create({
      model: "tiny",
      messages,
      max_tokens: 4,
      temperature: 0,
      logprobs: true,
      top_logprobs: 3,
    });
    const content = r.choices[0]!.logprobs!.content!;
    expect(content).toHaveLength(r.usage!.completion_tokens);
    for (const entry of content) {
      expect(entry.top_logprobs).toHaveLength(3);
      expect(entry.top_logprobs[0]!.logprob).toBeCloseTo(entry.logprob, 6);
      expect(entry.bytes).toEqual(Array.from(new TextEncoder().encode(entry.token)));
    }
  });

  it("reuses the KV cache of an earlier turn: the history's tokens are reported as cached", async () => {
    const first = await client.chat.completions.create({
      model: "tiny",
      messages,
      max_tokens: 8,
      temperature: 0,
    });
    const history = [
      ...messages,
      first.choices[0]!.message as { role: "assistant"; content: string },
      { role: "user" as const, content: "And?" },
    ];
    const second = await client.chat.completions.create({
      model: "tiny",
      messages: history,
      max_tokens: 5,
      temperature: 0,
    });
    const cached = second.usage!.prompt_tokens_details!.cached_tokens!;
    expect(cached).toBeGreaterThanOrEqual(promptIds().length);
    expect(second.choices[0]!.message.content).toBe(
      expected(chatPromptIds(ChatTemplate.plain(), tokenizer, history), {
        temperature: 0,
        max_new_tokens: 5,
        stop_strings: ["\n"],
      }).text,
    );
  });
});

describe("a model with its own chat template", () => {
  it("renders the conversation with it and stops at its EOS id", async () => {
    const eos = tokenizer.encode("\n")[0]!;
    const template = ChatTemplate.fromSource(CHAT_TEMPLATE);
    const own = await startServer(served(model, { template, eosIds: [eos], id: "chatty" }), { port: 0 });
    try {
      const c = new OpenAI({ baseURL: `${own.url}/v1`, apiKey: "x", maxRetries: 0 });
      const messages = [{ role: "user" as const, content: "Hi there" }];
      const r = await c.chat.completions.create({
        model: "chatty",
        messages,
        max_tokens: 40,
        temperature: 0,
      });
      const ids = chatPromptIds(template, tokenizer, messages);
      expect(tokenizer.decode(ids)).toBe("<|user|>Hi there\n<|assistant|>");
      const want = generate(
        stepModel(model),
        ids,
        { temperature: 0, max_new_tokens: 40, eos_token_id: [eos] },
        { tokenizer },
      );
      expect(r.choices[0]!.message.content).toBe(want.text);
      expect(r.usage!.completion_tokens).toBe(want.generated_ids.length);
    } finally {
      await own.close();
    }
  });
});

describe("errors as the openai client sees them", () => {
  it("an unknown model is a 404 with code model_not_found", async () => {
    const call = client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi" }],
    });
    await expect(call).rejects.toMatchObject({ status: 404, code: "model_not_found", param: "model" });
  });

  it("n other than 1, echo, best_of and suffix are 400s that say so", async () => {
    const base = { model: "tiny", prompt: "abc", max_tokens: 2 };
    await expect(client.completions.create({ ...base, n: 2 })).rejects.toMatchObject({
      status: 400,
      param: "n",
    });
    await expect(client.completions.create({ ...base, echo: true })).rejects.toMatchObject({
      status: 400,
      param: "echo",
    });
    await expect(client.completions.create({ ...base, best_of: 3 })).rejects.toMatchObject({
      status: 400,
      param: "best_of",
    });
    await expect(client.completions.create({ ...base, suffix: "x" })).rejects.toMatchObject({
      status: 400,
      param: "suffix",
    });
    const chat = client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "hi" }],
      n: 3,
    });
    await expect(chat).rejects.toThrow(/only 1 choice per request/);
  });

  it("a prompt and max_tokens beyond the context window are a 400 context_length_exceeded", async () => {
    const long = "a".repeat(100); // the context is 96
    await expect(client.completions.create({ model: "tiny", prompt: long })).rejects.toMatchObject({
      status: 400,
      code: "context_length_exceeded",
    });
    const tooMany = client.completions.create({ model: "tiny", prompt: "abc", max_tokens: 94 });
    await expect(tooMany).rejects.toThrow(
      /maximum context length is 96 tokens.*97 tokens \(3 in the prompt, 94/,
    );
  });

  it("a penalty the sampler has no equivalent for is refused unless it is 0", async () => {
    const base = { model: "tiny", prompt: "abc", max_tokens: 2 };
    await expect(client.completions.create({ ...base, presence_penalty: 0.5 })).rejects.toThrow(
      /presence_penalty is not supported.*repetition_penalty/,
    );
    const r = await client.completions.create({ ...base, presence_penalty: 0, frequency_penalty: 0 });
    expect(r.usage!.completion_tokens).toBe(2);
  });
});

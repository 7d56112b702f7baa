// Several clients at once: their requests are decoded together (one forward pass per step over
// all of them) and each gets what it gets alone; a full queue answers 429; a client that goes
// away frees its slot; close() lets the running requests finish before the port closes.
import { request } from "node:http";
import { stepModel } from "@llmts/model";
import { generate } from "@llmts/sample";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { startServer } from "../src/index.ts";
import { post } from "./http.ts";
import { served, tinyModel, tokenizer } from "./served.ts";

const prompts = ["Call me", "Ishmael. Some", "years ago", "never mind how long", "precisely"];

describe("continuous batching over HTTP", () => {
  it("gives each of five concurrent greedy requests the tokens it gets alone, in fewer forward passes", async () => {
    const model = tinyModel(128);
    const alone = prompts.map((p, i) =>
      generate(
        stepModel(model),
        tokenizer.encode(p),
        { temperature: 0, max_new_tokens: 10 + 3 * i },
        { tokenizer },
      ),
    );
    const target = served(model, { slots: 3 });
    const server = await startServer(target, { port: 0 });
    try {
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "x", maxRetries: 0 });
      const replies = await Promise.all(
        prompts.map((prompt, i) =>
          client.completions.create({ model: "tiny", prompt, max_tokens: 10 + 3 * i, temperature: 0 }),
        ),
      );
      expect(replies.map((r) => r.choices[0]!.text)).toEqual(alone.map((r) => r.text));
      // Alone, the five would take sum(n - 1) decode passes; batched, the steps are shared.
      const sequential = alone.reduce((sum, r) => sum + r.generated_ids.length - 1, 0);
      expect(target.steps()).toBeLessThan(sequential);
    } finally {
      await server.close();
    }
  });

  it("answers 429 when every slot is busy and the queue is full", async () => {
    const server = await startServer(served(tinyModel(512), { slots: 1 }), { port: 0, maxQueue: 0 });
    try {
      const long = post(server.url, "/v1/completions", {
        model: "tiny",
        prompt: "a",
        max_tokens: 500,
        ignore_eos: true,
      });
      const second = await post(server.url, "/v1/completions", { model: "tiny", prompt: "b", max_tokens: 2 });
      expect(second.status).toBe(429);
      expect(second.json()).toMatchObject({ error: { type: "rate_limit_error", code: "queue_full" } });
      expect((await long).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("stops the generation of a client that disconnects and gives its slot to the next request", async () => {
    const target = served(tinyModel(1024), { slots: 1 });
    const server = await startServer(target, { port: 0 });
    try {
      // A stream that would run for 1000 tokens; the client reads one chunk and hangs up.
      await new Promise<void>((resolve, reject) => {
        const body = JSON.stringify({
          model: "tiny",
          prompt: "a",
          max_tokens: 1000,
          ignore_eos: true,
          stream: true,
        });
        const req = request(`${server.url}/v1/completions`, { method: "POST" }, (res) => {
          res.once("data", () => {
            req.destroy();
            resolve();
          });
        });
        req.on("error", () => {});
        req.on("close", resolve);
        req.end(body);
        setTimeout(() => reject(new Error("no first chunk")), 30_000).unref();
      });
      // The only slot is free again: a new request is served, and the long one stopped early.
      const next = await post(server.url, "/v1/completions", { model: "tiny", prompt: "b", max_tokens: 3 });
      expect(next.status).toBe(200);
      await server.engine.idle();
      expect(target.steps()).toBeLessThan(500);
      expect(server.engine.batcher.load).toEqual({ running: 0, waiting: 0 });
    } finally {
      await server.close();
    }
  });

  it("on close, finishes the requests in flight before the port closes, then refuses connections", async () => {
    const server = await startServer(served(tinyModel(256), { slots: 2 }), { port: 0 });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "x", maxRetries: 0 });
    const stream = await client.completions.create({
      model: "tiny",
      prompt: "a",
      max_tokens: 200,
      ignore_eos: true,
      stream: true,
    } as OpenAI.CompletionCreateParamsStreaming);
    const closing = server.close();
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    await closing;
    expect(finish).toBe("length");
    expect(text.length).toBeGreaterThan(0);
    await expect(post(server.url, "/v1/models", {})).rejects.toThrow(/ECONNREFUSED/);
  });
});

// The Ollama routes over raw HTTP: NDJSON streams (the default), stream: false, the load request,
// and the measurements in the last object — durations in nanoseconds that add up.

import { ChatTemplate, chatPromptIds } from "@llmts/chat";
import { type CausalLM, stepModel } from "@llmts/model";
import { generate } from "@llmts/sample";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/index.ts";
import { post, send } from "./http.ts";
import { served, tinyModel, tokenizer } from "./served.ts";

let model: CausalLM;
let server: RunningServer;

beforeAll(async () => {
  model = tinyModel();
  server = await startServer(served(model), { port: 0 });
});
afterAll(() => server.close());

const lines = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("the Ollama routes", () => {
  it("GET /api/version and /api/tags describe the server and its one model", async () => {
    const version = (await send(server.url, "GET", "/api/version")).json() as { version: string };
    expect(version.version).toMatch(/^\d+\.\d+\.\d+$/);
    const tags = (await send(server.url, "GET", "/api/tags")).json() as { models: Record<string, unknown>[] };
    expect(tags.models).toHaveLength(1);
    expect(tags.models[0]).toMatchObject({
      name: "tiny:latest",
      size: 80_000,
      details: { format: "safetensors", family: "llama", parameter_size: "20.0K" },
    });
  });

  it("POST /api/generate streams NDJSON pieces that add up to generate()'s text, then the stats", async () => {
    const r = await post(server.url, "/api/generate", {
      model: "tiny",
      prompt: "Call me",
      options: { temperature: 0, num_predict: 10 },
    });
    expect(r.headers["content-type"]).toBe("application/x-ndjson");
    const objects = lines(r.text);
    const last = objects.at(-1)!;
    const want = generate(
      stepModel(model),
      tokenizer.encode("Call me"),
      { temperature: 0, max_new_tokens: 10 },
      { tokenizer },
    );
    expect(objects.slice(0, -1).every((o) => o.done === false)).toBe(true);
    expect(objects.map((o) => o.response).join("")).toBe(want.text);
    expect(last).toMatchObject({ done: true, done_reason: "length", eval_count: 10, prompt_eval_count: 7 });
    expect(last.context).toEqual([...want.prompt_ids, ...want.generated_ids]);
  });

  it("reports real durations in nanoseconds: prefill and decode within the total, the cold start as load", async () => {
    const r = await post(server.url, "/api/generate", {
      model: "tiny:latest",
      prompt: "Ishmael",
      stream: false,
      options: { temperature: 0, num_predict: 8 },
    });
    const o = r.json() as Record<string, number>;
    for (const key of ["total_duration", "prompt_eval_duration", "eval_duration", "load_duration"]) {
      expect(Number.isInteger(o[key])).toBe(true);
      expect(o[key]).toBeGreaterThan(0);
    }
    expect(o.load_duration).toBe(12_500_000); // the ServedModel's loadDurationMs, in ns
    expect(o.total_duration).toBeGreaterThanOrEqual(o.prompt_eval_duration! + o.eval_duration!);
    expect(o.eval_count).toBe(8);
  });

  it("POST /api/chat replies through the chat template, streamed as message pieces", async () => {
    const messages = [{ role: "user", content: "Who are you?" }];
    const r = await post(server.url, "/api/chat", {
      model: "tiny",
      messages,
      options: { temperature: 0, num_predict: 20 },
    });
    const objects = lines(r.text);
    const text = objects.map((o) => (o.message as { content: string }).content).join("");
    const ids = chatPromptIds(ChatTemplate.plain(), tokenizer, messages);
    const want = generate(
      stepModel(model),
      ids,
      { temperature: 0, max_new_tokens: 20, stop_strings: ["\n"] },
      { tokenizer },
    );
    expect(text).toBe(want.text);
    expect(objects.at(-1)).toMatchObject({ done: true, eval_count: want.generated_ids.length });
  });

  it("answers a request without a prompt as a load, with done_reason load", async () => {
    const r = await post(server.url, "/api/generate", { model: "tiny" });
    expect(r.json()).toMatchObject({ done: true, done_reason: "load", response: "" });
  });

  it("refuses an unknown model, JSON mode and images with a 4xx error body", async () => {
    const unknown = await post(server.url, "/api/chat", {
      model: "llama3",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: "model_not_found" } });
    const json = await post(server.url, "/api/generate", { model: "tiny", prompt: "x", format: "json" });
    expect(json.status).toBe(400);
    expect(json.json()).toMatchObject({ error: { param: "format" } });
    const bad = await post(server.url, "/api/generate", {
      model: "tiny",
      prompt: "x",
      options: { num_predict: "ten" },
    });
    expect(bad.json()).toMatchObject({
      error: { param: "options.num_predict", message: 'options.num_predict must be a number, got "ten"' },
    });
  });
});

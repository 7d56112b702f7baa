// Hostile and broken requests over raw HTTP: each gets a 4xx with an OpenAI-style error body
// naming the problem, and the server goes on serving. Also the API key and the localhost default.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/index.ts";
import { post, send } from "./http.ts";
import { served, tinyModel } from "./served.ts";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer(served(tinyModel()), { port: 0, maxBodyBytes: 64 * 1024 });
});
afterAll(() => server.close());

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const chat = (extra: Record<string, unknown>) => ({
  model: "tiny",
  messages: [{ role: "user", content: "hi" }],
  max_tokens: 2,
  ...extra,
});

describe("bad requests get a 4xx and an error body, never a crash", () => {
  it("malformed JSON is a 400 invalid_json", async () => {
    const r = await send(server.url, "POST", "/v1/chat/completions", '{"model": "tiny", "messages": [', {
      "Content-Type": "application/json",
    });
    expect(r.status).toBe(400);
    expect((r.json() as ErrorBody).error).toMatchObject({
      type: "invalid_request_error",
      code: "invalid_json",
    });
    expect((r.json() as ErrorBody).error.message).toMatch(/^the body is not valid JSON/);
  });

  it("a body that is JSON but not an object, or not UTF-8, is a 400", async () => {
    for (const body of ["[1, 2]", '"hi"', "null", Buffer.from([0x7b, 0xff, 0x7d])]) {
      const r = await send(server.url, "POST", "/v1/completions", body);
      expect(r.status).toBe(400);
      expect((r.json() as ErrorBody).error.code).toBe("invalid_json");
    }
  });

  it("each wrong type is a 400 naming the field and what was sent", async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ temperature: "hot" }, "temperature", /temperature must be a number, got "hot"/],
      [{ temperature: -1 }, "temperature", /temperature must be at least 0, got -1/],
      [{ top_p: 2 }, "top_p", /top_p must be at most 1/],
      [{ max_tokens: 1.5 }, "max_tokens", /max_tokens must be a whole number/],
      [{ stream: "yes" }, "stream", /stream must be true or false/],
      [{ stop: [""] }, "stop", /stop must be a non-empty string/],
      [{ stream_options: 3 }, "stream_options", /stream_options must be an object/],
      [{ messages: [] }, "messages", /messages must be a non-empty list/],
      [{ messages: [{ role: "wizard", content: "x" }] }, "messages[0].role", /messages\[0\]\.role must be/],
      [
        { messages: [{ role: "user", content: 7 }] },
        "messages[0].content",
        /must be a string or a list of text parts/,
      ],
      [{ model: 42 }, "model", /model must be a string, got 42/],
      [{ top_logprobs: 2 }, "top_logprobs", /top_logprobs needs logprobs: true/],
    ];
    for (const [extra, param, message] of cases) {
      const r = await post(server.url, "/v1/chat/completions", chat(extra));
      expect(r.status, JSON.stringify(extra)).toBe(400);
      const { error } = r.json() as ErrorBody;
      expect(error.param).toBe(param);
      expect(error.message).toMatch(message);
    }
  });

  it("deeply nested JSON and too many stop strings are 400s, not a stack overflow or a slow step", async () => {
    const deep = `{"model": "tiny", "messages": ${"[".repeat(30_000)}${"]".repeat(30_000)}}`;
    const nested = await send(server.url, "POST", "/v1/chat/completions", deep);
    expect(nested.status).toBe(400);
    expect((nested.json() as ErrorBody).error.message).toMatch(
      /messages\[0\] must be an object .*deeply nested list/,
    );
    const stops = await post(
      server.url,
      "/v1/chat/completions",
      chat({ stop: Array.from({ length: 17 }, (_, i) => `s${i}`) }),
    );
    expect(stops.status).toBe(400);
    expect((stops.json() as ErrorBody).error.message).toBe("stop: at most 16 stop strings, got 17");
  });

  it("token ids outside the vocabulary and characters the tokenizer lacks are 400s on prompt", async () => {
    const ids = await post(server.url, "/v1/completions", {
      model: "tiny",
      prompt: [1, 99999],
      max_tokens: 2,
    });
    expect(ids.status).toBe(400);
    expect((ids.json() as ErrorBody).error.message).toMatch(/token id 99999 is outside the vocabulary/);
    const text = await post(server.url, "/v1/completions", {
      model: "tiny",
      prompt: "snow ☃",
      max_tokens: 2,
    });
    expect(text.status).toBe(400);
    expect((text.json() as ErrorBody).error.param).toBe("prompt");
  });

  it("a body over the size limit is a 413, whether its length is declared or not", async () => {
    const big = JSON.stringify({ model: "tiny", prompt: "a".repeat(100_000) });
    const declared = await send(server.url, "POST", "/v1/completions", big);
    expect(declared.status).toBe(413);
    expect((declared.json() as ErrorBody).error.code).toBe("request_too_large");
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/v1/completions`, { method: "POST" }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      for (let i = 0; i < 10; i++) req.write("a".repeat(10_000)); // no Content-Length: chunked
      req.end();
    });
    expect(chunked).toBe(413);
  });

  it("an unknown route is a 404 and a wrong method a 405 naming the right one", async () => {
    const missing = await send(server.url, "GET", "/v1/engines");
    expect(missing.status).toBe(404);
    expect((missing.json() as ErrorBody).error.type).toBe("not_found_error");
    const wrong = await send(server.url, "GET", "/v1/chat/completions");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
  });

  it("still answers after all of the above", async () => {
    const r = await send(server.url, "GET", "/v1/models");
    expect(r.status).toBe(200);
  });
});

describe("access", () => {
  it("listens on 127.0.0.1 unless told otherwise", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("with an API key, a request without the bearer token is a 401 and one with it is served", async () => {
    const locked = await startServer(served(tinyModel()), { port: 0, apiKey: "s3cret" });
    try {
      const none = await send(locked.url, "GET", "/v1/models");
      expect(none.status).toBe(401);
      expect((none.json() as ErrorBody).error.code).toBe("invalid_api_key");
      const wrong = await send(locked.url, "GET", "/v1/models", undefined, { Authorization: "Bearer nope" });
      expect(wrong.status).toBe(401);
      const right = await send(locked.url, "GET", "/api/tags", undefined, { Authorization: "Bearer s3cret" });
      expect(right.status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});

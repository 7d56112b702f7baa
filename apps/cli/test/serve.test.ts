// `llmts serve` run as a user runs it: the real bin on a model directory, real HTTP. The answers
// are checked against `llmts generate --temperature 0` on the same model (the same kernels: the
// default auto backend), alone and with four requests decoded together.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createModel, parseConfig } from "@llmts/model";
import { saveModel } from "@llmts/model/node";
import { Rng } from "@llmts/tensor";
import { CharTokenizer } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-serve-"));
const modelDir = join(dir, "tiny");
const noTokenizer = join(dir, "ids-only");
const tokenizer = CharTokenizer.fromText("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.,:;!?'\n");

interface Serve {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts `llmts serve --port 0 ...` and resolves once it prints its address. */
function serve(args: string[], env: Record<string, string> = {}): Promise<Serve> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "serve", "--port", "0", ...args], {
      env: { ...process.env, ...env },
    });
    let stderr = "";
    const exit = new Promise<number | null>((done) => child.on("close", done));
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
      const match = /listening on (http:\/\/[^\s:]+:\d+)/.exec(stderr);
      if (match) resolve({ child, url: match[1]!, stderr: () => stderr, exit });
    });
    void exit.then((code) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
}

/** `llmts generate --temperature 0 --json` on the same model: the reference answer. */
function generate(prompt: string, maxNewTokens: number): Promise<{ generated_ids: number[]; text: string }> {
  return new Promise((resolve, reject) => {
    const args = ["generate", "--model", modelDir, "--prompt", prompt, "--temperature", "0"];
    const child = spawn(process.execPath, [bin, ...args, "--max-new-tokens", String(maxNewTokens), "--json"]);
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.on("error", reject);
    child.on("close", () => resolve(JSON.parse(stdout.trim().split("\n").at(-1)!)));
  });
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(url, { method: "POST", body: JSON.stringify(body), headers });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

beforeAll(() => {
  // Wide enough (64) that the default backend runs the wasm kernels: matrix-vector for one
  // sequence, matrix-matrix for a batch.
  const config = parseConfig({
    model_type: "gpt2",
    n_layer: 2,
    n_head: 2,
    n_embd: 64,
    vocab_size: tokenizer.vocabSize,
    n_positions: 256,
  });
  saveModel(modelDir, createModel(config, new Rng(7)));
  saveTokenizer(tokenizer, modelDir);
  mkdirSync(noTokenizer);
  saveModel(noTokenizer, createModel(config, new Rng(8)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("llmts serve", () => {
  it("answers at temperature 0 exactly as llmts generate does, alone and with four requests batched", async () => {
    const prompts = [
      "Call me Ishmael.",
      "Some years ago",
      "never mind how long",
      "having little or no money",
    ];
    const lengths = [30, 12, 21, 40];
    const [server, ...references] = await Promise.all([
      serve(["--model", modelDir, "--max-batch", "4"]),
      ...prompts.map((p, i) => generate(p, lengths[i]!)),
    ]);
    try {
      // Alone: the Ollama route returns the ids (context = prompt + generated).
      const alone = await postJson(`${server.url}/api/generate`, {
        model: "tiny",
        prompt: prompts[0],
        stream: false,
        options: { temperature: 0, num_predict: lengths[0] },
      });
      const ids = alone.body.context as number[];
      expect(ids.slice(ids.length - lengths[0]!)).toEqual(references[0]!.generated_ids);
      expect(alone.body.response).toBe(references[0]!.text);
      // Together: four requests at once share the forward passes.
      const together = await Promise.all(
        prompts.map((prompt, i) =>
          postJson(`${server.url}/v1/completions`, {
            model: "tiny",
            prompt,
            max_tokens: lengths[i],
            temperature: 0,
            logprobs: 0,
          }),
        ),
      );
      together.forEach((r, i) => {
        const choice = (r.body.choices as { text: string; logprobs: { tokens: string[] } }[])[0]!;
        expect(choice.text).toBe(references[i]!.text);
        expect(choice.logprobs.tokens).toEqual(
          references[i]!.generated_ids.map((id) => tokenizer.decode([id])),
        );
      });
      expect(server.stderr()).toMatch(/serve: loaded .* in \d+ ms/);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:/); // localhost unless told otherwise
    } finally {
      server.child.kill("SIGTERM");
      await server.exit;
    }
  });

  it("on SIGTERM lets a streaming request finish, then exits 0", async () => {
    const server = await serve(["--model", modelDir]);
    const response = await fetch(`${server.url}/v1/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "tiny", prompt: "a", max_tokens: 200, ignore_eos: true, stream: true }),
    });
    const reader = response.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    server.child.kill("SIGTERM");
    for (let r = await reader.read(); !r.done; r = await reader.read())
      text += new TextDecoder().decode(r.value);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(text).toMatch(/"finish_reason":"length"/);
    expect(await server.exit).toBe(0);
    expect(server.stderr()).toMatch(/SIGTERM: finishing 1 request\(s\), then exiting/);
    expect(server.stderr()).toMatch(/serve: stopped/);
  });

  it("with LLMTS_API_KEY set, refuses requests without the bearer token", async () => {
    const server = await serve(["--model", modelDir], { LLMTS_API_KEY: "k3y" });
    try {
      expect((await fetch(`${server.url}/v1/models`)).status).toBe(401);
      const ok = await fetch(`${server.url}/v1/models`, { headers: { Authorization: "Bearer k3y" } });
      expect(ok.status).toBe(200);
    } finally {
      server.child.kill("SIGINT");
      expect(await server.exit).toBe(0);
    }
  });

  it("refuses a model without a tokenizer and bad flags in one line, before listening", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [bin, "serve", ...args], { encoding: "utf8" });
    const noTok = run("--model", noTokenizer);
    expect(noTok.status).toBe(1);
    expect(noTok.stderr).toMatch(/^llmts: --model: .*ids-only has no tokenizer .*serving text needs one\n$/);
    expect(run("--model", modelDir, "--max-batch", "0").stderr).toBe(
      "llmts: --max-batch: must be at least 1, got 0\n",
    );
    expect(run("--model", modelDir, "--port", "http").stderr).toBe(
      'llmts: --port: expected a number, got "http"\n',
    );
  });
});

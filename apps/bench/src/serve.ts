// Benchmark: `llmts serve` under load — is batched inference faster? Aggregate and per-client
// tokens/s and time to first token with 1, 2, 4 and 8 clients streaming at once.
//
//   model   = the stories15M shape (`llmts init --preset stories15M`: random weights, real
//             shapes), with a char vocabulary of 32000 symbols so the server can decode text
//   server  = the real command, `llmts serve --max-batch 8 --port 0` (auto backend, all cores),
//             in a child process; this process only runs the HTTP clients
//   request = POST /v1/completions, stream: true, a prompt of 8 random ids, 128 tokens
//             (ignore_eos, so every request is the same length), temperature 0
//   per round of C clients, all started at once:
//     aggregate tok/s   = all generated tokens / (last stream's end - first request's start)
//     per-client tok/s  = a client's tokens after its first / (its end - its first token), mean
//     first token       = request start -> first streamed text, mean and worst over the clients
// One warm-up request runs first. Not a test: nothing asserts a speed; the goal (aggregate at 8
// clients >= 3x one client) is stated in the section's text with what was measured.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createModel, PRESETS, parseConfig } from "@llmts/model";
import { saveModel } from "@llmts/model/node";
import { Rng } from "@llmts/tensor";
import { CharTokenizer } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import type { BenchSection } from "./report.ts";

const CLIENTS = [1, 2, 4, 8];
const PROMPT = 8;
const TOKENS = 128;
const bin = fileURLToPath(new URL("../../cli/bin/llmts.mjs", import.meta.url));

interface ClientRun {
  start: number;
  first: number;
  end: number;
  tokens: number;
}

/** One streamed completion, timed on this side of the socket. */
async function client(url: string, prompt: number[]): Promise<ClientRun> {
  const start = performance.now();
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    body: JSON.stringify({
      model: "stories15M",
      prompt,
      max_tokens: TOKENS,
      temperature: 0,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  if (!response.ok || !response.body) throw new Error(`bench: ${response.status} ${await response.text()}`);
  let first = 0;
  let tokens = 0;
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let at = buffer.indexOf("\n\n");
    while (at >= 0) {
      const event = buffer.slice(0, at).replace(/^data: /, "");
      buffer = buffer.slice(at + 2);
      at = buffer.indexOf("\n\n");
      if (event === "[DONE]") continue;
      const chunk = JSON.parse(event) as {
        choices: { text: string }[];
        usage?: { completion_tokens: number };
      };
      if (first === 0 && chunk.choices[0]?.text) first = performance.now();
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
    }
  }
  return { start, first, end: performance.now(), tokens };
}

function startServer(dir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "serve", "--model", dir, "--port", "0", "--max-batch", "8"]);
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
      const match = /listening on (http:\/\/[^\s:]+:\d+)/.exec(stderr);
      if (match) resolve({ child, url: match[1]! });
    });
    child.on("close", (code) => reject(new Error(`bench: llmts serve exited (${code}): ${stderr}`)));
  });
}

interface Row {
  clients: number;
  aggregate: number;
  perClient: number;
  firstMean: number;
  firstWorst: number;
  tokens: number;
}

export async function run(): Promise<BenchSection> {
  const dir = join(mkdtempSync(join(tmpdir(), "llmts-bench-serve-")), "stories15M");
  const config = parseConfig(PRESETS.stories15M!.config);
  saveModel(dir, createModel(config, new Rng(1337)));
  // 32000 distinct characters from U+4E00 on: a vocabulary the size of the model's.
  saveTokenizer(
    new CharTokenizer(Array.from({ length: config.vocabSize }, (_, i) => String.fromCodePoint(0x4e00 + i))),
    dir,
  );
  const server = await startServer(dir);
  const rng = new Rng(42);
  const prompt = () => Array.from({ length: PROMPT }, () => rng.nextInt(config.vocabSize));
  const rows: Row[] = [];
  try {
    await client(server.url, prompt()); // warm-up
    for (const C of CLIENTS) {
      const runs = await Promise.all(Array.from({ length: C }, () => client(server.url, prompt())));
      const tokens = runs.reduce((sum, r) => sum + r.tokens, 0);
      const wall = Math.max(...runs.map((r) => r.end)) - Math.min(...runs.map((r) => r.start));
      const firsts = runs.map((r) => r.first - r.start);
      rows.push({
        clients: C,
        tokens,
        aggregate: (tokens * 1000) / wall,
        perClient: runs.reduce((sum, r) => sum + ((r.tokens - 1) * 1000) / (r.end - r.first), 0) / C,
        firstMean: firsts.reduce((a, b) => a + b, 0) / C,
        firstWorst: Math.max(...firsts),
      });
    }
  } finally {
    server.child.kill("SIGTERM");
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
  const one = rows[0]!.aggregate;
  const table = rows.map(
    (r) =>
      `| ${r.clients} | ${r.tokens} | **${r.aggregate.toFixed(1)}** | ${(r.aggregate / one).toFixed(2)}x | ${r.perClient.toFixed(1)} | ${r.firstMean.toFixed(1)} ms | ${r.firstWorst.toFixed(1)} ms |`,
  );
  const at8 = rows.at(-1)!.aggregate / one;
  const markdown = [
    `\`llmts serve --max-batch 8\` (auto backend, all cores) on the stories15M shape (random weights, \`llmts init --preset stories15M\`, with a 32000-symbol char vocabulary), in its own process. C clients stream \`POST /v1/completions\` at once: ${PROMPT} random prompt ids, ${TOKENS} tokens each (ignore_eos), temperature 0. Aggregate = all tokens / wall time of the round; per client = a client's tokens after its first / its time from first to last token (mean); first token = request sent -> first text received.`,
    "",
    "| clients | tokens | aggregate tok/s | vs 1 client | per-client tok/s | first token (mean) | first token (worst) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...table,
    "",
    `Goal: aggregate throughput at 8 clients >= 3x one client's. Measured: ${at8.toFixed(2)}x (${at8 >= 3 ? "met" : "not met"}).`,
  ].join("\n");
  return {
    title: "Serving: continuous batching under concurrent clients",
    command: "pnpm bench --only serve",
    markdown,
  };
}

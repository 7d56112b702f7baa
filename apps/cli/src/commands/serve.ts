// `llmts serve --model DIR [--host 127.0.0.1] [--port 8080] [--api-key KEY] [--max-batch N]
// [--max-queue N]`: load a checkpoint once and serve it over HTTP with the OpenAI routes
// (/v1/models, /v1/completions, /v1/chat/completions) and the Ollama routes (/api/version,
// /api/tags, /api/generate, /api/chat), decoding concurrent requests together (continuous
// batching, up to --max-batch sequences per forward pass).
//
//   loadServedModel (serving-model.ts: weights, tokenizer, chat template, cold start measured)
//     -> startServer (@llmts/server: routes, batching)  -> Ctrl-C / SIGTERM: drain, exit 0
//
// stderr: the cold start, the address, one line per request. A second Ctrl-C stops at once.
// The API key can also come from LLMTS_API_KEY (a flag is visible to other users in `ps`).
// Not here: the HTTP server and the batching (@llmts/server, @llmts/sample's batcher.ts).
// See docs/serving.md.

import { startServer } from "@llmts/server";
import type { Command } from "commander";
import {
  addBackendFlags,
  applyBackendFlags,
  type BackendFlags,
  inferenceAllocate,
} from "../backend-flags.ts";
import { CliError, parseNumberFlag } from "../errors.ts";
import { loadServedModel } from "../serving-model.ts";

interface ServeFlags extends BackendFlags {
  model: string;
  host: string;
  port: string;
  apiKey?: string;
  maxBatch: string;
  maxQueue: string;
}

export function registerServe(program: Command): void {
  const command = program
    .command("serve")
    .description("serve a model over HTTP: OpenAI- and Ollama-compatible routes, concurrent requests batched")
    .requiredOption("--model <dir>", "model directory (config.json + model.safetensors + tokenizer files)")
    .option(
      "--host <address>",
      "interface to listen on; 0.0.0.0 exposes the server to the network",
      "127.0.0.1",
    )
    .option("--port <n>", "TCP port; 0 picks a free one (the address is printed)", "8080")
    .option("--api-key <key>", "require `Authorization: Bearer KEY` on every request (or set LLMTS_API_KEY)")
    .option(
      "--max-batch <n>",
      "sequences decoded together in one forward pass at most (one KV-cache slot each)",
      "4",
    )
    .option("--max-queue <n>", "requests waiting for a slot at most; more get 429 Too Many Requests", "64");
  command.addHelpText(
    "after",
    `
Routes: GET /v1/models, POST /v1/completions, POST /v1/chat/completions (OpenAI; stream: true for
server-sent events), GET /api/version, GET /api/tags, POST /api/generate, POST /api/chat (Ollama;
NDJSON streams). Errors are {"error": {...}} with a 4xx status. Ctrl-C or SIGTERM lets the running
requests finish, then exits. See docs/serving.md.

Example:
  llmts serve --model out/moby-dick --port 8080
  curl http://127.0.0.1:8080/v1/completions -d '{"model": "moby-dick", "prompt": "Call me", "max_tokens": 20}'`,
  );
  addBackendFlags(command).action((o: ServeFlags) => runServe(o));
}

async function runServe(o: ServeFlags): Promise<void> {
  const port = parseNumberFlag("--port", o.port, { integer: true, min: 0, max: 65535 });
  const maxBatch = parseNumberFlag("--max-batch", o.maxBatch, { integer: true, min: 1, max: 256 });
  const maxQueue = parseNumberFlag("--max-queue", o.maxQueue, { integer: true, min: 0 });
  const apiKey = o.apiKey ?? process.env.LLMTS_API_KEY;
  if (apiKey !== undefined && apiKey.trim() === "") throw new CliError("--api-key: the key is empty");
  applyBackendFlags(o);

  const model = loadServedModel(o.model, maxBatch, inferenceAllocate(o));
  const log = (line: string) => process.stderr.write(`serve: ${line}\n`);
  const template = model.template.isDefault ? "the plain default (one line per turn)" : "the model's own";
  log(
    `loaded ${o.model} (${model.details.family}, ${model.details.parameterCount.toLocaleString("en-US")} parameters, ` +
      `context ${model.slots.contextLength}, chat template: ${template}) in ${model.loadDurationMs.toFixed(0)} ms`,
  );
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(model, { host: o.host, port, apiKey, maxBatch, maxQueue, log });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new CliError(`--port ${port}: the address is in use (choose another --port)`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EACCES") {
      throw new CliError(`--host ${o.host} --port ${port}: cannot listen there (${code})`);
    }
    throw error;
  }
  const exposed =
    o.host === "127.0.0.1" || o.host === "localhost" || o.host === "::1"
      ? ""
      : " (reachable from other machines)";
  log(
    `listening on ${server.url}${exposed}: OpenAI API at ${server.url}/v1, Ollama API at ${server.url}/api; ` +
      `batches of up to ${maxBatch}, queue up to ${maxQueue}${apiKey ? ", API key required" : ""}; Ctrl-C stops`,
  );

  // First signal: drain and exit 0. Second: stop at once.
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      const { running, waiting } = server.engine.batcher.load;
      log(`${signal}: finishing ${running + waiting} request(s), then exiting (${signal} again to stop now)`);
      process.once(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
      void server.close().then(resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  log("stopped");
}

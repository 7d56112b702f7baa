// `llmts serve`'s HTTP server (node:http): routing, the API key, errors as JSON, and shutting
// down without dropping a request.
//
//   request -> draining? 503 -> API key? 401 -> route? 404 / 405 -> handler (openai-routes.ts,
//              ollama-routes.ts) -> any error: its status and {"error": {...}} (api-error.ts)
//
// Why node:http and not a framework: seven routes, and the parts that matter here — a body read
// with a hard size limit, server-sent events flushed token by token, noticing a client that went
// away, draining on shutdown — are each a few lines on node:http's own objects, with nothing in
// between to configure or to get in the way. No dependency to keep up to date.
// Safe defaults: binds to 127.0.0.1 (localhost only) unless given another host; with an API
// key, every route needs `Authorization: Bearer KEY`; bodies over 2 MiB are refused (413).
// close() drains: no new requests (503 on open connections, the port is closed), the running and
// queued ones finish, then it resolves.
// Not here: loading the model (the caller passes a ServedModel), what the routes do.
// Reference: Node.js `http` docs; llama.cpp's tools/server and Ollama (the routes' behaviour).

import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError } from "./api-error.ts";
import { readJsonBody } from "./body.ts";
import { Engine } from "./engine.ts";
import * as ollama from "./ollama-routes.ts";
import * as openai from "./openai-routes.ts";
import type { Handler } from "./route.ts";
import type { ServedModel } from "./served-model.ts";
import { sendJson } from "./streams.ts";

export interface ServerOptions {
  /** Interface to listen on. Default 127.0.0.1: reachable from this machine only. */
  host?: string;
  /** Default 8080; 0 picks a free port (see RunningServer.url). */
  port?: number;
  /** When set, every request needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Sequences decoded together at most (default: the model's slots). */
  maxBatch?: number;
  /** Requests waiting for a slot at most; beyond it, 429 (default 64). */
  maxQueue?: number;
  /** Largest request body accepted, in bytes (default 2 MiB). */
  maxBodyBytes?: number;
  /** One line per request ("POST /v1/chat/completions 200 41 ms"); default: none. */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** "http://127.0.0.1:8080" */
  url: string;
  engine: Engine;
  /** Stops taking requests, lets the running and queued ones finish, closes the port. */
  close(): Promise<void>;
}

const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export async function startServer(model: ServedModel, options: ServerOptions = {}): Promise<RunningServer> {
  const engine = new Engine(model, { maxBatch: options.maxBatch, maxQueue: options.maxQueue });
  const maxBody = options.maxBodyBytes ?? 2 * 1024 * 1024;
  const routes: Record<string, Record<string, Handler>> = {
    "/": {
      GET: async ({ res }) => {
        res.end("llmts is running");
      },
    },
    "/v1/models": { GET: openai.listModels },
    "/v1/completions": { POST: openai.completions },
    "/v1/chat/completions": { POST: openai.chatCompletions },
    "/api/version": { GET: ollama.version(VERSION) },
    "/api/tags": { GET: ollama.tags },
    "/api/generate": { POST: ollama.generate },
    "/api/chat": { POST: ollama.chat },
  };
  let draining = false;
  const inFlight = new Set<Promise<void>>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = process.hrtime.bigint();
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/(.)\/$/, "$1");
    try {
      if (draining) {
        res.setHeader("Connection", "close");
        throw new ApiError(503, "the server is shutting down", { code: "shutting_down" });
      }
      if (options.apiKey !== undefined && !authorized(req, options.apiKey)) {
        res.setHeader("WWW-Authenticate", "Bearer");
        throw new ApiError(401, "Incorrect or missing API key: send Authorization: Bearer <key>", {
          type: "authentication_error",
          code: "invalid_api_key",
        });
      }
      const methods = routes[path] ?? (path === `/v1/models/${model.id}` ? { GET: modelRoute } : undefined);
      if (methods === undefined) {
        throw new ApiError(404, `no route ${req.method} ${path}`, {
          type: "not_found_error",
          code: "not_found",
        });
      }
      const handler = methods[req.method ?? ""];
      if (handler === undefined) {
        res.setHeader("Allow", Object.keys(methods).join(", "));
        throw new ApiError(405, `${path} takes ${Object.keys(methods).join(" or ")}, not ${req.method}`);
      }
      const body = () => readJsonBody(req, maxBody);
      await handler({ model, engine, req, res, body, arrived });
    } catch (error) {
      const e = error instanceof ApiError ? error : internal(error);
      if (e.status === 413) res.setHeader("Connection", "close"); // the rest of the body is not read
      if (!res.headersSent) sendJson(res, e.status, e.body());
      else res.end();
    } finally {
      const ms = Number(process.hrtime.bigint() - arrived) / 1e6;
      options.log?.(`${req.method} ${path} ${res.statusCode} ${ms.toFixed(0)} ms`);
    }
  }

  const modelRoute: Handler = async ({ res }) =>
    sendJson(res, 200, openai.modelObject(model.id, model.created));

  const server = createServer((req, res) => {
    const done = handle(req, res);
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    engine,
    async close() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      while (inFlight.size > 0) await Promise.all(inFlight);
      await engine.idle();
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Bearer token check in constant time (hashes compared, so the lengths never leak either). */
function authorized(req: IncomingMessage, apiKey: string): boolean {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(match[1]!.trim()), digest(apiKey));
}

/** A bug or an unexpected failure: logged with its stack, answered with a 500 that names it. */
function internal(error: unknown): ApiError {
  console.error("llmts serve: internal error:", error);
  return new ApiError(500, `internal error: ${(error as Error)?.message ?? String(error)}`);
}

// Writing responses: one JSON body, or a stream of events as the clients parse them.
//
//   SSE (OpenAI, stream: true)    Content-Type: text/event-stream
//                                 data: {json}\n\n  ...  data: [DONE]\n\n
//   NDJSON (Ollama, the default)  Content-Type: application/x-ndjson
//                                 {json}\n  ...  {"done": true, ...}\n
//
// A stream knows when its client went away (the socket closed before the response ended), so
// the route can cancel the generation and free its slot.
// Not here: what the events say (openai-format.ts, ollama-routes.ts).
// Reference: the HTML Living Standard, "Server-sent events"; the openai clients' SSE decoder.

import type { ServerResponse } from "node:http";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export interface EventStream {
  send(event: unknown): void;
  /** Ends the response (SSE: after `data: [DONE]`). */
  end(): void;
}

export function openSse(res: ServerResponse): EventStream {
  res.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
  });
  res.flushHeaders();
  return {
    send: (event) => {
      if (!res.writableEnded) res.write(`data: ${JSON.stringify(event)}\n\n`);
    },
    end: () => {
      if (!res.writableEnded) res.end("data: [DONE]\n\n");
    },
  };
}

export function openNdjson(res: ServerResponse): EventStream {
  res.writeHead(200, { "Content-Type": "application/x-ndjson", "Cache-Control": "no-cache" });
  res.flushHeaders();
  return {
    send: (event) => {
      if (!res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
    },
    end: () => {
      if (!res.writableEnded) res.end();
    },
  };
}

/** Calls `onGone` if the client disconnects before the response has been sent in full. */
export function onClientGone(res: ServerResponse, onGone: () => void): void {
  res.on("close", () => {
    if (!res.writableFinished) onGone();
  });
}

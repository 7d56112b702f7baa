// The request body: read with a size limit, parsed as one JSON object. Every way it can be wrong
// is a 4xx naming the problem, before any field is looked at:
//
//   Content-Length over the limit, or more bytes than it -> 413 (read no further)
//   not UTF-8 JSON                                       -> 400 "the body is not valid JSON: ..."
//   JSON, but not an object ([1, 2], "hi", null)         -> 400 "the body must be a JSON object"
//
// The Content-Type is not checked: `curl -d` sends application/x-www-form-urlencoded.
// Not here: the fields (fields.ts).

import type { IncomingMessage } from "node:http";
import { ApiError } from "./api-error.ts";

export type JsonObject = Record<string, unknown>;

export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<JsonObject> {
  const tooLarge = () =>
    new ApiError(413, `the request body is larger than the server's limit of ${limitBytes} bytes`, {
      code: "request_too_large",
    });
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw tooLarge();
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks)));
  } catch (error) {
    throw new ApiError(400, `the body is not valid JSON: ${(error as Error).message}`, {
      code: "invalid_json",
    });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ApiError(400, "the body must be a JSON object", { code: "invalid_json" });
  }
  return value as JsonObject;
}

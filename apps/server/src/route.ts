// What every route handler gets: the model, the engine, the request (its body read on demand,
// with the server's size limit) and the response; and the time the request arrived, for
// Ollama's total_duration.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JsonObject } from "./body.ts";
import type { Engine } from "./engine.ts";
import type { ServedModel } from "./served-model.ts";

export interface RouteContext {
  model: ServedModel;
  engine: Engine;
  req: IncomingMessage;
  res: ServerResponse;
  /** The request body as a JSON object (413 / 400 when it is too large or not one). */
  body(): Promise<JsonObject>;
  /** process.hrtime.bigint() when the request arrived: nanoseconds. */
  arrived: bigint;
}

export type Handler = (ctx: RouteContext) => Promise<void>;

// Public API of @llmts/server: an OpenAI- and Ollama-compatible HTTP server over one model, with
// continuous batching. `llmts serve` loads a checkpoint into a ServedModel and calls startServer.
//   startServer   server.ts — routes, API key, errors, draining on close
//   ServedModel   served-model.ts — what the server needs of a model
// Reading order: server.ts, openai-routes.ts (then openai-request.ts, openai-format.ts),
// ollama-routes.ts, engine.ts, and @llmts/sample's batcher.ts underneath.
export { ApiError } from "./api-error.ts";
export type { Engine } from "./engine.ts";
export type { ServedModel } from "./served-model.ts";
export { type RunningServer, type ServerOptions, startServer } from "./server.ts";

// The one error class of @llmts/sample: bad generation settings, a prompt that does not fit the
// model's window, logits a model should not have returned. Its message is complete on its own, so the CLI can
// print it as one line (it recognises the class by `name`).

export class GenerationError extends Error {
  override name = "GenerationError";
}

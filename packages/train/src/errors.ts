// The errors @llmts/train throws for problems the user can fix: unusable data, a flag that does
// not fit the model, a checkpoint that cannot be resumed. Each class has its own `name` so the
// CLI prints the message as one line (apps/cli/src/errors.ts) instead of a stack trace.
// Not here: bugs (plain Error) and errors of the packages we call (ConfigError, TokenizerError,
// SafetensorsError pass through unchanged).

/** The training text is missing, too short for a batch, or not what a resumed run trained on. */
export class DataError extends Error {
  override name = "DataError";
}

/** A training option that cannot work (a flag the architecture cannot represent, a bad resume). */
export class TrainError extends Error {
  override name = "TrainError";
}

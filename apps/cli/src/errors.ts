// Errors the user caused (a bad flag, a missing file) are printed as one line and exit 1.
// Anything else is a bug in llm.ts and keeps its stack trace.

/** An error whose message is complete on its own: printed without a stack trace. */
export class CliError extends Error {
  override name = "CliError";
}

/**
 * Errors from our packages that describe bad input (a malformed file, a wrong shape) are
 * user errors too. Each package names its error class; we recognise them by name so the
 * CLI does not have to import every package just to classify errors.
 */
const USER_ERROR_NAMES = new Set([
  "CliError",
  "SafetensorsError",
  "TokenizerError",
  "ConfigError",
  "WeightLoadError",
  "ShapeError",
  "DataError",
  "GenerationError",
  "TrainError",
  "GgufError",
]);

export function isUserError(error: unknown): error is Error {
  return error instanceof Error && USER_ERROR_NAMES.has(error.name);
}

/** Node's own file errors (ENOENT, EISDIR, ...) already name the path: one line is enough. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === "string" &&
    typeof (error as NodeJS.ErrnoException).syscall === "string"
  );
}

/** Parse a flag value as a number, naming the flag when it is not one. */
export function parseNumberFlag(
  flag: string,
  value: string,
  options: { integer?: boolean; min?: number; max?: number } = {},
): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed)) {
    throw new CliError(`${flag}: expected a number, got "${value}"`);
  }
  if (options.integer && !Number.isInteger(parsed)) {
    throw new CliError(`${flag}: expected a whole number, got "${value}"`);
  }
  if (options.min !== undefined && parsed < options.min) {
    throw new CliError(`${flag}: must be at least ${options.min}, got ${value}`);
  }
  if (options.max !== undefined && parsed > options.max) {
    throw new CliError(`${flag}: must be at most ${options.max}, got ${value}`);
  }
  return parsed;
}

/**
 * A warning on stderr: something worth knowing that is not an error (the command goes on). It
 * starts with "warning:", never with "llmts:" as errors do, so the two cannot be mistaken.
 */
export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** Runs fn, turning a TrainError (a flag the model cannot honour, a run that cannot resume) into a CliError: one line. */
export function asCliError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof Error && error.name === "TrainError") throw new CliError(error.message);
    throw error;
  }
}

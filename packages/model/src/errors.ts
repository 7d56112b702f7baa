// The two ways a checkpoint can be wrong before any arithmetic runs: its config.json
// (ConfigError) or its tensors (WeightLoadError). Both are user errors: the CLI prints the
// message as one line. Shape problems at run time (too many tokens, bad ids) are ShapeError
// from @llmts/tensor.

/** config.json is missing a field, has a bad value, or names an architecture we do not implement. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface WrongShape {
  name: string;
  expected: readonly number[];
  actual: readonly number[];
}

/**
 * The checkpoint's tensors do not match the architecture. Every problem is listed at once, so a
 * half-converted checkpoint is diagnosed in one run rather than one tensor per run.
 */
export class WeightLoadError extends Error {
  override name = "WeightLoadError";
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly wrongShape: readonly WrongShape[];
  readonly wrongDtype: readonly { name: string; dtype: string }[];

  constructor(
    source: string,
    problems: {
      missing: string[];
      unexpected: string[];
      wrongShape: WrongShape[];
      wrongDtype: { name: string; dtype: string }[];
    },
  ) {
    const shape = (s: readonly number[]) => `[${s.join(", ")}]`;
    const parts = [
      ...problems.missing.map((n) => `missing "${n}"`),
      ...problems.unexpected.map((n) => `unexpected "${n}"`),
      ...problems.wrongShape.map(
        (w) => `"${w.name}" has shape ${shape(w.actual)}, expected ${shape(w.expected)}`,
      ),
      ...problems.wrongDtype.map((w) => `"${w.name}" has dtype ${w.dtype}, expected a float type`),
    ];
    const shown = parts.slice(0, 12);
    const more = parts.length > shown.length ? `; ... and ${parts.length - shown.length} more` : "";
    super(`weights: ${parts.length} problem(s) in ${source}: ${shown.join("; ")}${more}`);
    this.missing = problems.missing;
    this.unexpected = problems.unexpected;
    this.wrongShape = problems.wrongShape;
    this.wrongDtype = problems.wrongDtype;
  }
}

// The shape every benchmark module returns; main.ts stitches them into docs/benchmarks.md.

export interface BenchSection {
  /** Section heading, e.g. "Matmul GFLOP/s". */
  title: string;
  /** The command a reader runs to reproduce the section (usually `pnpm bench --only NAME`). */
  command: string;
  /** Markdown body: a table plus a sentence or two on what was measured. */
  markdown: string;
  /**
   * Where it goes in docs/benchmarks.md when not under the module's own name (one of
   * EXTRA_SECTIONS in main.ts): the full training run keeps its own section beside the short one.
   */
  key?: string;
}

// The shape every benchmark module returns; main.ts stitches them into docs/benchmarks.md.

export interface BenchSection {
  /** Section heading, e.g. "Matmul GFLOP/s". */
  title: string;
  /** The command a reader runs to reproduce the section (usually `pnpm bench --only NAME`). */
  command: string;
  /** Markdown body: a table plus a sentence or two on what was measured. */
  markdown: string;
}

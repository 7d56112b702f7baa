// Counts of which kernel ran, by name ("matmul wasm matvec pinned", "attention wasm decode", ...),
// kept by the backends that choose per call (auto and wasm), so --verbose can report the choice
// actually made rather than the rule (describeBackend in select.ts prints them).
// A count is one Map update per kernel call: noise next to the kernels themselves.
// Not here: timings (`llmts generate --trace` times modules), per-shape histograms.
// Reference: PyTorch's profiler key_averages() (op name -> call count), in miniature.

const counts = new Map<string, number>();

export function countKernel(name: string): void {
  counts.set(name, (counts.get(name) ?? 0) + 1);
}

/** Kernel calls since the last reset, most frequent first. */
export function kernelCounts(): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1]);
}

export function resetKernelCounts(): void {
  counts.clear();
}

// Resident memory of this Node process, for the "peak memory" of a generation run:
// generate(model, ids, config, { memoryBytes: residentSetBytes }). The core of @llmts/sample uses
// no Node global; a browser page measures memory its own way or not at all (peak_rss_mb null).
// Reference: Node's process.memoryUsage.rss() (reads the OS's resident set size; cheap enough to
// call once per generated token).

export function residentSetBytes(): number {
  return process.memoryUsage.rss();
}

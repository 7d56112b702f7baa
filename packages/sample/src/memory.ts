// Resident memory of this process, for the "peak memory" of a generation run. The only
// Node-specific call in @llmts/sample: elsewhere (a browser) it reports 0.
// Reference: Node's process.memoryUsage.rss() (reads the OS's resident set size; cheap enough to
// call once per generated token).

export function residentSetBytes(): number {
  return typeof process !== "undefined" && typeof process.memoryUsage?.rss === "function"
    ? process.memoryUsage.rss()
    : 0;
}

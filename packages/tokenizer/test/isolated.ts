// Running hostile input in a child process, so that a hang or a memory blow-up (the failures
// these tests guard against) ends that process, not the test runner, and can be measured.

import { spawnSync } from "node:child_process";

export interface IsolatedResult {
  /** What the child printed with `report(...)`. */
  reports: unknown[];
  /** Growth of the child's peak resident memory over its memory before `code` ran, in MB. */
  rssGrowthMB: number;
  stderr: string;
}

/**
 * Runs `code` (an async function body) in a fresh Node process with tsx, where `tokenizer` is
 * the main entry, `node` the Node entry and `report(value)` records a value. Fails when the
 * child does not finish within `timeoutMs`: a hang is a failure, not a stuck test run.
 */
export function runIsolated(code: string, timeoutMs = 60_000): IsolatedResult {
  const src = (path: string) => JSON.stringify(new URL(`../src/${path}`, import.meta.url).href);
  const script = `
    import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))};
    register();
    const tokenizer = await import(${src("index.ts")});
    const node = await import(${src("node/index.ts")});
    const reports = [];
    const report = (value) => reports.push(value);
    const rssBefore = process.memoryUsage().rss;
    await (async () => { ${code} })();
    const rssGrowthMB = (process.resourceUsage().maxRSS * 1024 - rssBefore) / 1e6;
    process.stdout.write(JSON.stringify({ reports, rssGrowthMB }));
  `;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.signal !== null || child.status !== 0) {
    const why =
      child.signal === "SIGTERM" ? `did not finish within ${timeoutMs / 1000} s` : `failed (${child.status})`;
    throw new Error(`the child process ${why}: ${child.stderr.slice(0, 2000)}`);
  }
  return { ...(JSON.parse(child.stdout) as Omit<IsolatedResult, "stderr">), stderr: child.stderr };
}

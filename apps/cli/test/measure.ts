// Running the llmts bin in a child process and measuring it, for the tests that bound what hostile
// or absurd input may cost ("errors within 10 s and under 1 GB"): the wall time seen from here,
// and the child's peak resident memory as the child itself reports it when it exits
// (process.resourceUsage().maxRSS, worker threads included), on a pipe of its own (fd 3) so that
// stdout and stderr stay exactly what a user would see.
// Not here: the assertions (each test states its own bound).

import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));

export interface MeasuredRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock seconds from spawn to exit. */
  seconds: number;
  /** Peak resident set size of the child in MB; NaN if it did not exit normally. */
  peakMb: number;
}

// The child: report maxRSS on fd 3 at exit, then run the bin with the args after a stand-in for the
// script name (commander reads process.argv as [node, script, ...args]).
const CHILD = `
import { writeSync } from "node:fs";
process.on("exit", () => writeSync(3, String(process.resourceUsage().maxRSS)));
process.argv.splice(1, 0, ${JSON.stringify(bin)});
await import(${JSON.stringify(new URL("../bin/llmts.mjs", import.meta.url).href)});
`;

export interface MeasureOptions {
  cwd?: string;
  /** Kill the child after this long (the run then fails its bound instead of hanging the suite). */
  timeoutMs?: number;
  /** Run as another user (root running the tests: a read-only directory is only read-only to others). */
  uid?: number;
  gid?: number;
  /** Called with each chunk of stdout; may destroy the stream (a reader that goes away). */
  onStdout?: (chunk: Buffer, stdout: Readable) => void;
}

/** Runs `llmts ...args` and measures it. */
export function runMeasured(args: string[], options: MeasureOptions = {}): Promise<MeasuredRun> {
  const start = performance.now();
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD, "--", ...args], {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    timeout: options.timeoutMs ?? 60_000,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
  });
  const [, out, err, report] = child.stdio;
  if (!out || !err || !report) throw new Error("measure: the child's pipes were not opened");
  let stdout = "";
  let stderr = "";
  let rss = "";
  out.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    options.onStdout?.(chunk, out);
  });
  err.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  report.on("data", (chunk: Buffer) => {
    rss += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      const kb = rss === "" ? Number.NaN : Number(rss);
      resolve({ status, stdout, stderr, seconds: (performance.now() - start) / 1000, peakMb: kb / 1024 });
    });
  });
}

// One training run per output directory at a time. Two runs writing the same --out would
// interleave their checkpoints and metrics (and race on the staging directory), so a run holds
// OUT/.llmts-lock — created with O_EXCL, holding its pid — from before it touches anything until
// it ends. A second run is refused with the holder's pid. A lock whose process no longer exists
// (a run killed with -9, a crashed machine) is stale: it is taken over, and the checkpoint
// protocol (checkpoint.ts) has already left the last checkpoint consistent.
// Not here: locking across machines (a shared network file system); pids reused by an unrelated
// process are taken for a live run (the error names the pid, so a user can check).
// Reference: the pid-file convention of daemons (/var/run/*.pid), checked with kill(pid, 0).

import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { prepareOutputDirectory } from "@llmts/safetensors/node";
import { TrainError } from "../errors.ts";

export const LOCK_FILE = ".llmts-lock";

/** True when a process with this pid exists (kill with signal 0 only asks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, but not ours to signal
  }
}

/**
 * Takes the lock of `dir` (creating the directory) and returns the function that releases it.
 * Throws a TrainError naming the other run's pid while it holds the lock.
 */
export function lockRunDirectory(dir: string): () => void {
  // Not mkdirSync(dir, { recursive: true }): under /proc that retries for minutes (output-dir.ts).
  prepareOutputDirectory(dir, (reason) => {
    throw new TrainError(`--out: cannot write to ${dir}: ${reason}`);
  });
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
        process.off("exit", release);
      };
      process.on("exit", release); // also when the process ends without calling it
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new TrainError(
        `another run is writing ${dir} (pid ${pid}); wait for it to end, or choose another --out`,
      );
    }
    rmSync(path, { force: true }); // stale: its process is gone
  }
  throw new TrainError(`cannot take the lock ${path}: another run keeps replacing it`);
}

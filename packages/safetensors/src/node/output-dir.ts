// Making sure a directory can be written into before anything is written there: it exists (its
// missing parents are created one level at a time) and it is writable. Every way this can fail is
// reported at once, in words, naming the directory at fault:
//
//   /proc/x/model           "the file system refuses new directories in /proc"
//   /ro/model (chmod 555)   "/ro is read-only (permission denied)"
//   /mnt/cdrom/model        "/mnt/cdrom is on a read-only file system"
//   notes.txt/model         "notes.txt is a file, not a directory"
//
// Why not mkdirSync(path, { recursive: true }): when a file system answers mkdir with ENOENT
// although the parent exists (/proc does), Node's recursive mkdir climbs back up and tries again,
// tens of thousands of times (minutes, seen with `--out /proc/x`); and on a read-only mount it
// reports ENOENT, which sends a user looking for a missing directory.
// Not here: writing files (atomic.ts), deciding whether a file may be replaced (the CLI).

import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Why `dir` cannot be written into, from the code of the failed mkdir / access. */
function refusal(error: unknown, dir: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "EACCES":
    case "EPERM":
      return `${dir} is read-only (permission denied)`;
    case "EROFS":
      return `${dir} is on a read-only file system`;
    case "ENOENT":
      // The parent exists (we just checked): the file system itself says no, as /proc does.
      return `the file system refuses new directories in ${dir}`;
    case "ENOSPC":
      return `no space left on the device of ${dir}`;
    case "ENOTDIR":
      return `${dir} is not a directory`;
    default:
      return `${dir}: ${(error as Error).message}`;
  }
}

/**
 * Creates `path` and its missing parents if needed, and checks that it is a writable directory.
 * Anything else calls `fail(reason)` (which throws the caller's own error, naming its flag).
 */
export function prepareOutputDirectory(path: string, fail: (reason: string) => never): void {
  const target = resolve(path);
  // The missing directories, outermost first, down from the deepest one that exists.
  const missing: string[] = [];
  let head = target;
  while (!existsSync(head)) {
    missing.unshift(head);
    const parent = dirname(head);
    if (parent === head) break;
    head = parent;
  }
  if (!statSync(head).isDirectory()) fail(`${head} is a file, not a directory`);
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      // Another process may have made it in the meantime: that is what we wanted.
      const made = (error as NodeJS.ErrnoException).code === "EEXIST" && statSync(dir).isDirectory();
      if (!made) fail(refusal(error, dirname(dir)));
    }
  }
  try {
    accessSync(target, constants.W_OK);
  } catch (error) {
    fail(refusal(error, target));
  }
}

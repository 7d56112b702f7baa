// Whether the bundled CLI is up to date with the sources it was built from (scripts/build.mjs):
// every file listed in its stamp (dist/build.json: path relative to the repository -> [size,
// mtime]) must still have that size and mtime. Plain JavaScript, so the bin can ask before any
// TypeScript loader exists; a missing or unreadable stamp means "not fresh".

import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** True when every input recorded in the stamp file is unchanged under `root`. */
export function bundleIsFresh(stampFile, root) {
  try {
    const { inputs } = JSON.parse(readFileSync(stampFile, "utf8"));
    const entries = Object.entries(inputs);
    if (entries.length === 0) return false;
    for (const [path, [size, mtime]] of entries) {
      const s = statSync(join(root, path));
      if (s.size !== size || s.mtimeMs !== mtime) return false;
    }
    return true;
  } catch {
    return false;
  }
}

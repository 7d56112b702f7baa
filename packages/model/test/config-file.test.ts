// readConfig against a config.json that is not a small file (issue: hardening): /dev/zero, a FIFO
// or a huge file once grew the process past 5 GB (or blocked); each is now refused from its stat,
// in one ConfigError that names the file and, for size, the cap.
import { execFileSync } from "node:child_process";
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../src/index.ts";
import { readConfig } from "../src/node/index.ts";

const root = mkdtempSync(join(tmpdir(), "llmts-config-file-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("readConfig on a config.json that is not a small regular file", () => {
  const cases: [string, (path: string) => void, string][] = [
    ["/dev/zero", (p) => symlinkSync("/dev/zero", p), "it is a character device, not a file"],
    ["a FIFO", (p) => execFileSync("mkfifo", [p]), "it is a FIFO (named pipe), not a file"],
    ["a directory", (p) => mkdirSync(p), "it is a directory, not a file"],
    [
      "a 20 MiB file",
      (p) => {
        const fd = openSync(p, "w");
        ftruncateSync(fd, 20 * 2 ** 20); // sparse: costs no disk
        closeSync(fd);
      },
      "it is 20.0 MiB, more than the 16.0 MiB allowed",
    ],
  ];
  for (const [what, make, reason] of cases) {
    it(`refuses ${what} in one line naming the file`, () => {
      const dir = join(root, what.replace(/\W+/g, "-"));
      mkdirSync(dir);
      const file = join(dir, "config.json");
      make(file);
      expect(() => readConfig(dir)).toThrow(ConfigError);
      expect(() => readConfig(dir)).toThrow(`config: cannot read ${file}: ${reason}`);
    });
  }
});

// The Node file helpers against paths that are not what they claim (issue: hardening): an index
// or a whole-file read that is /dev/zero, a FIFO or far too large is refused from its stat, with
// the cap in the message; an output directory under /proc or below a file fails at once, in
// words, where Node's recursive mkdir retried for minutes.
import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openCheckpoint, prepareOutputDirectory, readSafetensorsFile } from "../src/node/index.ts";

const dir = mkdtempSync(join(tmpdir(), "llmts-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fail = (reason: string): never => {
  throw new Error(reason);
};

/** A sparse file of `bytes` (nothing is written: it costs no disk). */
function sparse(path: string, bytes: number): void {
  const fd = openSync(path, "w");
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

describe("a sharded checkpoint's index", () => {
  it("is refused when it is /dev/zero, a FIFO or larger than 16 MiB, naming the cap", () => {
    const cases: [string, (p: string) => void, string][] = [
      ["zero", (p) => symlinkSync("/dev/zero", p), "index file is a character device, not a file"],
      ["fifo", (p) => execFileSync("mkfifo", [p]), "index file is a FIFO (named pipe), not a file"],
      ["huge", (p) => sparse(p, 17 * 2 ** 20), "index file is 17.0 MiB, more than the 16.0 MiB allowed"],
    ];
    for (const [name, make, message] of cases) {
      const index = join(dir, `${name}.safetensors.index.json`);
      make(index);
      expect(() => openCheckpoint(index)).toThrow(`safetensors: ${message} (${index})`);
    }
  });
});

describe("readSafetensorsFile", () => {
  it("refuses /dev/zero and a FIFO from their stat instead of reading forever", () => {
    const zero = join(dir, "zero.safetensors");
    symlinkSync("/dev/zero", zero);
    expect(() => readSafetensorsFile(zero)).toThrow(
      `safetensors: path is a character device, not a file (${zero})`,
    );
    const fifo = join(dir, "fifo.safetensors");
    execFileSync("mkfifo", [fifo]);
    expect(() => readSafetensorsFile(fifo)).toThrow(
      `safetensors: path is a FIFO (named pipe), not a file (${fifo})`,
    );
  });
});

describe("prepareOutputDirectory", () => {
  it("creates missing parents one level at a time and accepts an existing directory", () => {
    const deep = join(dir, "a", "b", "c");
    prepareOutputDirectory(deep, fail);
    expect(statSync(deep).isDirectory()).toBe(true);
    prepareOutputDirectory(deep, fail); // already there: nothing to do
  });

  it("fails at once under /proc, whose mkdir says ENOENT although /proc exists", () => {
    const start = performance.now();
    expect(() => prepareOutputDirectory("/proc/llmts-no-such/model", fail)).toThrow(
      "the file system refuses new directories in /proc",
    );
    expect(existsSync("/proc/llmts-no-such")).toBe(false);
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it("says which path is a file when a directory is needed", () => {
    const file = join(dir, "notes.txt");
    writeFileSync(file, "notes");
    expect(() => prepareOutputDirectory(join(file, "model"), fail)).toThrow(
      `${file} is a file, not a directory`,
    );
    expect(() => prepareOutputDirectory(file, fail)).toThrow(`${file} is a file, not a directory`);
    mkdirSync(join(dir, "fine"));
    expect(() => prepareOutputDirectory(join(dir, "fine"), fail)).not.toThrow();
  });
});

// writeFileAtomic: the target is replaced whole or not at all, and no temporary file is left.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../src/node/index.ts";

const dir = mkdtempSync(join(tmpdir(), "llmts-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomic", () => {
  it("writes strings as UTF-8 and byte parts in order, replacing the old file", () => {
    const path = join(dir, "config.json");
    writeFileSync(path, "old contents, longer than the new ones");
    writeFileAtomic(path, ['{"name": "π"}', new Uint8Array([10, 65, 10])]);
    expect(readFileSync(path)).toEqual(Buffer.from('{"name": "π"}\nA\n', "utf8"));
    expect(readdirSync(dir)).toEqual(["config.json"]);
  });

  it("leaves the old file and no temporary file when writing fails half way", () => {
    const path = join(dir, "keep.json");
    writeFileSync(path, "old");
    function* parts() {
      yield "new first half";
      throw new Error("disk on fire");
    }
    expect(() => writeFileAtomic(path, parts())).toThrow("disk on fire");
    expect(readFileSync(path, "utf8")).toBe("old");
    expect(readdirSync(dir).filter((f) => f.includes("keep"))).toEqual(["keep.json"]);
  });
});

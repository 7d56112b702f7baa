// GGUF files on disk: the header is read incrementally with positioned reads (a 500 MB file is
// opened by reading its header, not the file), tensors one at a time on demand, writes are
// atomic, and what is not a GGUF file or not a regular file gets one line naming the path.
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ByteSource,
  fromFloat32,
  GgufError,
  parseGgufHeader,
  toFloat32,
  writeGguf,
} from "../src/index.ts";
import { openGguf, writeGgufFile } from "../src/node/index.ts";
import { fileSource } from "../src/node/source.ts";
import { gguf } from "./assemble.ts";

const dir = mkdtempSync(join(tmpdir(), "llmts-gguf-node-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(GgufError);
    return (e as Error).message;
  }
  throw new Error("expected a GgufError, but nothing was thrown");
}

const BIG = 125_000_000; // f32 values: 500 MB of data

/**
 * A 500 MB GGUF file that takes almost no disk space: a header with 5,000 tokens (several 64 KiB
 * reads), then tensor "big" (F32 [125000000], a hole of zeros made by truncate) and tensor
 * "tail" (F32 [4] = 1, 2, 3, 4) at the very end.
 */
function sparseFile(): { path: string; dataStart: number } {
  const tokens = Array.from({ length: 5000 }, (_, i) => `token number ${i} `.repeat(2));
  const a = gguf().preamble(2, 1).str("tokenizer.ggml.tokens").u32(9).u32(8).u64(tokens.length);
  for (const t of tokens) a.str(t);
  a.tensor("big", [BIG], 0, 0)
    .tensor("tail", [4], 0, 4 * BIG)
    .pad();
  const dataStart = a.length;
  const path = join(dir, "sparse.gguf");
  writeFileSync(path, a.build());
  truncateSync(path, dataStart + 4 * BIG);
  const fd = openSync(path, "r+");
  writeSync(fd, new Uint8Array(Float32Array.of(1, 2, 3, 4).buffer), 0, 16, dataStart + 4 * BIG);
  closeSync(fd);
  return { path, dataStart };
}

describe("reading files", () => {
  const { path, dataStart } = sparseFile();

  it("reads only the header of a 500 MB file to list its tensors", () => {
    const fd = openSync(path, "r");
    try {
      const file = fileSource(fd, dataStart + 4 * BIG + 16, path);
      let bytesRead = 0;
      const counting: ByteSource = {
        byteLength: file.byteLength,
        read(position, length) {
          bytesRead += length;
          return file.read(position, length);
        },
      };
      const header = parseGgufHeader(counting, path);
      expect(header.tensors.map((t) => [t.name, t.byteLength])).toEqual([
        ["big", 500_000_000],
        ["tail", 16],
      ]);
      expect(header.dataStart).toBe(dataStart);
      // The header is ~190 KB; reads come in 64 KiB chunks, so at most one chunk past it.
      expect(bytesRead).toBeLessThanOrEqual(dataStart + 65536);
    } finally {
      closeSync(fd);
    }
  });

  it("opens the 500 MB file and reads one small tensor from its end, into its own buffer", () => {
    const reader = openGguf(path);
    try {
      expect(reader.byteLength).toBe(dataStart + 4 * BIG + 16);
      const tokens = reader.metadata.get("tokenizer.ggml.tokens");
      expect(tokens?.type === "array" && tokens.value.length).toBe(5000);
      const tail = reader.read("tail");
      expect(tail.data.buffer.byteLength).toBe(16);
      expect([...toFloat32(tail)]).toEqual([1, 2, 3, 4]);
    } finally {
      reader.close();
    }
  });

  it("refuses to read after close, and names the path", () => {
    const reader = openGguf(path);
    reader.close();
    expect(errorOf(() => reader.read("tail"))).toBe(
      `gguf: cannot read "tail": the file was closed (${path})`,
    );
  });

  it("notices a file that shrank after it was opened", () => {
    const small = join(dir, "shrinks.gguf");
    writeGgufFile(small, { tensors: [{ name: "x", ...fromFloat32(new Float32Array(64), [64], "F32") }] });
    const reader = openGguf(small);
    try {
      const { dataStart } = reader.header;
      truncateSync(small, dataStart + 100);
      expect(errorOf(() => reader.read("x"))).toBe(
        `gguf: file ended at byte ${dataStart + 100}, expected 156 more bytes (did it change?) (${small})`,
      );
    } finally {
      reader.close();
    }
  });

  it("refuses a directory, a device and a missing file in one line", () => {
    expect(errorOf(() => openGguf(dir))).toBe(`gguf: not a regular file (${dir})`);
    expect(errorOf(() => openGguf("/dev/zero"))).toBe("gguf: not a regular file (/dev/zero)");
    const missing = join(dir, "missing.gguf");
    expect(errorOf(() => openGguf(missing))).toBe(`gguf: no such file (${missing})`);
  });

  it("says a safetensors file is not a GGUF file", () => {
    const st = join(dir, "model.safetensors");
    writeFileSync(st, Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from("{}")]));
    expect(errorOf(() => openGguf(st))).toBe(
      `gguf: not a GGUF file: it starts with bytes [02 00 00 00], not "GGUF" (${st})`,
    );
  });
});

describe("writing files", () => {
  const spec = {
    metadata: new Map([["general.architecture", { type: "string" as const, value: "llama" }]]),
    tensors: [
      {
        name: "q",
        ...fromFloat32(
          Float32Array.from({ length: 64 }, (_, i) => i / 10),
          [2, 32],
          "Q8_0",
        ),
      },
      { name: "f", ...fromFloat32(Float32Array.of(1, 2, 3), [3], "F32") },
    ],
  };

  it("writes the same bytes as writeGguf, replacing an older file and leaving no temporary file", () => {
    const out = join(dir, "written.gguf");
    writeFileSync(out, "an older file");
    writeGgufFile(out, spec);
    expect(new Uint8Array(readFileSync(out))).toEqual(writeGguf(spec));
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("leaves the existing file untouched when the spec is invalid", () => {
    const out = join(dir, "kept.gguf");
    writeFileSync(out, "keep me");
    expect(errorOf(() => writeGgufFile(out, { ...spec, alignment: 3 }))).toBe(
      "gguf: alignment 3 must be a power of two",
    );
    expect(readFileSync(out, "utf8")).toBe("keep me");
  });
});

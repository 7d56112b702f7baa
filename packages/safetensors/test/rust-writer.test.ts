// Files written by the reference Rust writer itself (the `safetensors` Python package, bindings over
// the crate's `serialize`), pinned in fixtures/safetensors-rust/rust-writer.json by generate.py next
// to it: from the same tensors and metadata our writer must produce the same bytes, and our reader
// must read them back.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  createTensor,
  type DType,
  parseSafetensors,
  serializeSafetensors,
  type Tensor,
} from "../src/index.ts";
import { writeSafetensors } from "../src/node/index.ts";

interface PinnedCase {
  name: string;
  what: string;
  /** In the order the Python script handed them to the writer. */
  tensors: { name: string; dtype: DType; shape: number[]; data: string /* hex */ }[];
  metadata: Record<string, string> | null;
  file_base64: string;
}

const pinned = JSON.parse(
  readFileSync(new URL("../../../fixtures/safetensors-rust/rust-writer.json", import.meta.url), "utf8"),
) as {
  safetensors_version: string;
  cases: PinnedCase[];
};
const dir = mkdtempSync(join(tmpdir(), "llmts-rust-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inputs(c: PinnedCase): Map<string, Tensor> {
  return new Map(c.tensors.map((t) => [t.name, createTensor(t.dtype, t.shape, Buffer.from(t.data, "hex"))]));
}

/**
 * The metadata in the order the pinned file has it. The crate keeps metadata in a HashMap, so with
 * several keys that order changes from run to run; JSON.parse of the header (not our parser) reads it.
 */
function metadataInFileOrder(file: Uint8Array): Record<string, string> | undefined {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
  return header.__metadata__;
}

describe(`files from the Rust writer (safetensors ${pinned.safetensors_version})`, () => {
  it("cover every case the script writes", () => {
    expect(pinned.cases.map((c) => c.name)).toEqual([
      "every numpy dtype",
      "empty and 0-d tensors",
      "names by code point",
      "several metadata keys",
      "no tensors",
      "BF16 from torch",
    ]);
  });

  for (const c of pinned.cases) {
    const reference = new Uint8Array(Buffer.from(c.file_base64, "base64"));

    it(`${c.name}: our writer produces the same bytes (${c.what})`, () => {
      const metadata = metadataInFileOrder(reference);
      expect(metadata).toEqual(c.metadata ?? undefined);
      expect(Buffer.from(serializeSafetensors(inputs(c), metadata))).toEqual(Buffer.from(reference));
      const path = join(dir, "out.safetensors");
      writeSafetensors(path, inputs(c), metadata);
      expect(readFileSync(path)).toEqual(Buffer.from(reference));
    });

    it(`${c.name}: our reader reads every tensor and the metadata back`, () => {
      const file = parseSafetensors(reference, c.name);
      expect(file.metadata).toEqual(c.metadata ?? undefined);
      expect(file.tensors.map((t) => t.name).sort()).toEqual(c.tensors.map((t) => t.name).sort());
      for (const t of c.tensors) {
        const back = file.get(t.name);
        expect({ dtype: back.dtype, shape: back.shape }).toEqual({ dtype: t.dtype, shape: t.shape });
        expect(Buffer.from(back.data).toString("hex")).toBe(t.data);
      }
    });
  }
});

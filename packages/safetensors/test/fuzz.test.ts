// Mutation fuzzing: valid files are bit-flipped, truncated, spliced and given random header
// lengths thousands of times (seeded, so a failure reproduces). Whatever comes out, the reader
// either succeeds or throws a SafetensorsError — never a RangeError, TypeError, hang or crash —
// and when it succeeds every tensor it lists can be read and converted.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  createTensor,
  fromNumbers,
  parseSafetensors,
  SafetensorsError,
  serializeSafetensors,
  toBigInt64,
  toFloat32,
  toInt32,
} from "../src/index.ts";
import { openSafetensors } from "../src/node/index.ts";

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds: Uint8Array[] = [
  serializeSafetensors(
    {
      wte: createTensor(
        "F32",
        [4, 3],
        new Float32Array(12).map((_, i) => i / 7),
      ),
      ids: fromNumbers("I64", [2, 2], [1, 50256, -3, 7]),
      half: createTensor("F16", [3], new Uint16Array([0x3c00, 0x7c00, 0x0001])),
      bf: createTensor("BF16", [], new Uint16Array([0x3f80])),
      e4: createTensor("F8_E4M3", [2], new Uint8Array([0x38, 0x7f])),
      mask: createTensor("BOOL", [2], new Uint8Array([1, 0])),
      empty: createTensor("I32", [0, 5], new Int32Array(0)),
    },
    { format: "pt" },
  ),
  serializeSafetensors({}),
  serializeSafetensors({ x: createTensor("U16", [2], new Uint16Array([1, 65535])) }),
];

function mutate(file: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const out = Uint8Array.from(file);
  switch (pick(6)) {
    case 0: // flip 1-8 random bits
      for (let k = 1 + pick(8); k > 0; k--) out[pick(out.length)]! ^= 1 << pick(8);
      return out;
    case 1: // truncate
      return out.subarray(0, pick(out.length));
    case 2: {
      // splice: copy a random slice of the file over another place
      const from = pick(out.length);
      const len = pick(Math.min(32, out.length - from) + 1);
      out.copyWithin(pick(out.length), from, from + len);
      return out;
    }
    case 3: {
      // insert or delete a few bytes inside the header or data
      const at = pick(out.length);
      const cut = pick(6);
      const insert = Array.from({ length: pick(6) }, () => pick(256));
      return Uint8Array.from([...out.subarray(0, at), ...insert, ...out.subarray(at + cut)]);
    }
    case 4: // a random header length, sometimes huge
      new DataView(out.buffer).setBigUint64(
        0,
        BigInt(pick(2 ** 32)) * (random() < 0.2 ? 2n ** 31n : 1n),
        true,
      );
      return out;
    default: {
      // replace a digit in the header JSON with another digit (shapes and offsets)
      const digits = [...out.keys()].filter((i) => i >= 8 && out[i]! >= 0x30 && out[i]! <= 0x39);
      if (digits.length) out[digits[pick(digits.length)]!] = 0x30 + pick(10);
      return out;
    }
  }
}

/** Parse and read everything; return "ok" or the SafetensorsError; let anything else escape. */
function exercise(
  read: () => { tensors: { name: string; dtype: string }[]; get(name: string): never },
): string {
  try {
    const file = read();
    for (const { name, dtype } of file.tensors) {
      const t = file.get(name) as Parameters<typeof toFloat32>[0];
      toFloat32(t);
      if (["I64", "U64", "I32", "U32", "I16", "U16", "I8", "U8", "BOOL"].includes(dtype)) {
        try {
          toInt32(t);
          toBigInt64(t);
        } catch (e) {
          if (!(e instanceof SafetensorsError)) throw e;
        }
      }
    }
    return "ok";
  } catch (e) {
    if (e instanceof SafetensorsError) return "error";
    throw e;
  }
}

describe("fuzzing the reader", () => {
  it("only ever throws SafetensorsError on 6000 mutated in-memory files", () => {
    const random = prng(1234);
    const outcomes = { ok: 0, error: 0 };
    for (let i = 0; i < 6000; i++) {
      const bytes = mutate(seeds[i % seeds.length]!, random);
      const result = exercise(() => parseSafetensors(bytes) as never);
      outcomes[result as keyof typeof outcomes]++;
    }
    // Both outcomes must occur, or the mutations are not reaching the interesting paths.
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.error).toBeGreaterThan(1000);
  });

  const dir = mkdtempSync(join(tmpdir(), "llmts-fuzz-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("only ever throws SafetensorsError on 300 mutated files read lazily from disk", () => {
    const random = prng(99);
    const path = join(dir, "fuzz.safetensors");
    for (let i = 0; i < 300; i++) {
      writeFileSync(path, mutate(seeds[i % seeds.length]!, random));
      exercise(() => {
        const reader = openSafetensors(path);
        return { tensors: reader.tensors, get: (name: string) => reader.read(name) as never };
      });
    }
  });
});

// Mutation fuzzing: valid GGUF files (ours and gguf-py's) are bit-flipped, truncated, spliced,
// and have counts, lengths, dims, types and offsets overwritten with random or extreme values,
// thousands of times (seeded, so a failure reproduces). Whatever comes out, the reader either
// succeeds or throws a GgufError — never a RangeError, TypeError, stack overflow, hang or huge
// allocation — and when it succeeds every tensor it lists can be read and dequantized.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fromFloat32, GgufError, isTensorType, parseGguf, toFloat32, writeGguf } from "../src/index.ts";
import { openGguf } from "../src/node/index.ts";
import { EVERY_VALUE } from "./every-value.ts";
import { fixtureBytes } from "./expected.ts";

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const values = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.cos(i) * 2);
const seeds: Uint8Array[] = [
  writeGguf({
    metadata: new Map(EVERY_VALUE),
    tensors: [
      { name: "q8", ...fromFloat32(values(64), [2, 32], "Q8_0") },
      { name: "q4", ...fromFloat32(values(32), [32], "Q4_0") },
      { name: "h", ...fromFloat32(values(3), [3], "F16") },
      { name: "b", ...fromFloat32(values(4), [2, 2], "BF16") },
      { name: "f", ...fromFloat32(values(2), [2], "F32") },
    ],
  }),
  writeGguf({ tensors: [{ name: "x", ...fromFloat32(values(8), [8], "F32") }], alignment: 16 }),
  fixtureBytes("tokenizer-v2.gguf"),
  fixtureBytes("align64-v3.gguf"),
];

// Values that probe the bounds: zero, small, just past a size, 2^31, 2^32, 2^53 and beyond, 2^64 - 1.
const EXTREMES = [0n, 1n, 4n, 5n, 31n, 33n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];

function mutate(file: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const out = Uint8Array.from(file);
  const dv = new DataView(out.buffer);
  // Most fields live in the header; aim most mutations there.
  const inHeader = () => pick(Math.min(out.length, 700));
  switch (pick(7)) {
    case 0: // flip 1-8 random bits
      for (let k = 1 + pick(8); k > 0; k--) out[inHeader()]! ^= 1 << pick(8);
      return out;
    case 1: // truncate
      return out.subarray(0, pick(out.length));
    case 2: {
      // splice: copy a random slice of the file over another place
      const from = pick(out.length);
      const len = pick(Math.min(32, out.length - from) + 1);
      out.copyWithin(inHeader(), from, from + len);
      return out;
    }
    case 3: {
      // insert or delete a few bytes
      const at = inHeader();
      const insert = Array.from({ length: pick(6) }, () => pick(256));
      return Uint8Array.from([...out.subarray(0, at), ...insert, ...out.subarray(at + pick(6))]);
    }
    case 4: {
      // overwrite a u64 (a count, a length, a dim, an offset) with an extreme value
      const at = inHeader();
      if (at + 8 <= out.length) dv.setBigUint64(at, EXTREMES[pick(EXTREMES.length)]!, true);
      return out;
    }
    case 5: {
      // overwrite a u32 (a type id, a dim count, a version) with a small or extreme value
      const at = inHeader();
      if (at + 4 <= out.length) dv.setUint32(at, random() < 0.7 ? pick(48) : pick(2 ** 32), true);
      return out;
    }
    default: // the counts themselves
      dv.setBigUint64(8 + 8 * pick(2), EXTREMES[pick(EXTREMES.length)]!, true);
      return out;
  }
}

/** Parse and read everything; return "ok" or "error" (a GgufError); let anything else escape. */
function exercise(
  read: () => {
    tensors: { name: string; type: string }[];
    get(name: string): ReturnType<ReturnType<typeof parseGguf>["get"]>;
  },
): string {
  try {
    const file = read();
    for (const { name, type } of file.tensors) {
      if (isTensorType(type)) toFloat32(file.get(name));
    }
    return "ok";
  } catch (e) {
    if (e instanceof GgufError) return "error";
    throw e;
  }
}

describe("fuzzing the reader", () => {
  it("only ever throws GgufError on 5000 mutated in-memory files", () => {
    const random = prng(1717);
    const outcomes = { ok: 0, error: 0 };
    for (let i = 0; i < 5000; i++) {
      const bytes = mutate(seeds[i % seeds.length]!, random);
      outcomes[exercise(() => parseGguf(bytes)) as keyof typeof outcomes]++;
    }
    // Both outcomes must occur, or the mutations are not reaching the interesting paths.
    expect(outcomes.ok).toBeGreaterThan(300);
    expect(outcomes.error).toBeGreaterThan(1500);
  });

  const dir = mkdtempSync(join(tmpdir(), "llmts-gguf-fuzz-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("only ever throws GgufError on 300 mutated files read from disk", () => {
    const random = prng(99);
    const path = join(dir, "fuzz.gguf");
    for (let i = 0; i < 300; i++) {
      writeFileSync(path, mutate(seeds[i % seeds.length]!, random));
      let reader: ReturnType<typeof openGguf> | undefined;
      exercise(() => {
        const r = openGguf(path);
        reader = r;
        return { tensors: r.tensors, get: (name: string) => r.read(name) };
      });
      reader?.close();
    }
  });
});

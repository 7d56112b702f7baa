// A table of malformed GGUF files, each assembled by hand (assemble.ts), each with the exact
// one-line message it must produce: it names the file and the key, tensor or field at fault and
// the numbers that disagree. Absurd counts and lengths fail before anything is allocated.
import { describe, expect, it } from "vitest";
import { GgufError, parseGguf } from "../src/index.ts";
import { gguf } from "./assemble.ts";

const F = "bad.gguf";

/** The message parseGguf throws for `bytes` (and that it is a GgufError). */
function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(GgufError);
    return (e as Error).message;
  }
  throw new Error("expected a GgufError, but nothing was thrown");
}

/** A valid file with one F32 tensor "a" of 8 values and one key. */
const oneTensor = () => gguf().preamble(1, 1).kvU32("general.x", 1).tensor("a", [8], 0, 0).pad().zeros(32);

const cases: [string, Uint8Array, string][] = [
  ["an empty file", new Uint8Array(0), 'not a GGUF file: it starts with bytes [], not "GGUF"'],
  [
    "a safetensors file",
    gguf().u64(2).raw(new TextEncoder().encode("{}")).build(),
    'not a GGUF file: it starts with bytes [02 00 00 00], not "GGUF"',
  ],
  [
    "a file cut inside the magic",
    new TextEncoder().encode("GGU"),
    'not a GGUF file: it starts with bytes [47 47 55], not "GGUF"',
  ],
  [
    "version 1",
    gguf().preamble(0, 0, 1).build(),
    "GGUF version 1 is not supported (it used 32-bit counts and lengths); convert the file with a current llama.cpp",
  ],
  [
    "a big-endian file",
    gguf().preamble(0, 0, 0x03000000).build(),
    "GGUF version 0x3000000 looks byte-swapped: a big-endian file, which is not supported",
  ],
  [
    "version 4",
    gguf().preamble(0, 0, 4).build(),
    "unsupported GGUF version 4 (this reader reads versions 2 and 3)",
  ],
  [
    "a file cut inside the counts",
    gguf().raw(new TextEncoder().encode("GGUF")).u32(3).u32(0).build(),
    "tensor count needs 8 bytes at byte 8 but the file has 12 bytes",
  ],
  [
    "a tensor count of 2^63",
    gguf()
      .preamble(2n ** 63n, 0)
      .build(),
    "tensor count 9223372036854775808 cannot fit: each tensor info takes at least 24 bytes and only 0 bytes follow the counts",
  ],
  [
    "a key count that the file cannot hold",
    gguf().preamble(0, 1000).zeros(100).build(),
    "metadata key count 1000 cannot fit: each key/value pair takes at least 14 bytes and only 100 bytes follow the counts",
  ],
  [
    "a key length of 2^64 - 1",
    gguf()
      .preamble(0, 1)
      .u64(2n ** 64n - 1n)
      .zeros(6)
      .build(),
    "metadata key #0 has length 18446744073709551615, past the end of the file (6 bytes remain at byte 32)",
  ],
  ["an empty key", gguf().preamble(0, 1).str("").u32(4).u32(1).build(), "metadata key #0 is empty"],
  [
    "a duplicated key",
    gguf().preamble(0, 2).kvU32("general.x", 1).kvU32("general.x", 2).build(),
    'metadata key "general.x" appears twice',
  ],
  [
    "an unknown value type",
    gguf().preamble(0, 1).str("general.x").u32(13).u32(0).build(),
    'metadata "general.x" has unknown value type 13 (known: 0 to 12)',
  ],
  [
    "an unknown array item type",
    gguf().preamble(0, 1).str("a.b").u32(9).u32(77).u64(0).build(),
    'metadata "a.b" has unknown item type 77 (known: 0 to 12)',
  ],
  [
    "an array count that the file cannot hold",
    gguf()
      .preamble(0, 1)
      .str("a.b")
      .u32(9)
      .u32(4)
      .u64(2n ** 61n)
      .zeros(16)
      .build(),
    'metadata "a.b" is an array of 2305843009213693952 uint32 items, which needs at least 9223372036854775808 bytes, but 16 remain',
  ],
  [
    "a string in an array whose length runs past the end",
    gguf().preamble(0, 1).str("a.b").u32(9).u32(8).u64(2).str("ok").u64(50).raw([1, 2, 3]).build(),
    'metadata "a.b"[1] has length 50, past the end of the file (3 bytes remain at byte 69)',
  ],
  [
    "a string that is not UTF-8",
    gguf()
      .preamble(0, 1)
      .str("a.b")
      .u32(8)
      .str(Uint8Array.from([0x61, 0xff]))
      .build(),
    'metadata "a.b" is not valid UTF-8',
  ],
  [
    "a bool stored as 2",
    gguf().preamble(0, 1).str("a.b").u32(7).u8(2).build(),
    'metadata "a.b" is a bool stored as 2; only 0 and 1 are valid',
  ],
  [
    "arrays nested 9 deep",
    gguf()
      .preamble(0, 1)
      .str("a.b")
      .u32(9)
      .raw(Array.from({ length: 9 }, () => [9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]).flat())
      .u32(4)
      .u64(0)
      .build(),
    'metadata "a.b"[0][0][0][0][0][0][0][0] nests arrays more than 8 deep',
  ],
  [
    "a file cut inside a value",
    gguf().preamble(0, 1).str("a.b").u32(10).u32(7).build(),
    'metadata "a.b" needs 8 bytes at byte 39 but the file has 43 bytes',
  ],
  [
    "general.alignment stored as uint64",
    gguf().preamble(0, 1).str("general.alignment").u32(10).u64(64).build(),
    "general.alignment must be a uint32, got uint64",
  ],
  [
    "general.alignment 48",
    gguf().preamble(0, 1).kvU32("general.alignment", 48).build(),
    "general.alignment is 48; it must be a power of two",
  ],
  [
    "general.alignment 0",
    gguf().preamble(0, 1).kvU32("general.alignment", 0).build(),
    "general.alignment is 0; it must be a power of two",
  ],
  [
    "a tensor name whose length runs past the end",
    gguf().preamble(1, 0).u64(1000).zeros(20).build(),
    "name of tensor #0 has length 1000, past the end of the file (20 bytes remain at byte 32)",
  ],
  [
    "5 dimensions",
    gguf().preamble(1, 0).tensor("a", [1, 1, 1, 1, 1], 0, 0).build(),
    'tensor "a" has 5 dimensions; GGUF allows at most 4',
  ],
  [
    "a dimension above 2^53",
    gguf()
      .preamble(1, 0)
      .tensor("a", [2n ** 60n], 0, 0)
      .build(),
    'tensor "a" has dimension 0 = 1152921504606846976, larger than any file',
  ],
  [
    "dimensions whose product overflows",
    gguf()
      .preamble(1, 0)
      .tensor("a", [2n ** 32n, 2n ** 32n, 2n ** 32n], 0, 0)
      .build(),
    'tensor "a" has ne [4294967296, 4294967296, 4294967296]: more than 2^53 elements, larger than any file',
  ],
  [
    "a size in bytes above 2^53",
    gguf()
      .preamble(1, 0)
      .tensor("a", [2n ** 26n, 2n ** 26n], 28, 0)
      .build(),
    'tensor "a" is F64 ne [67108864, 67108864]: more than 2^53 bytes, larger than any file',
  ],
  [
    "a removed ggml type (Q4_2)",
    gguf().preamble(1, 0).tensor("a", [32], 4, 0).build(),
    'tensor "a" has unknown ggml type 4',
  ],
  [
    "an unknown ggml type",
    gguf().preamble(1, 0).tensor("a", [32], 99, 0).build(),
    'tensor "a" has unknown ggml type 99',
  ],
  [
    "Q8_0 rows that are not whole blocks",
    gguf().preamble(1, 0).tensor("a", [33, 2], 8, 0).build(),
    'tensor "a" is Q8_0 with rows of 33 elements, not a multiple of its block size 32',
  ],
  [
    "a Q4_0 scalar",
    gguf().preamble(1, 0).tensor("a", [], 2, 0).build(),
    'tensor "a" is Q4_0 with rows of 1 elements, not a multiple of its block size 32',
  ],
  [
    "an offset above 2^53",
    gguf()
      .preamble(1, 0)
      .tensor("a", [1], 0, 2n ** 64n - 32n)
      .build(),
    'tensor "a" has offset 18446744073709551584, larger than any file',
  ],
  [
    "misaligned tensor data",
    gguf().preamble(1, 0).tensor("a", [4], 0, 16).pad().zeros(64).build(),
    'tensor "a" has offset 16, not a multiple of the alignment 32 (misaligned data)',
  ],
  [
    "misaligned data under general.alignment 64",
    gguf().preamble(1, 1).kvU32("general.alignment", 64).tensor("a", [4], 0, 32).pad(64).zeros(64).build(),
    'tensor "a" has offset 32, not a multiple of the alignment 64 (misaligned data)',
  ],
  [
    "a tensor past the end of the file",
    gguf().preamble(1, 0).tensor("a", [8], 0, 64).pad().zeros(32).build(),
    'tensor "a" (F32, 32 bytes at offset 64) ends at byte 160 but the file has 96 bytes',
  ],
  [
    "a truncated data section",
    oneTensor().build().subarray(0, 90),
    'tensor "a" (F32, 32 bytes at offset 0) ends at byte 128 but the file has 90 bytes',
  ],
  [
    "a duplicated tensor name",
    gguf().preamble(2, 0).tensor("a", [8], 0, 0).tensor("a", [8], 0, 32).pad().zeros(64).build(),
    'tensor "a" appears twice',
  ],
  [
    "overlapping tensors",
    gguf().preamble(2, 0).tensor("a", [16], 0, 0).tensor("b", [8], 0, 32).pad().zeros(64).build(),
    'tensors "a" (bytes 0 to 64) and "b" (from 32) overlap',
  ],
];

describe("malformed files", () => {
  for (const [what, bytes, message] of cases) {
    it(`refuses ${what} with one line naming the file`, () => {
      expect(errorOf(() => parseGguf(bytes, F))).toBe(`gguf: ${message} (${F})`);
    });
  }

  it("accepts the valid file the truncation case starts from", () => {
    expect(parseGguf(oneTensor().build(), F).tensors.map((t) => t.name)).toEqual(["a"]);
  });

  it("lists a tensor of a type it does not decode, and refuses to read its data", () => {
    const bytes = gguf()
      .preamble(1, 0)
      .tensor("blk.0.ffn_down.weight", [256, 2], 12, 0)
      .pad()
      .zeros(288)
      .build();
    const file = parseGguf(bytes, F);
    expect(file.info("blk.0.ffn_down.weight")).toMatchObject({ type: "Q4_K", byteLength: 288 });
    expect(errorOf(() => file.get("blk.0.ffn_down.weight"))).toBe(
      `gguf: tensor "blk.0.ffn_down.weight" is Q4_K, which this reader does not decode (it reads F32, F16, BF16, Q8_0, Q4_0) (${F})`,
    );
  });

  it("names a few tensors the file has when asked for one it has not", () => {
    const file = parseGguf(oneTensor().build(), F);
    expect(errorOf(() => file.get("b"))).toBe(`gguf: no tensor "b"; the file has "a" (${F})`);
  });

  it("leaves the file name out of the message when it is not known", () => {
    expect(errorOf(() => parseGguf(new Uint8Array(0)))).toBe(
      'gguf: not a GGUF file: it starts with bytes [], not "GGUF"',
    );
  });
});

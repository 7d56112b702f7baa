// A table of malformed files, each with the exact one-line message it must produce. Every file
// is assembled by hand (see assemble.ts); the messages name the file, the tensor and the numbers.
import { describe, expect, it } from "vitest";
import { parseSafetensors, SafetensorsError } from "../src/index.ts";
import { assemble, f32Bytes } from "./assemble.ts";

const F = "bad.safetensors";
const A = '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';
const B = '"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}';
const valid = assemble(`{${A},${B}}`, f32Bytes([1, 2, 3]));

const cases: [string, Uint8Array, string][] = [
  [
    "a file shorter than the length prefix",
    new Uint8Array(5),
    "file is 5 bytes, too short to hold the 8-byte header length",
  ],
  [
    "a header length beyond the file",
    assemble("{}", [], 100n),
    "header length 100 runs past the end of the file (10 bytes)",
  ],
  [
    "a truncated header",
    valid.subarray(0, 30),
    `header length ${`{${A},${B}}`.length} runs past the end of the file (30 bytes)`,
  ],
  [
    "a huge header length",
    assemble("{}", [], 2n ** 64n - 1n),
    "header length 18446744073709551615 is over the 100000000-byte limit",
  ],
  [
    "a header just over the 100 MB cap",
    assemble("{}", [], 100_000_001n),
    "header length 100000001 is over the 100000000-byte limit",
  ],
  [
    "a text file (a README given by mistake)",
    new TextEncoder().encode("# Notes\nhello, world: not tensors\n"),
    'not a safetensors file: it begins with text ("# Notes\\n"), not an 8-byte header length',
  ],
  [
    "a text file whose 8th byte is half of a UTF-8 character",
    new TextEncoder().encode("recipe:\u00e9 and more words"),
    'not a safetensors file: it begins with text ("recipe:"), not an 8-byte header length',
  ],
  ["invalid JSON", assemble('{"a":'), "header is not valid JSON: unexpected end of text at character 5"],
  [
    "a trailing comma",
    assemble('{"a":1,}'),
    'header is not valid JSON: expected a key string, found "}" at character 7',
  ],
  ["a byte-order mark", assemble("\uFEFF{}"), 'header is not valid JSON: unexpected "\uFEFF" at character 0'],
  ["JSON that is not an object", assemble("[1,2]"), "header must be a JSON object, got array"],
  [
    "non-UTF-8 bytes in the header",
    assemble('{"\xff":1}').map((b, i) => (i === 10 ? 0xff : b)),
    "header is not valid UTF-8",
  ],
  [
    "an unknown dtype",
    assemble('{"a":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}}', new Array(8).fill(0)),
    'tensor "a" has unknown dtype "F17"',
  ],
  ["a missing field", assemble('{"a":{"dtype":"F32","shape":[2]}}'), 'tensor "a" has no "data_offsets"'],
  [
    "a tensor entry that is not an object",
    assemble('{"a":[1]}'),
    'tensor "a" must be an object with dtype, shape and data_offsets, got array',
  ],
  [
    "a fractional dimension",
    assemble('{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}', new Array(8).fill(0)),
    'tensor "a" has shape [2.0]; expected a list of whole numbers >= 0',
  ],
  [
    "a negative dimension",
    assemble('{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', new Array(8).fill(0)),
    'tensor "a" has shape [-2]; expected a list of whole numbers >= 0',
  ],
  [
    "a dimension written -0 (serde_json reads it as a float, which no usize accepts)",
    assemble('{"a":{"dtype":"F32","shape":[-0],"data_offsets":[0,0]}}'),
    'tensor "a" has shape [-0]; expected a list of whole numbers >= 0',
  ],
  [
    "an offset written -0",
    assemble('{"a":{"dtype":"F32","shape":[0],"data_offsets":[-0,0]}}'),
    'tensor "a" has data_offsets [-0,0]; expected [begin, end] in bytes',
  ],
  [
    "an offset above 2^53",
    assemble('{"a":{"dtype":"F32","shape":[2],"data_offsets":[9007199254740993,9007199254741001]}}'),
    'tensor "a" has data_offsets [9007199254740993,9007199254741001]: an offset is above 2^53 - 1 (9007199254740991), larger than any file',
  ],
  [
    "a dimension above 2^53",
    assemble(
      '{"a":{"dtype":"U8","shape":[1,18446744073709551615],"data_offsets":[0,8]}}',
      new Array(8).fill(0),
    ),
    'tensor "a" has shape [1,18446744073709551615]: a dimension is above 2^53 - 1 (9007199254740991), larger than any file',
  ],
  [
    "offsets that are not a pair",
    assemble('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}', new Array(8).fill(0)),
    'tensor "a" has data_offsets [0,8,9]; expected [begin, end] in bytes',
  ],
  [
    "a shape that disagrees with the offsets",
    assemble('{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}', new Array(20).fill(0)),
    'tensor "a" is F32 [2, 3] (24 bytes) but its data_offsets [0, 20] span 20 bytes',
  ],
  [
    "a shape too large to exist",
    assemble(
      '{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}',
      new Array(8).fill(0),
    ),
    'tensor "a" is F32 [4294967296, 4294967296] (more than 2^53 bytes) but its data_offsets [0, 8] span 8 bytes',
  ],
  [
    "offsets that end before they begin",
    assemble('{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}', new Array(8).fill(0)),
    'tensor "a" has data_offsets [8, 0]: it ends before it begins',
  ],
  [
    "offsets past the end of the data",
    assemble(`{${A},${B}}`, f32Bytes([1, 2]).concat([0, 0])),
    'tensor "b" ends at byte 12 but the data section has 10 bytes',
  ],
  [
    "overlapping offsets",
    assemble(`{${A},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f32Bytes([1, 2])),
    'tensors "a" [0, 8] and "b" [4, 8] overlap',
  ],
  [
    "a gap between tensors",
    assemble(`{${A},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}`, f32Bytes([1, 2, 3, 4])),
    '4 bytes of the data section between "a" (ends at 8) and "b" (begins at 12) belong to no tensor',
  ],
  [
    "a gap before the first tensor",
    assemble('{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32Bytes([1, 2])),
    '4 bytes of the data section between the start of the data section and "b" (begins at 4) belong to no tensor',
  ],
  [
    "trailing bytes after the last tensor",
    assemble(`{${A},${B}}`, f32Bytes([1, 2, 3, 4])),
    "the data section has 16 bytes but the tensors cover only 12",
  ],
  [
    "duplicate tensor names",
    assemble(`{${A},${A}}`, f32Bytes([1, 2])),
    'tensor "a" appears twice in the header',
  ],
  [
    "a duplicate field inside a tensor",
    assemble('{"a":{"dtype":"F32","dtype":"I32","shape":[2],"data_offsets":[0,8]}}', f32Bytes([1, 2])),
    'tensor "a" has "dtype" twice',
  ],
  [
    "duplicate __metadata__",
    assemble('{"__metadata__":{},"__metadata__":{}}'),
    "__metadata__ appears twice in the header",
  ],
  [
    "a metadata value that is not a string",
    assemble('{"__metadata__":{"step":5}}'),
    '__metadata__ value of "step" must be a string, got number',
  ],
  [
    "a lone surrogate escape",
    assemble('{"\\ud800":1}'),
    "header is not valid JSON: lone surrogate in \\u escape at character 8",
  ],
  [
    "nesting deeper than 128 levels",
    assemble(`{"a":${"[".repeat(200)}${"]".repeat(200)}}`),
    "header is not valid JSON: nesting deeper than 128 levels at character 132",
  ],
];

describe("malformed files", () => {
  it.each(cases)("rejects %s with a message naming the problem", (_, bytes, message) => {
    let error: unknown;
    try {
      parseSafetensors(bytes, F);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SafetensorsError);
    expect((error as Error).name).toBe("SafetensorsError");
    expect((error as Error).message).toBe(`safetensors: ${message} (${F})`);
  });

  it("accepts the valid file the table is built from", () => {
    expect(parseSafetensors(valid, F).tensors.map((t) => t.name)).toEqual(["a", "b"]);
  });

  it("names the tensor and lists some that exist when asked for a missing one", () => {
    expect(() => parseSafetensors(valid, F).get("c")).toThrow(
      `safetensors: no tensor "c"; the file has "a", "b" (${F})`,
    );
  });
});

// Typed access to metadata, on gguf-py's llama-style fixture: the value when the key holds the
// type asked for, one line naming key, type and file when it does not.
import { describe, expect, it } from "vitest";
import {
  GgufError,
  type GgufMetadata,
  getArray,
  getBoolean,
  getNumber,
  getString,
  parseGguf,
} from "../src/index.ts";
import { fixtureBytes } from "./expected.ts";

const F = "tokenizer-v2.gguf";
const { metadata } = parseGguf(fixtureBytes(F), F);

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(GgufError);
    return (e as Error).message;
  }
  throw new Error("expected a GgufError, but nothing was thrown");
}

describe("metadata accessors", () => {
  it("read strings, numbers of any width and typed arrays", () => {
    expect(getString(metadata, "general.architecture", F)).toBe("llama");
    expect(getNumber(metadata, "llama.context_length", F)).toBe(64);
    expect(getNumber(metadata, "llama.attention.layer_norm_rms_epsilon", F)).toBe(Math.fround(1e-5));
    const tokens = getArray(metadata, "tokenizer.ggml.tokens", "string", F);
    expect(tokens.slice(0, 4)).toEqual(["<unk>", "<s>", "</s>", "<0x00>"]);
    expect(getArray(metadata, "tokenizer.ggml.scores", "float32", F)).toBeInstanceOf(Float32Array);
    expect([...getArray(metadata, "tokenizer.ggml.token_type", "int32", F).subarray(0, 4)]).toEqual([
      2, 3, 3, 6,
    ]);
  });

  it("read bools and exact 64-bit integers", () => {
    const md: GgufMetadata = new Map([
      ["a.flag", { type: "bool", value: true }],
      ["a.count", { type: "uint64", value: 2n ** 53n - 1n }],
      ["a.huge", { type: "uint64", value: 2n ** 53n }],
    ]);
    expect(getBoolean(md, "a.flag")).toBe(true);
    expect(getNumber(md, "a.count")).toBe(2 ** 53 - 1);
    expect(errorOf(() => getNumber(md, "a.huge"))).toBe(
      'gguf: metadata "a.huge" is 9007199254740992, beyond 2^53 - 1',
    );
  });

  it("name the key, what it holds and the file when it is missing or of another type", () => {
    expect(errorOf(() => getString(metadata, "general.name", F))).toBe(
      `gguf: metadata key "general.name" is missing (${F})`,
    );
    expect(errorOf(() => getNumber(metadata, "general.architecture", F))).toBe(
      `gguf: metadata "general.architecture" is string, expected a number (${F})`,
    );
    expect(errorOf(() => getArray(metadata, "tokenizer.ggml.scores", "float64", F))).toBe(
      `gguf: metadata "tokenizer.ggml.scores" is an array of float32, expected an array of float64 (${F})`,
    );
    expect(errorOf(() => getBoolean(metadata, "tokenizer.ggml.bos_token_id", F))).toBe(
      `gguf: metadata "tokenizer.ggml.bos_token_id" is uint32, expected a bool (${F})`,
    );
  });
});

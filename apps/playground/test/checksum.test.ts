// The weights checksum: FNV-1a as its specification's test vectors give it, and sensitive to any change.
import { describe, expect, it } from "vitest";
import { checksumOf } from "../src/shared/checksum.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("weights checksum", () => {
  it("is FNV-1a 32-bit: the published test vectors", () => {
    expect(checksumOf([])).toBe("811c9dc5");
    expect(checksumOf([bytes("a")])).toBe("e40c292c");
    expect(checksumOf([bytes("foobar")])).toBe("bf9cf968");
  });

  it("hashes several arrays as their bytes one after another, views included", () => {
    const whole = bytes("foobar");
    expect(checksumOf([whole.subarray(0, 2), whole.subarray(2)])).toBe("bf9cf968");
  });

  it("changes when one weight changes by one unit in the last place", () => {
    const w = new Float32Array([0.5, -1.25, 3]);
    const before = checksumOf([w]);
    const bits = new Uint32Array(w.buffer);
    bits[1]! += 1;
    expect(checksumOf([w])).not.toBe(before);
  });
});

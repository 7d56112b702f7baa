// `llmts logits` against a PyTorch reference fixture: the logits it writes match the reference's.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromNumbers, toFloat32 } from "@llmts/safetensors";
import { readSafetensorsFile, writeSafetensors } from "@llmts/safetensors/node";
import { afterAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const fixture = fileURLToPath(new URL("../../../fixtures/llama-gqa-tied", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-logits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function llmts(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
}

describe("llmts logits", () => {
  it("writes F32 logits [B, T, V] within 1e-4 of PyTorch's for the fixture's input_ids", () => {
    const out = join(dir, "out.safetensors");
    const reference = join(fixture, "reference.safetensors");
    const r = llmts("logits", "--model", fixture, "--input", reference, "--out", out);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const ours = readSafetensorsFile(out);
    const ref = readSafetensorsFile(reference);
    expect(ours.info("logits")).toMatchObject({ dtype: "F32", shape: ref.info("logits").shape });
    const a = toFloat32(ours.get("logits"));
    const b = toFloat32(ref.get("logits"));
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it("reports a missing input, ids outside the vocabulary and a too-long sequence in one line each", () => {
    const outOfRange = join(dir, "big-id.safetensors");
    writeSafetensors(outOfRange, { input_ids: fromNumbers("I32", [2, 3], [1, 2, 3, 4, 500, 2]) });
    const beyondInt32 = join(dir, "huge-id.safetensors"); // 2^32: no int32 holds it
    writeSafetensors(beyondInt32, { input_ids: fromNumbers("I64", [2, 2], [1, 2, 3, 2 ** 32]) });
    const negative = join(dir, "negative-id.safetensors");
    writeSafetensors(negative, { input_ids: fromNumbers("I64", [1, 3], [1, -7, 2]) });
    const tooLong = join(dir, "long.safetensors");
    writeSafetensors(tooLong, { input_ids: fromNumbers("I64", [1, 300], new Array(300).fill(1)) }); // context 256
    const cases: [string, RegExp][] = [
      [join(dir, "missing.safetensors"), /^llmts: --input: no such file: .*missing.safetensors\n$/],
      [
        outOfRange,
        /^llmts: --input: input_ids\[1, 1\] = 500 in .*big-id.safetensors is outside the model's vocabulary \[0, 128\)\n$/,
      ],
      [
        beyondInt32,
        /^llmts: --input: input_ids\[1, 1\] = 4294967296 in .*huge-id.safetensors is outside the model's vocabulary \[0, 128\)\n$/,
      ],
      [negative, /^llmts: --input: input_ids\[0, 1\] = -7 in .*negative-id.safetensors is outside/],
      [tooLong, /^llmts: forward: 300 tokens exceed the model's context of 256\n$/],
    ];
    for (const [input, message] of cases) {
      const r = llmts("logits", "--model", fixture, "--input", input, "--out", join(dir, "o.safetensors"));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

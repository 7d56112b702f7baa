// A reader that goes away early (`llmts inspect big.safetensors | head -2`): the command must end
// without a stack trace. Closing stdout ends it with its own status; closing stderr only drops
// what would have been written there.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTensor, type Tensor } from "@llmts/safetensors";
import { writeSafetensors } from "@llmts/safetensors/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const fixture = fileURLToPath(new URL("../../../fixtures/llama-gqa-tied", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-epipe-"));
const big = join(dir, "many-tensors.safetensors");

beforeAll(() => {
  // 4000 one-element tensors: a table of ~250 KB, far more than a pipe buffer (64 KiB) holds.
  const tensors: Record<string, Tensor> = {};
  for (let i = 0; i < 4000; i++) {
    tensors[`model.layers.${i}.self_attn.q_proj.weight`] = createTensor("F32", [1], new Float32Array(1));
  }
  writeSafetensors(big, tensors);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs llmts, closing `closed` (its stdout or stderr) after `after` chunks; collects the other. */
function runClosing(
  args: string[],
  closed: "stdout" | "stderr",
  after: number,
): Promise<{ code: number | null; other: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const pipe = child[closed];
  if (after === 0) pipe.destroy();
  else {
    let chunks = 0;
    pipe.on("data", () => {
      if (++chunks >= after) pipe.destroy();
    });
  }
  let other = "";
  child[closed === "stdout" ? "stderr" : "stdout"].on("data", (d: Buffer) => {
    other += d.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, other })));
}

describe("a closed output pipe", () => {
  it("ends `llmts inspect | head` with status 0 and nothing on stderr", async () => {
    const { code, other } = await runClosing(["inspect", big], "stdout", 1);
    expect(other).toBe("");
    expect(code).toBe(0);
  });

  it("does not stop a command when stderr closes: `llmts logits --verbose` still writes its file", async () => {
    const out = join(dir, "logits.safetensors");
    const input = join(fixture, "reference.safetensors");
    const args = ["logits", "--model", fixture, "--input", input, "--out", out, "--verbose"];
    const { code, other } = await runClosing(args, "stderr", 0);
    expect(other).toBe(`wrote ${out}: logits [2, 16, 128]\n`);
    expect(code).toBe(0);
  });
});

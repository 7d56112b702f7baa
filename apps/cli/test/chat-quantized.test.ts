// `llmts chat` (and so `llmts serve`, which loads models the same way) on quantized weights and
// GGUF: the demo model quantized to Q8_0 by `llmts quantize` (a directory with model.gguf), and
// the GGUF file alone, whose metadata carries the tokenizer. Both hold the same weights and the
// same vocabulary, so their greedy replies are the same text.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const demo = fileURLToPath(new URL("../../../fixtures/gguf-models/demo-moby-dick", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "llmts-chat-q-"));
const quantized = join(scratch, "q8");

function llmts(
  args: string[],
  stdin = "",
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args]);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

beforeAll(async () => {
  const r = await llmts(["quantize", "--model", demo, "--format", "q8_0", "--out", quantized]);
  expect(r.status, r.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("llmts chat on quantized weights", () => {
  it("answers from the directory llmts quantize wrote and from its GGUF file alone, alike", async () => {
    const replies: string[] = [];
    for (const model of [quantized, join(quantized, "model.gguf")]) {
      const chat = await llmts(
        ["chat", "--model", model, "--temperature", "0", "--max-new-tokens", "12", "--threads", "1"],
        "Call me Ishmael\n",
      );
      expect(chat.status, chat.stderr).toBe(0);
      expect(chat.stderr).toMatch(/12 generated/);
      replies.push(chat.stdout);
    }
    expect(replies[0]!.trim().length).toBeGreaterThan(0);
    expect(replies[1]).toBe(replies[0]);
  });
});

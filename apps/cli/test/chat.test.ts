// `llmts chat` over piped stdin, one message per line: each reply on its own line, a stats line
// per turn on stderr, earlier turns kept in the KV cache (the second turn feeds only its new
// tokens), and /reset and /system. Replies are checked against `llmts generate --prompt-ids` on
// the prompt the chat template renders (the plain default: this char model has no template).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChatTemplate } from "@llmts/chat";
import { createModel, parseConfig } from "@llmts/model";
import { saveModel } from "@llmts/model/node";
import { Rng } from "@llmts/tensor";
import { CharTokenizer } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-chat-"));
const tokenizer = CharTokenizer.fromText("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.,:;!?'\n");
const template = ChatTemplate.plain();

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

interface Stats {
  fed: number;
  reused: number;
  generated: number;
}

function stats(stderr: string): Stats[] {
  return [...stderr.matchAll(/\[(\d+) new prompt tokens \((\d+) reused\), (\d+) generated/g)].map((m) => ({
    fed: Number(m[1]),
    reused: Number(m[2]),
    generated: Number(m[3]),
  }));
}

/** The reply `llmts generate` gives to this conversation (greedy, stopping at the end of the line). */
async function reference(messages: { role: string; content: string }[], maxNew: number): Promise<string> {
  const ids = tokenizer.encode(template.render(messages));
  const r = await llmts([
    "generate",
    "--model",
    dir,
    "--prompt-ids",
    ids.join(","),
    "--temperature",
    "0",
    "--max-new-tokens",
    String(maxNew),
    "--stop",
    "\n",
    "--json",
  ]);
  return (JSON.parse(r.stdout.trim()) as { text: string }).text;
}

beforeAll(() => {
  const config = parseConfig({
    model_type: "gpt2",
    n_layer: 2,
    n_head: 2,
    n_embd: 64,
    vocab_size: tokenizer.vocabSize,
    n_positions: 256,
  });
  saveModel(dir, createModel(config, new Rng(11)));
  saveTokenizer(tokenizer, dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("llmts chat", () => {
  it("answers one message per line, the second turn feeding only its new tokens", async () => {
    const flags = ["chat", "--model", dir, "--temperature", "0", "--max-new-tokens", "12"];
    const r = await llmts(flags, "Hello there\nWho are you?\n");
    expect(r.status).toBe(0);
    const replies = r.stdout.split("\n").slice(0, 2);
    const [first, second] = stats(r.stderr);
    const turn1 = [{ role: "user", content: "Hello there" }];
    const turn2 = [
      ...turn1,
      { role: "assistant", content: replies[0]! },
      { role: "user", content: "Who are you?" },
    ];
    expect(replies[0]).toBe(await reference(turn1, 12));
    expect(replies[1]).toBe(await reference(turn2, 12));
    // Turn 1 fed its whole prompt; turn 2 found turn 1's prompt and reply (all but the last
    // sampled token, which is never fed back) in the cache, and fed the rest.
    expect(first).toMatchObject({ fed: template.render(turn1).length, reused: 0 });
    expect(second!.reused).toBe(first!.fed + first!.generated - 1);
    expect(second!.fed + second!.reused).toBe(template.render(turn2).length);
  });

  it("/system sets the system message and /reset starts the conversation over", async () => {
    const r = await llmts(
      ["chat", "--model", dir, "--temperature", "0", "--max-new-tokens", "4"],
      "Hi\n/system Be brief.\nHi\n/reset\nHi\n",
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\(system message set; conversation reset\)/);
    expect(r.stderr).toMatch(/\(conversation reset\)/);
    const turns = stats(r.stderr).map((s) => s.fed + s.reused);
    const withSystem = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
    ];
    expect(turns).toEqual([
      template.render([{ role: "user", content: "Hi" }]).length,
      template.render(withSystem).length,
      template.render(withSystem).length, // /reset keeps the system message
    ]);
  });

  it("reports a message the tokenizer cannot encode and goes on with the next one", async () => {
    const r = await llmts(["chat", "--model", dir, "--max-new-tokens", "2"], "snow ☃\nok\n");
    expect(r.stderr).toMatch(/^llmts: .*☃/m);
    expect(stats(r.stderr)).toHaveLength(1);
    expect(r.status).toBe(1);
  });
});

// `llmts chat --model DIR [--system TEXT] [sampling flags]`: an interactive chat in the terminal.
// Each line typed is a user message; the reply streams back, then a stats line on stderr. Piped
// stdin works the same way, one message per line.
//
//   messages -> chat template -> prompt ids -> ContinuousBatcher (one slot) -> reply streamed
//
// The conversation is re-rendered in full every turn (the template decides how turns join), but
// the KV cache is not recomputed: the slot still holds the previous turns, so only the tokens
// after the longest shared prefix are fed (@llmts/sample's slot-table.ts). The stats line shows
// it: "[12 new prompt tokens (48 reused), 20 generated (eos_token) | ...]".
// Commands: /reset (forget the conversation), /system TEXT (set the system message and reset).
// Ctrl-C during a reply stops the reply; at the prompt (or Ctrl-D) it ends the chat.
// Not here: templates (@llmts/chat), the generation loop (@llmts/sample).

import { createInterface } from "node:readline";
import { type ChatMessage, chatPromptIds } from "@llmts/chat";
import { type BatchJob, type BatchResult, ContinuousBatcher } from "@llmts/sample";
import type { Command } from "commander";
import {
  addBackendFlags,
  applyBackendFlags,
  type BackendFlags,
  inferenceAllocate,
} from "../backend-flags.ts";
import { parseNumberFlag } from "../errors.ts";
import { addSamplingFlags, parseSamplingFlags, type SamplingFlags } from "../sampling-flags.ts";
import { loadServedModel } from "../serving-model.ts";

interface ChatFlags extends BackendFlags, SamplingFlags {
  model: string;
  system?: string;
  maxNewTokens?: string;
}

export function registerChat(program: Command): void {
  const command = program
    .command("chat")
    .description("chat with a model in the terminal (or over piped stdin, one message per line)")
    .requiredOption("--model <dir>", "model directory (config.json + model.safetensors + tokenizer files)")
    .option("--system <text>", "system message at the start of the conversation (default: none)")
    .option(
      "--max-new-tokens <n>",
      "tokens per reply at most (default: whatever room the context window has left)",
    );
  addSamplingFlags(command);
  command.addHelpText(
    "after",
    `
Type a message and press Enter; the reply streams to stdout, then a stats line goes to stderr.
/reset forgets the conversation; /system TEXT sets the system message (and resets). Ctrl-D ends.
The model's chat template is used (tokenizer_config.json or chat_template.jinja); a model without
one gets a plain transcript ("user: ...", "assistant: ...") whose replies end at a newline.
Earlier turns stay in the KV cache: each turn feeds only its new tokens.

Example:
  llmts chat --model out/moby-dick --temperature 0.8 --top-k 40`,
  );
  addBackendFlags(command).action((o: ChatFlags) => runChat(o));
}

async function runChat(o: ChatFlags): Promise<void> {
  const sampling = parseSamplingFlags(o);
  const maxNew =
    o.maxNewTokens === undefined
      ? undefined
      : parseNumberFlag("--max-new-tokens", o.maxNewTokens, { integer: true, min: 1 });
  applyBackendFlags(o);
  const model = loadServedModel(o.model, 1, inferenceAllocate(o));
  const batcher = new ContinuousBatcher(model.slots, { tokenizer: model.tokenizer });
  const context = model.slots.contextLength;
  const interactive = process.stdin.isTTY === true;
  const note = (line: string) => process.stderr.write(`${line}\n`);
  if (interactive) note(`chat with ${o.model}: /reset, /system TEXT, Ctrl-D to end`);

  let system = o.system;
  let messages: ChatMessage[] = [];
  const reset = () => {
    messages = system === undefined ? [] : [{ role: "system", content: system }];
  };
  reset();

  let current: BatchJob | null = null;
  process.on("SIGINT", () => {
    if (current) current.cancel();
    else process.exit(130);
  });

  const lines = createInterface({ input: process.stdin, terminal: false });
  if (interactive) process.stdout.write("> ");
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === "/reset") {
      reset();
      note("(conversation reset)");
    } else if (line === "/system" || line.startsWith("/system ")) {
      system = line.slice("/system".length).trim() || undefined;
      reset();
      note(
        system === undefined
          ? "(system message removed; conversation reset)"
          : "(system message set; conversation reset)",
      );
    } else if (line !== "") {
      messages.push({ role: "user", content: line });
      const reply = await turn(messages);
      if (reply === null) messages.pop();
      else messages.push({ role: "assistant", content: reply });
    }
    if (interactive) process.stdout.write("> ");
  }
  if (interactive) process.stdout.write("\n");

  /** One reply: streamed to stdout; null (and an error line) when the turn could not run. */
  async function turn(history: ChatMessage[]): Promise<string | null> {
    let ids: number[];
    try {
      ids = chatPromptIds(model.template, model.tokenizer, history);
    } catch (error) {
      note(`llmts: ${(error as Error).message}`);
      process.exitCode = 1;
      return null;
    }
    const room = context - ids.length;
    if (room < 1) {
      note(
        `llmts: the conversation (${ids.length} tokens) no longer fits the model's context of ${context}; /reset to start over`,
      );
      process.exitCode = 1;
      return null;
    }
    current = batcher.submit({
      promptIds: ids,
      config: {
        ...sampling,
        max_new_tokens: Math.min(maxNew ?? room, room),
        eos_token_id: [...model.eosIds],
        stop_strings: [...(sampling.stop_strings ?? []), ...model.template.stopStrings],
      },
      onToken: (event) => process.stdout.write(event.text),
    });
    await batcher.drive(() => new Promise((resolve) => setImmediate(resolve)));
    const result = await current.result;
    current = null;
    process.stdout.write("\n");
    note(formatStats(result));
    return result.text;
  }
}

function formatStats(r: BatchResult): string {
  const fed = r.prompt_ids.length - r.cached_tokens;
  const n = r.generated_ids.length;
  const decode = n > 1 && r.decode_ms > 0 ? `${(((n - 1) * 1000) / r.decode_ms).toFixed(1)} tok/s` : "n/a";
  return (
    `[${fed} new prompt tokens (${r.cached_tokens} reused), ${n} generated (${r.finish_reason})` +
    ` | first token ${r.time_to_first_token_ms.toFixed(1)} ms | decode ${decode}]`
  );
}

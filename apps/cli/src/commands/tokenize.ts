// `llmts tokenize --tokenizer <tokenizer.json | model dir> ["text"]`: text -> token ids, or with
// `--decode 1,2,3` ids -> text. Without a text argument the whole of stdin is the text.
//
//   $ llmts tokenize --tokenizer models/gpt2 "Hello world"
//   2 tokens
//     15496  Hello   "Hello"
//       995  Ġworld  " world"
//
// `--json` prints {"ids": [...], "tokens": [...]} (tokens are vocabulary strings, as Hugging Face
// shows them), or {"text": "..."} with --decode. All tokenization is @llmts/tokenizer's; this
// file only reads input and formats output. Encoding never adds BOS/EOS.
import { readFileSync } from "node:fs";
import { loadTokenizer, type Tokenizer } from "@llmts/tokenizer";
import type { Command } from "commander";
import { CliError } from "../errors.ts";

interface TokenizeOptions {
  tokenizer: string;
  json?: boolean;
  decode?: string;
}

function parseIds(value: string, tokenizer: Tokenizer): number[] {
  return value
    .split(/[\s,]+/)
    .filter((s) => s !== "")
    .map((s) => {
      const id = Number(s);
      if (!Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize) {
        throw new CliError(`--decode: "${s}" is not a token id (0..${tokenizer.vocabSize - 1})`);
      }
      return id;
    });
}

function table(tokenizer: Tokenizer, ids: number[]): string {
  const rows = ids.map((id) => [
    String(id),
    tokenizer.idToToken(id) ?? "",
    JSON.stringify(tokenizer.decode([id])),
  ]);
  const idWidth = Math.max(0, ...rows.map((r) => r[0]!.length));
  const tokenWidth = Math.max(0, ...rows.map((r) => r[1]!.length));
  const lines = rows.map(
    ([id, token, text]) => `  ${id!.padStart(idWidth)}  ${token!.padEnd(tokenWidth)}  ${text}`,
  );
  return [`${ids.length} token${ids.length === 1 ? "" : "s"}`, ...lines].join("\n");
}

export function registerTokenize(program: Command): void {
  program
    .command("tokenize")
    .description("show the token ids and pieces of a text (or decode ids with --decode)")
    .argument("[text]", "text to tokenize (default: all of stdin)")
    .requiredOption("--tokenizer <path>", "tokenizer.json, vocab.json + merges.txt, or a model directory")
    .option("--json", "print JSON: {ids, tokens}, or {text} with --decode")
    .option("--decode <ids>", "decode comma-separated ids instead, e.g. 15496,995")
    .action((text: string | undefined, o: TokenizeOptions) => {
      const tokenizer = loadTokenizer(o.tokenizer);
      if (o.decode !== undefined) {
        if (text !== undefined) throw new CliError("--decode: give either ids to decode or a text, not both");
        const decoded = tokenizer.decode(parseIds(o.decode, tokenizer));
        process.stdout.write(o.json ? `${JSON.stringify({ text: decoded })}\n` : `${decoded}\n`);
        return;
      }
      const input = text ?? readFileSync(0, "utf8");
      const ids = tokenizer.encode(input);
      if (o.json) {
        const tokens = ids.map((id) => tokenizer.idToToken(id) ?? "");
        process.stdout.write(`${JSON.stringify({ ids, tokens })}\n`);
      } else {
        process.stdout.write(`${table(tokenizer, ids)}\n`);
      }
    });
}

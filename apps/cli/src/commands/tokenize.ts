// `llmts tokenize --tokenizer <tokenizer.json | model dir> ["text"]`: text -> token ids, or with
// `--decode 1,2,3` ids -> text. Without a text argument the whole of stdin is the text.
//
//   $ llmts tokenize --tokenizer models/gpt2 "Hello world"
//   2 tokens
//     15496  Hello   "Hello"
//       995  Ġworld  " world"
//
// The last column is each token's own text, from its bytes: "▁the" shows " the" (decode([id])
// would strip SentencePiece's leading space), and a token holding part of a UTF-8 character
// shows its bytes, <E6 97>.
// `--json` prints {"ids": [...], "tokens": [...]} (tokens are vocabulary strings, as Hugging Face
// shows them), or {"text": "..."} with --decode. All tokenization is @llmts/tokenizer's; this
// file only reads input and formats output. Encoding adds no BOS/EOS unless
// --add-special-tokens (Hugging Face's add_special_tokens=True: the post-processor's template).
import { readFileSync } from "node:fs";
import type { Tokenizer } from "@llmts/tokenizer";
import { loadTokenizer } from "@llmts/tokenizer/node";
import type { Command } from "commander";
import { CliError } from "../errors.ts";

interface TokenizeOptions {
  tokenizer: string;
  json?: boolean;
  decode?: string;
  addSpecialTokens?: boolean;
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

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A token's own text as a JSON string (" the"), or its bytes (<E6 97>) if they are not UTF-8. */
function pieceText(tokenizer: Tokenizer, id: number): string {
  const bytes = tokenizer.idToBytes(id) ?? new Uint8Array(0);
  try {
    return JSON.stringify(strictUtf8.decode(bytes));
  } catch {
    return `<${Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join(" ")}>`;
  }
}

function table(tokenizer: Tokenizer, ids: number[]): string {
  const rows = ids.map((id) => [String(id), tokenizer.idToToken(id) ?? "", pieceText(tokenizer, id)]);
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
    .option(
      "--add-special-tokens",
      "add the special tokens the tokenizer's post-processor puts around a text (Llama's BOS), as " +
        "Hugging Face's encode() does by default (default: off, the text's own tokens only)",
    )
    .action((text: string | undefined, o: TokenizeOptions) => {
      const tokenizer = loadTokenizer(o.tokenizer);
      if (o.decode !== undefined) {
        if (text !== undefined) throw new CliError("--decode: give either ids to decode or a text, not both");
        if (o.addSpecialTokens)
          throw new CliError("--add-special-tokens: only for encoding, not with --decode");
        const decoded = tokenizer.decode(parseIds(o.decode, tokenizer));
        process.stdout.write(o.json ? `${JSON.stringify({ text: decoded })}\n` : `${decoded}\n`);
        return;
      }
      const input = text ?? readFileSync(0, "utf8");
      const ids = tokenizer.encode(input, { addSpecialTokens: o.addSpecialTokens === true });
      if (o.json) {
        const tokens = ids.map((id) => tokenizer.idToToken(id) ?? "");
        process.stdout.write(`${JSON.stringify({ ids, tokens })}\n`);
      } else {
        process.stdout.write(`${table(tokenizer, ids)}\n`);
      }
    });
}

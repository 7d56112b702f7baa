// `llmts tokenizer train --data FILE --vocab-size N --out tokenizer.json`: train a byte-level BPE
// (minbpe-style, GPT-2's split pattern) on a text file and save it as a Hugging Face
// tokenizer.json, with a progress bar on stderr and the speed at the end.
// Before training, --out is checked (outputs.ts): an existing tokenizer.json — a model's own, in
// `--out MODEL` — is replaced only with --force, and --data never, whatever the flags.
// The training itself is @llmts/tokenizer's trainBpe; this file handles flags, files and output.
import { join } from "node:path";
import { readLimitedText } from "@llmts/safetensors/node";
import { trainBpe } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { CliError, parseNumberFlag, warn } from "../errors.ts";
import { prepareOutputFile, refuseInputAsOutput, refuseToReplace } from "../outputs.ts";

interface TrainOptions {
  data: string;
  vocabSize: string;
  out: string;
  specialTokens?: string;
  force?: boolean;
}

/** The largest --data file (as `llmts train`'s): the text and its pieces live in memory. */
const MAX_DATA_BYTES = 512 * 2 ** 20;

/** The file --out names: itself when it ends in .json, else DIR/tokenizer.json (as saveTokenizer does). */
function outputFile(out: string): string {
  return out.endsWith(".json") ? out : join(out, "tokenizer.json");
}

export function registerTokenizerTrain(program: Command): void {
  const tokenizer = program.command("tokenizer").description("tokenizer tools");
  tokenizer
    .command("train")
    .description("train a byte-level BPE tokenizer on a text file; writes a Hugging Face tokenizer.json")
    .requiredOption("--data <file>", "UTF-8 text file to train on")
    .requiredOption("--vocab-size <n>", "ids in all: 256 bytes + merges + special tokens")
    .requiredOption("--out <path>", "tokenizer.json to write (or a directory to write it into)")
    .option("--special-tokens <list>", 'comma-separated special tokens, e.g. "<|endoftext|>"')
    .option("--force", "replace an existing tokenizer.json at --out (a model's own included)")
    .action((o: TrainOptions) => {
      const specialTokens = (o.specialTokens ?? "").split(",").filter((s) => s !== "");
      const repeated = specialTokens.find((t, i) => specialTokens.indexOf(t) !== i);
      if (repeated !== undefined) throw new CliError(`--special-tokens: "${repeated}" is listed twice`);
      const vocabSize = parseNumberFlag("--vocab-size", o.vocabSize, {
        integer: true,
        min: 256 + specialTokens.length,
      });
      const text = readLimitedText(o.data, MAX_DATA_BYTES, (reason) => {
        throw new CliError(`--data: ${o.data} ${reason}`);
      });
      const file = outputFile(o.out);
      refuseInputAsOutput("--out", [file], [{ flag: "--data", path: o.data }]);
      prepareOutputFile("--out", file);
      refuseToReplace("--out", [file], o.force === true, ", or choose another --out");
      const bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: "training BPE [{bar}] {value}/{total} merges | {eta_formatted} left",
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(vocabSize - 256 - specialTokens.length, 0);
      const start = performance.now();
      const trained = trainBpe(text, vocabSize, { specialTokens, onProgress: (done) => bar.update(done) });
      const seconds = (performance.now() - start) / 1000;
      bar.stop();
      saveTokenizer(trained, file);
      if (trained.vocabSize < vocabSize) {
        // BPE stops when no pair of tokens occurs twice: the text is too small for the vocabulary.
        warn(
          `tokenizer train: ${o.data} has no more pairs to merge: ${trained.vocabSize} tokens, not the ${vocabSize} asked for`,
        );
      }
      const mb = Buffer.byteLength(text) / 1e6;
      process.stdout.write(
        `trained ${trained.vocabSize} tokens on ${mb.toFixed(2)} MB in ${seconds.toFixed(2)} s (${(mb / seconds).toFixed(2)} MB/s); wrote ${file}\n`,
      );
    });
}

// `llmts tokenizer train --data FILE --vocab-size N --out tokenizer.json`: train a byte-level BPE
// (minbpe-style, GPT-2's split pattern) on a text file and save it as a Hugging Face
// tokenizer.json, with a progress bar on stderr and the speed at the end.
// The training itself is @llmts/tokenizer's trainBpe; this file handles flags, files and output.
import { existsSync, readFileSync } from "node:fs";
import { trainBpe } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { CliError, parseNumberFlag } from "../errors.ts";

interface TrainOptions {
  data: string;
  vocabSize: string;
  out: string;
  specialTokens?: string;
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
    .action((o: TrainOptions) => {
      if (!existsSync(o.data)) throw new CliError(`--data: no such file: ${o.data}`);
      const specialTokens = (o.specialTokens ?? "").split(",").filter((s) => s !== "");
      const repeated = specialTokens.find((t, i) => specialTokens.indexOf(t) !== i);
      if (repeated !== undefined) throw new CliError(`--special-tokens: "${repeated}" is listed twice`);
      const vocabSize = parseNumberFlag("--vocab-size", o.vocabSize, {
        integer: true,
        min: 256 + specialTokens.length,
      });
      const text = readFileSync(o.data, "utf8");
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
      saveTokenizer(trained, o.out);
      if (trained.vocabSize < vocabSize) {
        // BPE stops when no pair of tokens occurs twice: the text is too small for the vocabulary.
        process.stderr.write(
          `llmts: tokenizer train: ${o.data} has no more pairs to merge: ${trained.vocabSize} tokens, not the ${vocabSize} asked for\n`,
        );
      }
      const mb = Buffer.byteLength(text) / 1e6;
      process.stdout.write(
        `trained ${trained.vocabSize} tokens on ${mb.toFixed(2)} MB in ${seconds.toFixed(2)} s (${(mb / seconds).toFixed(2)} MB/s); wrote ${o.out}\n`,
      );
    });
}

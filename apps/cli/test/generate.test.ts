// `llmts generate` run as a user runs it: the real bin, real model directories.
// Greedy continuations are checked against the PyTorch reference of every fixture; the rest uses
// tiny random models saved with a tokenizer (a char vocabulary and a trained byte-level BPE).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createModel, parseConfig } from "@llmts/model";
import { saveModel } from "@llmts/model/node";
import { Rng } from "@llmts/tensor";
import { CharTokenizer, fromTokenizerJson, type Tokenizer, trainBpe } from "@llmts/tokenizer";
import { saveTokenizer } from "@llmts/tokenizer/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const fixtures = fileURLToPath(new URL("../../../fixtures", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-generate-"));
const charModel = join(dir, "char");
const bpeModel = join(dir, "bpe");
const noTokenizer = join(dir, "ids-only");
const spModel = join(dir, "sentencepiece");
const smallWindow = join(dir, "window-16");
const charText = "the cat sat on the mat. ";
let bpe: Tokenizer;
let sp: Tokenizer;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The bin, asynchronously, so independent runs overlap (each spends ~1 s starting up). */
function llmts(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "generate", ...args]);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The JSON object on the last line of stdout. */
function lastJson(r: Run): Record<string, unknown> {
  expect(r.stderr).not.toMatch(/Error|at .*\.ts:/);
  expect(r.status).toBe(0);
  const lines = r.stdout.trimEnd().split("\n");
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
}

/** A tiny random GPT-2 whose vocabulary is the tokenizer's, saved with it. */
function saveTinyModel(out: string, vocabSize: number, tokenizer: Tokenizer | null, nPositions = 128): void {
  const config = parseConfig({
    model_type: "gpt2",
    n_layer: 2,
    n_head: 2,
    n_embd: 32,
    vocab_size: vocabSize,
    n_positions: nPositions,
  });
  saveModel(out, createModel(config, new Rng(7)));
  if (tokenizer) saveTokenizer(tokenizer, out);
}

/**
 * A Llama 2-layout SentencePiece tokenizer whose every ordinary token is a word with its space,
 * "▁a".."▁y" (ids 3..27): decoding strips the space in front of the first one, so any stray
 * leading space in generated text shows. Its post-processor adds <s> (BOS) before a prompt.
 */
function spWordTokenizer(): Tokenizer {
  const vocab: Record<string, number> = { "<unk>": 0, "<s>": 1, "</s>": 2 };
  for (const c of "abcdefghijklmnopqrstuvwxy") vocab[`▁${c}`] = Object.keys(vocab).length;
  const special = (id: number, content: string) => ({ id, content, special: true, normalized: false });
  return fromTokenizerJson(
    {
      added_tokens: [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
      normalizer: {
        type: "Sequence",
        normalizers: [
          { type: "Prepend", prepend: "▁" },
          { type: "Replace", pattern: { String: " " }, content: "▁" },
        ],
      },
      post_processor: {
        type: "TemplateProcessing",
        single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
        special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
      },
      decoder: {
        type: "Sequence",
        decoders: [
          { type: "Replace", pattern: { String: "▁" }, content: " " },
          { type: "Fuse" },
          { type: "Strip", content: " ", start: 1, stop: 0 },
        ],
      },
      model: { type: "BPE", unk_token: "<unk>", vocab, merges: [] },
    },
    "word-pieces.json",
  );
}

beforeAll(() => {
  saveTinyModel(charModel, CharTokenizer.fromText(charText).vocabSize, CharTokenizer.fromText(charText));
  // Byte-level BPE: random sampling emits lone bytes of multi-byte characters, so the stream
  // decoder has to hold partial characters back.
  bpe = trainBpe("naïve café, 東京 and 🙂 — ".repeat(20), 280);
  saveTinyModel(bpeModel, bpe.vocabSize, bpe);
  saveTinyModel(noTokenizer, 50, null);
  sp = spWordTokenizer();
  saveTinyModel(spModel, sp.vocabSize, sp);
  saveTinyModel(
    smallWindow,
    CharTokenizer.fromText(charText).vocabSize,
    CharTokenizer.fromText(charText),
    16,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("llmts generate", () => {
  it("continues every fixture's prompt greedily with the reference's tokens", async () => {
    const names = readdirSync(fixtures).filter((n) => {
      try {
        readFileSync(join(fixtures, n, "reference.json"));
        return true;
      } catch {
        return false;
      }
    });
    expect(names.length).toBeGreaterThanOrEqual(8);
    const runs = names.map(async (name) => {
      const ref = JSON.parse(readFileSync(join(fixtures, name, "reference.json"), "utf8"));
      const r = await llmts(
        "--model",
        join(fixtures, name),
        "--prompt-ids",
        ref.prompt_ids.join(","),
        "--max-new-tokens",
        String(ref.max_new_tokens),
        "--temperature",
        "0",
        "--json",
      );
      const json = lastJson(r);
      return { name, ids: json.generated_ids, expected: ref.greedy_ids, text: json.text };
    });
    for (const { name, ids, expected, text } of await Promise.all(runs)) {
      expect(ids, name).toEqual(expected);
      expect(text, `${name} has no tokenizer`).toBeNull();
    }
  });

  it("prints one JSON object on the last line with the ids, text and stats, and nothing else on stdout", async () => {
    const r = await llmts("--model", charModel, "--prompt", "the cat", "--max-new-tokens", "20", "--json");
    const json = lastJson(r);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    for (const key of [
      "prompt_ids",
      "generated_ids",
      "text",
      "finish_reason",
      "time_to_first_token_ms",
      "prefill_tokens_per_second",
      "decode_tokens_per_second",
      "peak_rss_mb",
    ]) {
      expect(json, key).toHaveProperty(key);
    }
    // A char tokenizer adds no BOS: the prompt ids are the characters' ids.
    expect(json.prompt_ids).toEqual(CharTokenizer.fromText(charText).encode("the cat"));
    expect(json.generated_ids).toHaveLength(20);
    expect(json.text).toBe(CharTokenizer.fromText(charText).decode(json.generated_ids as number[]));
    expect(json.finish_reason).toBe("length");
    expect(json.time_to_first_token_ms).toBeGreaterThan(0);
    expect(json.decode_tokens_per_second).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/first token [\d.]+ ms \| prefill [\d.]+ tok\/s \| decode [\d.]+ tok\/s/);
  });

  it("samples the same tokens for the same seed and other tokens for another seed", async () => {
    const run = (seed: string) =>
      llmts("--model", charModel, "--prompt", "the", "--max-new-tokens", "40", "--seed", seed, "--json");
    const [a, b, c] = (await Promise.all([run("1"), run("1"), run("2")])).map(lastJson);
    expect(a!.generated_ids).toEqual(b!.generated_ids);
    expect(a!.text).toBe(b!.text);
    // 40 draws from a near-uniform distribution over 11 characters: equal by chance ~ 11^-40.
    expect(a!.generated_ids).not.toEqual(c!.generated_ids);
  });

  it("streams text that concatenates to the --json text, multi-byte characters included", async () => {
    const args = ["--model", bpeModel, "--prompt", "café", "--max-new-tokens", "60", "--seed", "3"];
    const [streamed, json] = await Promise.all([llmts(...args), llmts(...args, "--json")]);
    expect(streamed.status).toBe(0);
    const text = lastJson(json).text as string;
    expect(text.length).toBeGreaterThan(0);
    expect(streamed.stdout).toBe(`${text}\n`);
    expect(text).toBe(bpe.decode(lastJson(json).generated_ids as number[]));
  });

  it("stops at a --stop string without printing it", async () => {
    const args = [
      "--model",
      charModel,
      "--prompt",
      "the",
      "--max-new-tokens",
      "100",
      "--stop",
      "a",
      "--seed",
      "5",
    ];
    const [streamed, json] = await Promise.all([llmts(...args), llmts(...args, "--json")]);
    const result = lastJson(json);
    expect(result.finish_reason).toBe("stop_sequence");
    expect(result.text).not.toContain("a");
    expect(streamed.stdout).toBe(`${result.text}\n`);
  });

  it('prints no stray leading space after a BOS-only prompt (--prompt "" on a SentencePiece tokenizer)', async () => {
    const args = ["--model", spModel, "--prompt", "", "--max-new-tokens", "12", "--seed", "1"];
    const [streamed, json] = await Promise.all([llmts(...args), llmts(...args, "--json")]);
    const result = lastJson(json);
    expect(result.prompt_ids).toEqual([1]); // just <s>
    const ids = result.generated_ids as number[];
    expect(ids[0]).toBeGreaterThanOrEqual(3); // a word piece, "▁x": the case that used to print " x"
    expect(result.text).toBe(sp.decode(ids));
    expect(streamed.stdout).toBe(`${result.text}\n`);
    expect(streamed.stdout.startsWith(" ")).toBe(false);
  });

  it("samples only the most likely token at --top-p 0, like greedy decoding", async () => {
    const args = ["--model", charModel, "--prompt", "the", "--max-new-tokens", "30", "--json"];
    const [topP0, greedy] = await Promise.all([
      llmts(...args, "--top-p", "0", "--seed", "9"),
      llmts(...args, "--temperature", "0"),
    ]);
    expect(lastJson(topP0).generated_ids).toEqual(lastJson(greedy).generated_ids);
  });

  it("slides past a small context window with --crop-context, and refuses to without it", async () => {
    const args = ["--model", smallWindow, "--prompt", "the cat", "--max-new-tokens", "40", "--seed", "2"];
    const [cropped, streamed, refused] = await Promise.all([
      llmts(...args, "--crop-context", "--json"),
      llmts(...args, "--crop-context"),
      llmts(...args),
    ]);
    const result = lastJson(cropped);
    const ids = result.generated_ids as number[];
    expect(ids).toHaveLength(40);
    // 7 prompt tokens + 9 steps fill the window of 16; the forward pass after each of the next 30
    // tokens re-runs the whole window (the 40th token needs no forward pass).
    expect(result.context_crops).toBe(30);
    expect(result.config).toMatchObject({ crop_context: true, max_new_tokens: 40 });
    expect(result.text).toBe(CharTokenizer.fromText(charText).decode(ids));
    expect(streamed.stdout).toBe(`${result.text}\n`);
    expect(streamed.stderr).toMatch(/\| 30 context crops\]/);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/exceeds the model's context length of 16.*--crop-context/);
  });

  it("says in one warning line when the default --max-new-tokens is lowered to fit the window, in flag names", async () => {
    const [lowered, explicit] = await Promise.all([
      llmts("--model", smallWindow, "--prompt", "the cat", "--temperature", "0"),
      llmts("--model", smallWindow, "--prompt", "the cat", "--max-new-tokens", "40"),
    ]);
    expect(lowered.status).toBe(0);
    const warnings = lowered.stderr.split("\n").filter((line) => line.startsWith("warning:"));
    expect(warnings).toEqual([
      "warning: --max-new-tokens: the default 256 was lowered to 9, what fits in the model's context window of 16 " +
        "after the 7-token prompt (pass --crop-context to slide the window past it)",
    ]);
    expect(lowered.stderr).toMatch(/\[7 prompt tokens, 9 generated \(length\)/);
    expect(explicit.status).toBe(1);
    expect(explicit.stderr).toBe(
      "llmts: generate: prompt (7 tokens) + --max-new-tokens (40) = 47 exceeds the model's context length of 16; " +
        "lower --max-new-tokens to at most 9 or shorten the prompt, or let the window slide (--crop-context)\n",
    );
  });

  it("lists every flag with its default in --help", async () => {
    const help = (await llmts("--help")).stdout.replace(/\s+/g, " ");
    for (const flag of [
      "--model <dir>",
      "--prompt <text>",
      "--prompt-ids <ids>",
      "--max-new-tokens <n>",
      "--temperature <t>",
      "--top-k <k>",
      "--top-p <p>",
      "--min-p <p>",
      "--repetition-penalty <r>",
      "--seed <s>",
      "--stop <str>",
      "--crop-context",
      "--threads <n>",
      "--json",
    ]) {
      expect(help, flag).toContain(flag);
    }
    for (const knob of [
      "max-new-tokens",
      "temperature",
      "top-k",
      "top-p",
      "min-p",
      "repetition-penalty",
      "seed",
    ]) {
      expect(help, knob).toMatch(new RegExp(`--${knob} <\\w+> [^-]*\\(default: [^)]+\\)`));
    }
    expect(help).toMatch(/--crop-context .*without it \(default\)/);
  });

  it("streams the generated ids when the model directory has no tokenizer", async () => {
    const r = await llmts("--model", noTokenizer, "--prompt-ids", "1,2,3", "--max-new-tokens", "5");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\d+ \d+ \d+ \d+ \d+\n$/);
  });

  it("loads the weights into the wasm kernels' memory on auto and wasm, and reads them there", async () => {
    const model = join(fixtures, "llama-gqa-tied");
    const ref = JSON.parse(readFileSync(join(model, "reference.json"), "utf8"));
    const run = (backend: string) =>
      llmts(
        "--model",
        model,
        "--prompt-ids",
        ref.prompt_ids.join(","),
        "--max-new-tokens",
        "4",
        "--temperature",
        "0",
        "--backend",
        backend,
        "--verbose",
        "--json",
      );
    const [auto, wasm, js] = await Promise.all([run("auto"), run("wasm"), run("js")]);
    for (const r of [auto, wasm]) {
      // The line printed at exit: every pinned weight is a view of the kernels' memory, none a copy.
      const [, pinned, inPlace] = /(\d+) pinned weights, (\d+) loaded in place/.exec(r.stderr) ?? [];
      expect(Number(pinned), r.stderr).toBeGreaterThan(0);
      expect(inPlace).toBe(pinned);
      expect(r.stderr).toMatch(/matmul wasm matvec pinned \d+/);
      expect(lastJson(r).generated_ids).toEqual(ref.greedy_ids.slice(0, 4));
    }
    expect(js.stderr).not.toMatch(/loaded in place/);
    expect(lastJson(js).generated_ids).toEqual(ref.greedy_ids.slice(0, 4));
  });

  it("prints every module of the prefill pass with --trace, for GPT-2 and Llama", async () => {
    const run = (name: string) =>
      llmts("--model", join(fixtures, name), "--prompt-ids", "1,2,3", "--max-new-tokens", "2", "--trace");
    const [gpt2, llama] = await Promise.all([run("gpt2-tied"), run("llama-gqa-tied")]);
    const layers = (name: string) =>
      JSON.parse(readFileSync(join(fixtures, name, "config.json"), "utf8")) as Record<string, number>;
    const nGpt2 = layers("gpt2-tied").n_layer!;
    const nLlama = layers("llama-gqa-tied").num_hidden_layers!;
    expect(gpt2.status).toBe(0);
    expect(llama.status).toBe(0);
    // Each module on its own line: name, input shape, output shape, time.
    const row = (name: string, input: string, output: string) =>
      new RegExp(`^ *${name.replace(/[.+]/g, "\\$&")} +\\[${input}\\] +\\[${output}\\] +[\\d.]+ ms$`, "m");
    const C = "1, 3, \\d+";
    expect(gpt2.stderr).toMatch(row("wte + wpe", "1, 3", C));
    for (let i = 0; i < nGpt2; i++) {
      for (const m of ["", ".ln_1", ".attn", ".ln_2", ".mlp"])
        expect(gpt2.stderr).toMatch(row(`h.${i}${m}`, C, C));
    }
    expect(gpt2.stderr).toMatch(row("ln_f", C, C));
    expect(gpt2.stderr).toMatch(row("lm_head", "1, 1, \\d+", "1, 1, \\d+"));
    expect(llama.stderr).toMatch(row("embed_tokens", "1, 3", C));
    for (let i = 0; i < nLlama; i++) {
      for (const m of ["", ".input_layernorm", ".self_attn", ".post_attention_layernorm", ".mlp"]) {
        expect(llama.stderr).toMatch(row(`layers.${i}${m}`, C, C));
      }
    }
    expect(llama.stderr).toMatch(row("norm", C, C));
    expect(llama.stderr).toMatch(row("lm_head", "1, 1, \\d+", "1, 1, \\d+"));
  });

  it("reports bad flags, missing files, bad prompts and a too-long request in one line each", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty, { recursive: true });
    const broken = join(dir, "broken");
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, "config.json"), readFileSync(join(charModel, "config.json")));
    const badEos = join(dir, "bad-eos");
    saveTinyModel(badEos, 11, null);
    writeFileSync(join(badEos, "generation_config.json"), JSON.stringify({ eos_token_id: "two" }));
    const ids = ["--model", charModel, "--prompt-ids", "1,2"];
    const cases: [string[], RegExp][] = [
      [["--model", join(dir, "nope"), "--prompt-ids", "1"], /--model: no such directory: .*nope/],
      [["--model", empty, "--prompt-ids", "1"], /config.*empty.config\.json/],
      [["--model", broken, "--prompt-ids", "1"], /model\.safetensors/],
      [["--model", charModel], /exactly one of --prompt TEXT or --prompt-ids/],
      [
        ["--model", charModel, "--prompt", "a", "--prompt-ids", "1"],
        /exactly one of --prompt TEXT or --prompt-ids/,
      ],
      [["--model", charModel, "--prompt-ids", "1,x"], /--prompt-ids: expected comma-separated token ids/],
      [
        ["--model", charModel, "--prompt-ids", "1,99"],
        /forward: token id 99 at ids\[0, 1\] is out of range for a vocabulary of 11/,
      ],
      [["--model", noTokenizer, "--prompt", "hi"], /--prompt: .*ids-only has no tokenizer/],
      [
        ["--model", badEos, "--prompt-ids", "1"],
        /eos_token_id must be .*got "two" \(.*bad-eos.generation_config\.json\)/,
      ],
      [[...ids, "--temperature", "hot"], /--temperature: expected a number, got "hot"/],
      [[...ids, "--temperature", "-1"], /--temperature: must be at least 0, got -1/],
      [[...ids, "--top-p", "-0.1"], /--top-p: must be at least 0, got -0.1/],
      [[...ids, "--top-p", "1.5"], /--top-p: must be at most 1, got 1.5/],
      [[...ids, "--repetition-penalty", "0"], /--repetition-penalty: must be greater than 0, got 0/],
      [[...ids, "--max-new-tokens", "0"], /--max-new-tokens: must be at least 1, got 0/],
      [
        [...ids, "--max-new-tokens", "200"],
        /prompt \(2 tokens\) \+ --max-new-tokens \(200\) = 202 exceeds the model's context length of 128/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => llmts(...args)));
    runs.forEach((r, i) => {
      const [args, message] = cases[i]!;
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(new RegExp(`^llmts: .*${message.source}.*\\n$`));
      expect(r.stdout, args.join(" ")).toBe("");
    });
  });
});

// The playground end to end, in real headless Chromium (Debian's, via playwright-core; a missing
// browser fails, never skips), served by the real `llmts playground` command. One page goes
// through what a new user does, in order: train a tiny model on Moby-Dick and watch the loss
// fall (while animation frames keep coming), Stop to freeze it, ask it something (nothing
// changes), the four ways to new knowledge, download the checkpoint and load it with the CLI,
// load a checkpoint `llmts train` wrote and get `llmts generate`'s exact tokens, switch kernels —
// then every bad input, each with its message, after which the page still answers.
// The page takes the screenshot in docs/playground.md (UPDATE_SCREENSHOTS=1 to retake it).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchChromium } from "@llmts/harness/browser";
import type { Browser, Download } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmts, PlaygroundPage, REPO, type Served, startPlayground } from "./browser/driver.ts";

let browser: Browser;
let served: Served;
let p: PlaygroundPage;
let scratch: string;
/** The frozen model's checksum once training stopped. */
let frozenChecksum = "";

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "llmts-playground-"));
  [served, browser] = await Promise.all([startPlayground(), launchChromium()]);
  p = await PlaygroundPage.open(browser, `${served.url}#iters=100000&max_tokens=40&seed=3`);
});

afterAll(async () => {
  await browser?.close();
  served?.process.kill("SIGTERM");
  rmSync(scratch, { recursive: true, force: true });
});

/** `llmts generate --json` on a checkpoint directory: the ids it generated. */
async function cliGenerate(dir: string, prompt: string, flags: string[]): Promise<number[]> {
  const out = await llmts([
    "generate",
    "--model",
    dir,
    "--prompt",
    prompt,
    "--json",
    "--backend",
    "js",
    ...flags,
  ]);
  return (JSON.parse(out) as { generated_ids: number[] }).generated_ids;
}

describe("the playground in headless Chromium", () => {
  it("is served by llmts playground, cross-origin isolated, on the auto kernels (then js, to compare with the CLI)", async () => {
    expect(served.stderr()).toMatch(/built the page in \d+ ms|the page is up to date/);
    const response = await p.page.request.get(served.url);
    expect(response.headers()["cross-origin-embedder-policy"]).toBe("require-corp");
    expect(response.headers()["cross-origin-opener-policy"]).toBe("same-origin");
    expect(await p.page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await p.text("backend-name")).toBe("auto");
    expect(await p.text("backend-description")).toMatch(/wasm SIMD/);
    expect(await p.text("hash-message")).toBe("");
    // The greedy comparisons with `llmts generate --backend js` below run the same kernels here.
    await p.set("backend-select", "js");
    await p.waitForText("backend-name", "js");
  });

  it("trains a tiny model on Moby-Dick: the loss falls and animation frames keep coming", async () => {
    await p.waitForAtLeast("param-count", 1);
    expect(await p.text("corpus-info")).toMatch(/^1213144 characters, 89 distinct/);
    await p.click("train-start");
    await p.waitForText("weights-state", "TRAINING");
    await p.waitForAtLeast("train-iter", 5);

    // The page's thread only draws: while the worker trains, frames keep coming.
    const iterBefore = await p.number("train-iter");
    const frames = await p.page.evaluate(
      () =>
        new Promise<{ count: number; worstGapMs: number }>((resolve) => {
          const start = performance.now();
          let last = start;
          let count = 0;
          let worstGapMs = 0;
          const tick = (now: number) => {
            count++;
            worstGapMs = Math.max(worstGapMs, now - last);
            last = now;
            if (now - start < 2000) requestAnimationFrame(tick);
            else resolve({ count, worstGapMs });
          };
          requestAnimationFrame(tick);
        }),
    );
    expect(await p.number("train-iter")).toBeGreaterThan(iterBefore); // training ran meanwhile
    expect(frames.count).toBeGreaterThan(20);
    expect(frames.worstGapMs).toBeLessThan(1000);
    console.log(
      `while training (js kernels): ${frames.count} animation frames in 2 s, longest gap ${frames.worstGapMs.toFixed(1)} ms`,
    );

    // Pause keeps the run and stops the steps; Resume goes on from the same step.
    await p.click("train-pause");
    await p.waitForText("weights-state", "PAUSED");
    const paused = await p.number("train-iter");
    await p.page.waitForTimeout(300);
    expect(await p.number("train-iter")).toBe(paused);
    await p.click("train-pause"); // now labelled Resume
    await p.waitForText("weights-state", "TRAINING");
    await p.waitForAtLeast("train-iter", paused + 1);

    // A random init predicts each of the 89 characters about equally: loss ≈ ln 89 ≈ 4.49.
    await p.waitForAtLeast("train-iter", 120);
    await p.click("train-stop");
    await p.waitForText("weights-state", "FROZEN");
    const iter = await p.number("train-iter");
    expect(await p.number("val-loss")).toBeLessThan(Math.log(89) - 1);
    expect(await p.number("train-loss")).toBeLessThan(Math.log(89) - 1);
    expect(await p.number("train-weight-updates")).toBe(iter);
    expect(await p.number("train-tokens-per-second")).toBeGreaterThan(0);
    expect(await p.number("train-elapsed-ms")).toBeGreaterThan(0);
    expect(await p.number("train-lr-now")).toBeGreaterThan(0);
    expect(await p.number("training-flops")).toBeGreaterThan(0);
    expect((await p.text("train-sample")).length).toBeGreaterThan(0);
    console.log(
      `trained ${iter} steps on ${await p.text("backend-name")}: ${await p.text("train-tokens-per-second")} tokens/s, ` +
        `val loss ${await p.text("val-loss")}, ${await p.text("training-flops")} FLOPs`,
    );
    expect(await p.page.locator('[data-testid="loss-chart"] canvas').count()).toBeGreaterThan(0);
    frozenChecksum = await p.text("weights-checksum");
    expect(frozenChecksum).toMatch(/^[0-9a-f]{8}$/);
    // Frozen means frozen: no step after Stop.
    await p.page.waitForTimeout(300);
    expect(await p.number("train-iter")).toBe(iter);
  });

  it("answers a query on the frozen weights, and the dashboard shows that nothing changed", async () => {
    await p.set("query-input", "The whale");
    await p.query();
    expect(await p.text("query-message")).toBe("");
    const ids = await p.generatedIds();
    const finish = await p.text("finish-reason");
    if (finish !== "(stop sequence)") expect(ids.length).toBe(40); // max tokens
    expect(await p.number("tokens-generated")).toBe(ids.length);
    expect(await p.number("weight-updates")).toBe(0);
    expect(await p.text("checksum-before")).toBe(frozenChecksum);
    expect(await p.text("checksum-after")).toBe(frozenChecksum);
    expect(await p.text("weights-checksum")).toBe(frozenChecksum);
    expect(await p.number("response-time-ms")).toBeGreaterThan(0);
    expect(await p.number("ttft-ms")).toBeGreaterThan(0);
    expect(await p.number("decode-tokens-per-second")).toBeGreaterThan(0);
    expect(await p.number("query-flops")).toBeGreaterThan(0);
    expect(await p.number("cost-per-query")).toBeGreaterThan(0);
    // A query costs a tiny fraction of the training that made the weights.
    expect(await p.number("cost-vs-training")).toBeLessThan(0.01);
    expect(await p.number("network-tokens")).toBe(ids.length);
    expect((await p.text("query-output")).length).toBeGreaterThan(0);
    console.log(
      `query of ${ids.length} tokens on ${await p.text("backend-name")}: ${await p.text("response-time-ms")} ms, ` +
        `first token ${await p.text("ttft-ms")} ms, ${await p.text("decode-tokens-per-second")} tokens/s, ` +
        `${await p.text("query-flops")} FLOPs = ${await p.text("cost-vs-training")} of training`,
    );
    // The assumption is the user's: ten times the price, ten times the cost.
    const cost = await p.number("cost-per-query");
    await p.set("dollars-per-kwh", "1.5");
    expect(await p.number("cost-per-query")).toBeCloseTo(cost * 10, 12);
    await p.set("dollars-per-kwh", "0.15");
  });

  it("gives the same text for the same knobs, as llmts generate's sampler does", async () => {
    await p.set("temperature", "1.1");
    await p.set("top-k", "20");
    await p.set("top-p", "0.95");
    await p.set("seed", "11");
    await p.query();
    const first = await p.generatedIds();
    await p.query();
    expect(await p.generatedIds()).toEqual(first);
    expect(p.page.url()).toContain("temperature=1.1");
    expect(p.page.url()).toContain("seed=11");
  });

  it("answers the question four ways; only fine-tuning changes the weights' checksum", async () => {
    await p.click("knowledge-run");
    await p.waitForText("checksum-fine-tune", /^[0-9a-f]{8}$/);
    await p.page.waitForFunction(() =>
      document.querySelector('[data-testid="finetune-progress"]')?.textContent?.startsWith("step 30 of 30"),
    );
    for (const way of ["as-is", "context", "retrieval"]) {
      await p.waitForText(`checksum-${way}`, /^[0-9a-f]{8}$/);
      expect(await p.text(`checksum-${way}`)).toBe(frozenChecksum);
      expect((await p.text(`answer-${way}`)).length).toBeGreaterThan(0);
    }
    await p.page.waitForFunction(
      () => (document.querySelector('[data-testid="answer-fine-tune"]')?.textContent ?? "") !== "",
    );
    expect(await p.text("checksum-fine-tune")).not.toBe(frozenChecksum);
    const chunks = await p.page.locator('[data-testid="retrieved-chunks"] li').allTextContents();
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks[0]).toContain("The captain of the ship is Ahab.");
    expect(await p.text("weights-checksum")).toBe(frozenChecksum); // the frozen model itself is untouched

    const shot = await p.page.screenshot({ fullPage: true });
    expect(shot.subarray(1, 4).toString()).toBe("PNG");
    const file = join(REPO, "docs", "images", "playground.png");
    if (process.env.UPDATE_SCREENSHOTS === "1" || !existsSync(file)) {
      mkdirSync(join(REPO, "docs", "images"), { recursive: true });
      writeFileSync(file, shot);
    }
  });

  it("downloads the frozen checkpoint, and llmts generate reads it and agrees token for token", async () => {
    const downloads: Download[] = [];
    p.page.on("download", (d) => downloads.push(d));
    await p.click("download-checkpoint");
    await p.page.waitForFunction(
      () => document.querySelectorAll('[data-testid="download-links"] a').length === 3,
    );
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(3);
    const dir = join(scratch, "downloaded");
    for (const d of downloads) await d.saveAs(join(dir, d.suggestedFilename()));
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual([
      "config.json",
      "model.safetensors",
      "tokenizer.json",
    ]);

    await p.set("temperature", "0");
    await p.set("max-tokens", "30");
    await p.set("query-input", "Call me Ishmael");
    await p.query();
    const cli = await cliGenerate(dir, "Call me Ishmael", ["--temperature", "0", "--max-new-tokens", "30"]);
    expect(await p.generatedIds()).toEqual(cli);
  });

  it("loads a checkpoint llmts train wrote: cold start shown, greedy and sampled answers equal llmts generate's", async () => {
    const data = join(scratch, "whales.txt");
    writeFileSync(
      data,
      readFileSync(join(REPO, "apps/playground/dist/moby-dick.txt"), "utf8").slice(0, 60_000),
    );
    const dir = join(scratch, "trained");
    await llmts([
      "train",
      "--data",
      data,
      "--out",
      dir,
      "--arch",
      "gpt2",
      "--n-layer",
      "1",
      "--n-head",
      "2",
      "--n-embd",
      "32",
      "--block-size",
      "32",
      "--batch-size",
      "8",
      "--max-iters",
      "30",
      "--eval-interval",
      "15",
      "--eval-iters",
      "2",
      "--backend",
      "js",
    ]);
    await p.page.setInputFiles('[data-testid="load-checkpoint"]', [
      join(dir, "config.json"),
      join(dir, "model.safetensors"),
      join(dir, "tokenizer.json"),
    ]);
    await p.waitForText("load-message", /^loaded\./);
    expect(await p.number("cold-start-ms")).toBeGreaterThan(0);
    console.log(`cold start of the llmts train checkpoint: ${await p.text("cold-start-ms")} ms`);
    expect(await p.text("weights-state")).toBe("FROZEN");
    expect(await p.text("model-summary")).toMatch(/^loaded gpt2: \d+ parameters, 1 layers, context 32/);

    await p.set("query-input", "The whale");
    await p.set("max-tokens", "20");
    await p.query();
    const greedy = await cliGenerate(dir, "The whale", ["--temperature", "0", "--max-new-tokens", "20"]);
    expect(await p.generatedIds()).toEqual(greedy);

    await p.set("temperature", "0.9");
    await p.set("top-k", "12");
    await p.set("top-p", "0.9");
    await p.set("seed", "5");
    await p.query();
    const sampled = await cliGenerate(dir, "The whale", [
      "--temperature",
      "0.9",
      "--top-k",
      "12",
      "--top-p",
      "0.9",
      "--seed",
      "5",
      "--max-new-tokens",
      "20",
    ]);
    expect(await p.generatedIds()).toEqual(sampled);

    // A stop sequence ends the answer where `llmts generate --stop` ends it.
    await p.set("temperature", "0");
    await p.set("stop-sequences", "e");
    await p.query();
    const stopped = await cliGenerate(dir, "The whale", [
      "--temperature",
      "0",
      "--stop",
      "e",
      "--max-new-tokens",
      "20",
    ]);
    expect(await p.generatedIds()).toEqual(stopped);
    if (stopped.length < 20) expect(await p.text("finish-reason")).toBe("(stop sequence)");
    expect(await p.text("query-output")).not.toContain("e");
    await p.set("stop-sequences", "");
  });

  it("switches kernels to the reference loops and to wasm SIMD, and still answers", async () => {
    await p.set("backend-select", "reference");
    await p.waitForText("backend-name", "reference");
    expect(await p.text("backend-description")).toContain("plain loops");
    await p.query();
    expect(await p.number("tokens-generated")).toBeGreaterThan(0);
    expect(p.page.url()).toContain("kernels=reference");
    await p.set("backend-select", "wasm");
    await p.waitForText("backend-name", "wasm");
    await p.query();
    expect(await p.text("backend-description")).toMatch(/ran: .*matmul wasm/);
    await p.set("backend-select", "js");
    await p.waitForText("backend-name", "js");
  });

  it("stops a long query between tokens when asked (Stop generating)", async () => {
    await p.set("crop-context", true);
    await p.set("max-tokens", "1000000");
    await p.click("query-run");
    await p.waitForAtLeast("tokens-generated", 50);
    await p.click("query-cancel");
    await p.waitForAtLeast("response-time-ms", 0);
    expect(await p.text("finish-reason")).toBe("(cancelled)");
    const n = await p.number("tokens-generated");
    expect(n).toBeGreaterThanOrEqual(50);
    expect(n).toBeLessThan(1_000_000);
    expect(await p.number("weight-updates")).toBe(0);
    await p.set("crop-context", false);
  });
});

describe("bad input gets a clear message and breaks nothing", () => {
  it("a file that is not a checkpoint", async () => {
    const notes = join(scratch, "notes.txt");
    writeFileSync(notes, "my shopping list");
    await p.page.setInputFiles('[data-testid="load-checkpoint"]', notes);
    await p.waitForText(
      "load-message",
      "notes.txt: not a checkpoint; open config.json and model.safetensors (and tokenizer.json) together",
    );
  });

  it("a model.safetensors that is not a safetensors file", async () => {
    writeFileSync(join(scratch, "model.safetensors"), "this is text, not tensors");
    writeFileSync(join(scratch, "config.json"), readFileSync(join(REPO, "fixtures/gpt2-tied/config.json")));
    await p.page.setInputFiles('[data-testid="load-checkpoint"]', [
      join(scratch, "config.json"),
      join(scratch, "model.safetensors"),
    ]);
    // The message is @llmts/safetensors' own, as `llmts generate` prints it (not the "loading ..." note).
    await p.waitForText("load-message", /^safetensors: .*\(model\.safetensors\)$/);
    expect(await p.page.getAttribute('[data-testid="load-message"]', "class")).toContain("error");
  });

  it("a config the models do not support", async () => {
    const config = join(scratch, "config.json");
    writeFileSync(config, JSON.stringify({ model_type: "bert", hidden_size: 8 }));
    await p.page.setInputFiles('[data-testid="load-checkpoint"]', [
      config,
      join(REPO, "fixtures/gpt2-tied/model.safetensors"),
    ]);
    await p.waitForText("load-message", /model_type "bert" is not supported \(supported: gpt2, llama/);
  });

  it("an empty corpus", async () => {
    await p.set("corpus-select", "paste");
    await p.set("corpus-text", "");
    await p.click("train-start");
    await p.waitForText(
      "train-message",
      "the corpus is empty: paste some text, open a file, or choose Moby-Dick",
    );
    expect(await p.text("weights-state")).toBe("FROZEN"); // the loaded model is still there
    // Too short for one training window: @llmts/train's own message.
    await p.set("corpus-text", "abc");
    await p.click("train-start");
    await p.waitForText("train-message", /^data: the training split has 2 tokens but one window needs/);
    // A text file is a corpus too; the page counts what it holds before training.
    const file = join(scratch, "corpus.txt");
    writeFileSync(file, "abc abc\n");
    await p.set("corpus-select", "file");
    await p.page.setInputFiles('[data-testid="corpus-file"]', file);
    await p.waitForText("corpus-info", "8 characters, 5 distinct");
    await p.set("corpus-select", "moby-dick");
  });

  it("max tokens beyond the context: the sliding window is offered, and used when chosen", async () => {
    await p.set("crop-context", false);
    await p.set("temperature", "0");
    await p.set("max-tokens", "100");
    await p.query();
    expect(await p.text("query-message")).toMatch(
      /^max tokens 100 \+ the prompt's 9 tokens = 109, more than the model's context window of 32 tokens: .*--crop-context/,
    );
    expect(await p.visible("use-sliding-window")).toBe(true);
    await p.click("use-sliding-window");
    await p.waitForAtLeast("response-time-ms", 0);
    expect(await p.number("tokens-generated")).toBe(100);
    expect(await p.page.isChecked('[data-testid="crop-context"]')).toBe(true);
  });

  it("a bad setting in a shared link", async () => {
    const q = await PlaygroundPage.open(browser, `${served.url}#temperature=hot&top_k=40&kernels=cuda`);
    await q.waitForText("hash-message", /^URL: temperature: expected a number, got "hot"; left at 0\.8$/);
    await q.waitForText("backend-message", /^kernels: unknown backend "cuda" \(choose one of: [a-z, ]+\)$/);
    expect(await q.page.inputValue('[data-testid="top-k"]')).toBe("40");
    expect(q.errors).toEqual([]);
    await q.page.context().close();
  });

  it("a tab left in the background while it trains", async () => {
    const q = await PlaygroundPage.open(browser, `${served.url}#iters=100000`);
    await q.waitForAtLeast("param-count", 1);
    await q.click("train-start");
    await q.waitForAtLeast("train-iter", 5);
    // Headless Chromium keeps every tab visible, so the page is hidden the way it sees it
    // (document.hidden and visibilitychange) while the browser really freezes it for a second.
    await q.page.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    const cdp = await q.page.context().newCDPSession(q.page);
    await cdp.send("Page.setWebLifecycleState", { state: "frozen" });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await cdp.send("Page.setWebLifecycleState", { state: "active" });
    const before = await q.number("train-iter");
    await q.page.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await q.waitForText(
      "background-message",
      /^This tab was in the background for \d+\.\d s: training went on in the worker/,
    );
    await q.waitForAtLeast("train-iter", before + 1); // still training, still drawn
    await q.click("train-stop");
    await q.waitForText("weights-state", "FROZEN");
    expect(q.errors).toEqual([]);
    await q.page.context().close();
  });

  it("a prompt with a character the model's vocabulary lacks", async () => {
    await p.set("query-input", "Ω");
    await p.query();
    expect(await p.text("query-message")).toBe(
      'tokenizer: character "Ω" (U+03A9) is not in the char vocabulary',
    );
    await p.set("query-input", "The whale");
  });

  it("after all of it, the page still answers, with no page errors", async () => {
    await p.set("max-tokens", "10");
    await p.query();
    expect(await p.number("tokens-generated")).toBe(10);
    expect(await p.number("weight-updates")).toBe(0);
    expect(p.errors).toEqual([]);
  });
});

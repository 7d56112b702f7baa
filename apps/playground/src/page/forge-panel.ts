// The forge on the page: choose a corpus and a model size, Train / Pause / Stop, and watch the
// run — iteration, train and validation loss (numbers and chart), tokens/s, elapsed time, learning
// rate, weight updates, FLOPs spent, and a sample at every evaluation. The training itself runs in
// the worker (worker/forge.ts); this file reads the controls, sends requests and draws events.
// Not here: freezing and downloading (freeze-panel.ts), the chart's drawing (loss-chart.ts).

import { parameterCount, SIZE_NAMES, SIZE_PRESETS, type SizeName } from "../shared/presets.ts";
import type { WeightsState, WorkerEvent } from "../shared/protocol.ts";
import { readControl, readControls } from "./controls.ts";
import { $, draw, flush, plain, say, setText } from "./dom.ts";
import { LossChart } from "./loss-chart.ts";
import type { WorkerClient } from "./worker-client.ts";

/** A corpus file bigger than this is refused: the text lives in the tab's memory, twice. */
const CORPUS_LIMIT = 64 * 1024 * 1024;

export class ForgePanel {
  private readonly chart: LossChart;
  private mobyDick: Promise<string> | null = null;
  private corpusFile: File | null = null;
  private vocabSize = 0;
  private runId = -1;
  private state: WeightsState = "empty";
  /** Latest training FLOPs, for the dashboard's comparison. */
  trainingFlops = 0;

  constructor(private readonly client: WorkerClient) {
    this.chart = new LossChart($("loss-chart"));
    const sizes = $<HTMLSelectElement>("model-size");
    for (const name of SIZE_NAMES) sizes.add(new Option(SIZE_PRESETS[name].label, name));

    $("corpus-select").addEventListener("change", () => this.showCorpusInput());
    $("corpus-text").addEventListener("input", () => this.corpusChanged());
    $<HTMLInputElement>("corpus-file").addEventListener("change", (e) => {
      this.corpusFile = (e.target as HTMLInputElement).files?.[0] ?? null;
      this.corpusChanged();
    });
    sizes.addEventListener("change", () => this.showParameterCount());
    $("train-start").addEventListener("click", () => void this.train());
    $("train-pause").addEventListener("click", () =>
      client.send({ type: this.state === "paused" ? "resume" : "pause" }),
    );
    $("train-stop").addEventListener("click", () => client.send({ type: "stop" }));
    client.listen((event) => this.on(event));
  }

  /** After the hash has set the controls: show the chosen corpus's input and its numbers. */
  start(): void {
    this.showCorpusInput();
  }

  private showCorpusInput(): void {
    const choice = readControl("corpus");
    $("corpus-text").hidden = choice !== "paste";
    $("corpus-file").hidden = choice !== "file";
    this.corpusChanged();
  }

  /** The text to train on, or an error message saying what is wrong with it. */
  private async corpus(): Promise<string | { error: string }> {
    const choice = readControl("corpus");
    if (choice === "moby-dick") {
      this.mobyDick ??= fetch("moby-dick.txt").then((r) => {
        if (!r.ok)
          throw new Error(`moby-dick.txt: the server answered ${r.status}; rebuild with llmts playground`);
        return r.text();
      });
      return this.mobyDick;
    }
    if (choice === "file") {
      const file = this.corpusFile;
      if (file === null) return { error: "no file chosen: open a text file to train on" };
      if (file.size > CORPUS_LIMIT) {
        return {
          error: `${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MiB, more than the 64 MiB the playground trains on`,
        };
      }
      return file.text();
    }
    return $<HTMLTextAreaElement>("corpus-text").value;
  }

  private async corpusChanged(): Promise<void> {
    const text = await this.corpus().catch((error: Error) => ({ error: error.message }));
    if (typeof text !== "string") {
      setText("corpus-info", "");
      return;
    }
    // Distinct code points: the character vocabulary newRun will build (CharTokenizer.fromText).
    this.vocabSize = new Set(text).size;
    setText("corpus-info", `${text.length} characters, ${this.vocabSize} distinct`);
    this.showParameterCount();
  }

  private showParameterCount(): void {
    const size = readControl("size");
    if (typeof size !== "string" || this.vocabSize === 0) {
      setText("param-count", "–");
      return;
    }
    setText("param-count", parameterCount(SIZE_PRESETS[size as SizeName].config, this.vocabSize));
  }

  private async train(): Promise<void> {
    say("train-message", "");
    const text = await this.corpus().catch((error: Error) => ({ error: error.message }));
    if (typeof text !== "string") {
      say("train-message", text.error);
      return;
    }
    if (text.trim() === "") {
      say("train-message", "the corpus is empty: paste some text, open a file, or choose Moby-Dick");
      return;
    }
    const { values, errors } = readControls(["size", "iters", "lr"]);
    if (errors.length > 0) {
      say("train-message", errors.join("; "));
      return;
    }
    const preset = SIZE_PRESETS[values.size].config;
    const config = { ...preset, maxIters: values.iters, learningRate: values.lr, minLr: values.lr / 10 };
    this.chart.clear();
    for (const id of ["train-loss", "val-loss", "train-tokens-per-second", "train-lr-now", "sample-iter"])
      setText(id, "–");
    for (const id of ["train-iter", "train-weight-updates", "train-elapsed-ms", "training-flops"])
      setText(id, 0);
    setText("train-max-iters", values.iters);
    $("train-sample").textContent = "";
    this.runId = this.client.send({ type: "train", corpus: text, config });
  }

  private on(event: WorkerEvent): void {
    switch (event.type) {
      case "corpus":
        setText(
          "corpus-info",
          `${event.characters} characters, ${event.vocabSize} distinct, ${event.tokens} tokens`,
        );
        setText("param-count", event.parameters);
        return;
      case "step":
        if (event.id !== this.runId) return;
        this.trainingFlops = event.trainingFlops;
        this.chart.addTrain(event.iter, event.loss);
        draw("train-stats", () => {
          setText("train-iter", event.iter);
          setText("train-max-iters", event.maxIters);
          setText("train-loss", plain(event.loss, 4));
          setText("train-tokens-per-second", plain(event.tokensPerSecond, 0));
          setText("train-elapsed-ms", plain(event.elapsedMs, 0));
          setText("train-lr-now", plain(event.lr, 6));
          setText("train-weight-updates", event.weightUpdates);
          setText("training-flops", event.trainingFlops.toExponential(3));
        });
        return;
      case "eval":
        if (event.id !== this.runId) return;
        this.chart.addVal(event.iter, event.valLoss);
        draw("val-loss", () => setText("val-loss", plain(event.valLoss, 4)));
        return;
      case "sample":
        if (event.id !== this.runId) return;
        draw("sample", () => {
          setText("sample-iter", event.iter);
          $("train-sample").textContent = event.text;
        });
        return;
      case "state":
        this.state = event.weights;
        this.trainingFlops = event.trainingFlops;
        if (event.weights !== "training") flush();
        $<HTMLButtonElement>("train-pause").disabled =
          event.weights !== "training" && event.weights !== "paused";
        $("train-pause").textContent = event.weights === "paused" ? "Resume" : "Pause";
        $<HTMLButtonElement>("train-stop").disabled =
          event.weights !== "training" && event.weights !== "paused";
        if (event.weights !== "empty") setText("training-flops", event.trainingFlops.toExponential(3));
        return;
      case "error":
        if (
          event.request === "train" ||
          event.request === "pause" ||
          event.request === "resume" ||
          event.request === "stop"
        )
          say("train-message", event.message);
        return;
    }
  }
}

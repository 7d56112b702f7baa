// The spark on the page: the query console (templates and free text, Run, streamed answer), the
// knobs, and the operation cost dashboard of the last query — weight updates (0, locked),
// response time, time to first token, tokens generated, decode tokens/s, FLOPs, cost per query
// under the stated assumption, the share of the training's cost it was, and the weights'
// checksum before and after — with the network picture lighting up as each token passes.
// Not here: running the query (worker/spark.ts), the cost arithmetic (shared/flops.ts).

import { dollarsFor } from "../shared/flops.ts";
import type { QuerySettings, QueryStats, WorkerEvent } from "../shared/protocol.ts";
import { readControl, readControls, writeControl } from "./controls.ts";
import { $, draw, flush, plain, say, setText } from "./dom.ts";
import { NetworkPicture } from "./network-picture.ts";
import type { WorkerClient } from "./worker-client.ts";

/** The knobs as @llmts/sample settings, or the messages of the ones that are wrong. */
export function querySettings(): { settings: QuerySettings; errors: string[] } {
  const { values, errors } = readControls([
    "temperature",
    "top_p",
    "top_k",
    "max_tokens",
    "seed",
    "stop",
    "crop",
  ]);
  const settings: QuerySettings = {
    temperature: values.temperature,
    top_p: values.top_p,
    top_k: values.top_k,
    max_new_tokens: values.max_tokens,
    seed: values.seed,
    stop_strings: values.stop,
    crop_context: values.crop,
  };
  return { settings, errors };
}

/** The dashboard's numbers, cleared when a query starts. */
const DASHBOARD = [
  "weight-updates",
  "response-time-ms",
  "ttft-ms",
  "tokens-generated",
  "decode-tokens-per-second",
  "query-flops",
  "cost-per-query",
  "training-cost",
  "cost-vs-training",
  "checksum-before",
  "checksum-after",
];

export class SparkPanel {
  private readonly picture: NetworkPicture;
  private queryId = -1;
  private output = "";
  private generated = 0;
  private lastToken = "";
  private cancel: Int32Array | null = null;
  private last: QueryStats | null = null;
  private trainingFlops = 0;
  private layers = -1;

  constructor(private readonly client: WorkerClient) {
    this.picture = new NetworkPicture($("network-picture"));
    $<HTMLSelectElement>("query-template").addEventListener("change", (e) => {
      const template = (e.target as HTMLSelectElement).value;
      if (template === "") return;
      writeControl("prompt", template);
      $("query-input").dispatchEvent(new Event("input"));
    });
    $("query-run").addEventListener("click", () => this.run());
    $("query-cancel").addEventListener("click", () => {
      if (this.cancel !== null) Atomics.store(this.cancel, 0, 1);
    });
    $("use-sliding-window").addEventListener("click", () => {
      writeControl("crop", true);
      $("crop-context").dispatchEvent(new Event("change"));
      this.run();
    });
    for (const id of ["gflop-per-joule", "dollars-per-kwh"])
      $(id).addEventListener("input", () => this.showCost());
    client.listen((event) => this.on(event));
  }

  private run(): void {
    say("query-message", "");
    $("use-sliding-window").hidden = true;
    const { settings, errors } = querySettings();
    say("knob-message", errors.join("; "));
    if (errors.length > 0) return;
    const prompt = readControl("prompt") as string;
    if (prompt === "") {
      say("query-message", "the prompt is empty: type something or pick a template");
      return;
    }
    // A shared flag the worker reads between tokens; only a cross-origin isolated page has one.
    const shared = crossOriginIsolated ? new SharedArrayBuffer(4) : undefined;
    this.cancel = shared ? new Int32Array(shared) : null;
    this.output = "";
    this.generated = 0;
    this.lastToken = prompt.slice(-1);
    $("query-output").textContent = "";
    setText("generated-ids", "");
    for (const id of DASHBOARD) setText(id, "–");
    $<HTMLButtonElement>("query-run").disabled = true;
    $<HTMLButtonElement>("query-cancel").disabled = this.cancel === null;
    this.queryId = this.client.send({ type: "query", prompt, settings, cancel: shared });
  }

  private on(event: WorkerEvent): void {
    switch (event.type) {
      case "token":
        if (event.id !== this.queryId) return;
        this.generated++;
        this.picture.pass(this.lastToken, event.token);
        this.lastToken = event.token;
        draw("tokens-generated", () => setText("tokens-generated", this.generated));
        return;
      case "text":
        if (event.id !== this.queryId) return;
        this.output += event.piece;
        draw("query-output", () => {
          $("query-output").textContent = this.output;
        });
        return;
      case "query-done":
        if (event.id !== this.queryId) return;
        flush();
        this.done(event.stats);
        return;
      case "error":
        if (event.request !== "query" || event.id !== this.queryId) return;
        flush();
        this.finished();
        say("query-message", event.message);
        $("use-sliding-window").hidden = event.hint !== "sliding-window";
        return;
      case "state":
        this.trainingFlops = event.trainingFlops;
        $<HTMLButtonElement>("query-run").disabled = event.weights !== "frozen";
        this.picture.setWeightsState(event.weights === "frozen" ? "FROZEN (read only)" : event.weights);
        if (event.model !== null && event.model.layers !== this.layers) {
          this.layers = event.model.layers;
          this.picture.build(this.layers);
          this.picture.setWeightsState(event.weights === "frozen" ? "FROZEN (read only)" : event.weights);
        }
        return;
    }
  }

  private finished(): void {
    $<HTMLButtonElement>("query-run").disabled = false;
    $<HTMLButtonElement>("query-cancel").disabled = true;
    this.cancel = null;
  }

  private done(stats: QueryStats): void {
    this.finished();
    this.last = stats;
    $("query-output").textContent = stats.text;
    setText("generated-ids", stats.generatedIds.join(","));
    setText("weight-updates", stats.weightUpdates);
    setText("response-time-ms", plain(stats.responseMs, 1));
    setText("ttft-ms", plain(stats.ttftMs, 1));
    setText("tokens-generated", stats.generatedIds.length);
    setText("finish-reason", `(${stats.finishReason.replace("_", " ")})`);
    setText("decode-tokens-per-second", plain(stats.decodeTokensPerSecond, 1));
    setText("query-flops", stats.flops.toExponential(3));
    setText("checksum-before", stats.checksumBefore);
    setText("checksum-after", stats.checksumAfter);
    this.showCost();
  }

  /** Cost per query and its share of the training's cost, under the assumption in the page. */
  private showCost(): void {
    if (this.last === null) return;
    const { values, errors } = readControls(["gflop_per_joule", "dollars_per_kwh"]);
    say("knob-message", errors.join("; "));
    if (errors.length > 0) return;
    const assumption = { gflopPerJoule: values.gflop_per_joule, dollarsPerKwh: values.dollars_per_kwh };
    const cost = dollarsFor(this.last.flops, assumption);
    setText("cost-per-query", cost.toExponential(3));
    const training = dollarsFor(this.trainingFlops, assumption);
    setText("training-cost", this.trainingFlops > 0 ? training.toExponential(3) : "–");
    setText(
      "cost-vs-training",
      this.trainingFlops > 0 ? (this.last.flops / this.trainingFlops).toExponential(3) : "–",
    );
  }
}

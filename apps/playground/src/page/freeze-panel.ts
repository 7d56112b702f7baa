// The weights between training and inference: their state (EMPTY, TRAINING, PAUSED, FROZEN) and
// checksum, the checkpoint download (the three files `llmts generate --model DIR` reads), and
// loading a checkpoint from disk — opened or dropped files, read and loaded in the worker, with
// the cold start (read, then parse and load) measured there.
// Not here: reading and checking the files (worker/checkpoint-files.ts).

import type { ModelSummary, WorkerEvent } from "../shared/protocol.ts";
import { $, plain, say, setText } from "./dom.ts";
import type { WorkerClient } from "./worker-client.ts";

export class FreezePanel {
  private urls: string[] = [];
  private loadId = -1;

  constructor(private readonly client: WorkerClient) {
    $("download-checkpoint").addEventListener("click", () => client.send({ type: "download" }));
    const input = $<HTMLInputElement>("load-checkpoint");
    input.addEventListener("change", () => {
      this.load([...(input.files ?? [])]);
      input.value = ""; // the same files can be opened again
    });
    const drop = $("load-drop");
    drop.addEventListener("dragover", (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      this.load([...(e.dataTransfer?.files ?? [])]);
    });
    client.listen((event) => this.on(event));
  }

  private load(files: File[]): void {
    if (files.length === 0) return;
    say("load-message", `loading ${files.map((f) => f.name).join(", ")} …`, "note");
    for (const id of ["cold-start-ms", "load-read-ms", "load-parse-ms"]) setText(id, "–");
    this.loadId = this.client.send({ type: "load", files });
  }

  private on(event: WorkerEvent): void {
    switch (event.type) {
      case "state": {
        const badge = $("weights-state");
        badge.textContent = event.weights.toUpperCase();
        badge.className = `badge ${event.weights}`;
        setText("weights-checksum", event.model?.checksum ?? "–");
        setText("model-summary", event.model === null ? "" : describe(event.model));
        $<HTMLButtonElement>("download-checkpoint").disabled =
          event.weights !== "frozen" && event.weights !== "paused";
        return;
      }
      case "loaded":
        if (event.id !== this.loadId) return;
        setText("cold-start-ms", plain(event.coldStartMs, 1));
        setText("load-read-ms", plain(event.readMs, 1));
        setText("load-parse-ms", plain(event.parseMs, 1));
        say("load-message", ["loaded.", ...event.notes].join(" "), "note");
        return;
      case "checkpoint":
        this.offer(event.files);
        return;
      case "error":
        if (event.request === "load") say("load-message", event.message);
        if (event.request === "download") say("load-message", event.message);
        return;
    }
  }

  /** Links to the files, each clicked once so the browser saves them (they stay for another try). */
  private offer(files: { name: string; bytes: Uint8Array }[]): void {
    for (const url of this.urls) URL.revokeObjectURL(url);
    const links = $("download-links");
    links.replaceChildren();
    this.urls = files.map((file) => {
      const url = URL.createObjectURL(new Blob([file.bytes as BlobPart]));
      const a = document.createElement("a");
      a.href = url;
      a.download = file.name;
      a.textContent = `${file.name} (${file.bytes.byteLength} bytes)`;
      links.appendChild(a);
      a.click();
      return url;
    });
  }
}

function describe(m: ModelSummary): string {
  return (
    `${m.source} ${m.modelType}: ${m.parameters} parameters, ${m.layers} layers, ` +
    `context ${m.contextLength}, vocabulary ${m.vocabSize} (${m.tokenizer} tokenizer)`
  );
}

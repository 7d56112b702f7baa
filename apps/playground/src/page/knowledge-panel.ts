// The four legitimate ways to give a model new knowledge, side by side on the same question:
//   1. as is                the question alone
//   2. context injection    the fact pasted before the question
//   3. retrieval (RAG)      the knowledge base split into chunks, the best two for the question
//                           found by BM25 and pasted before it — shown, with their scores
//   4. fine-tuning          a copy of the weights trained a few steps on a text, then the question
// Each row shows its answer and the checksum of the weights that answered: the same for 1-3 (the
// frozen model), different for 4 (its copy). The knobs of the query console apply to all four,
// with the sliding window on: a fact or retrieved chunks can make a prompt longer than a small
// model's window, which then sees the prompt's last tokens (as `llmts generate --crop-context`).
// Not here: BM25 and chunking (shared/bm25.ts, shared/chunks.ts), fine-tuning (worker/finetune.ts).

import { Bm25 } from "../shared/bm25.ts";
import { splitChunks } from "../shared/chunks.ts";
import { KNOWLEDGE_WAYS, type KnowledgeWay, knowledgePrompt } from "../shared/prompt.ts";
import type { WorkerEvent } from "../shared/protocol.ts";
import { $, say, setText } from "./dom.ts";
import { querySettings } from "./spark-panel.ts";
import type { WorkerClient } from "./worker-client.ts";

const CHUNK_CHARS = 200;
const TOP_CHUNKS = 2;
const KNOWLEDGE_FILE_LIMIT = 16 * 1024 * 1024;

export class KnowledgePanel {
  /** Request id -> the way it answers. */
  private readonly ways = new Map<number, KnowledgeWay>();
  private readonly answers = new Map<KnowledgeWay, string>();

  constructor(private readonly client: WorkerClient) {
    $("knowledge-run").addEventListener("click", () => this.run());
    $<HTMLInputElement>("knowledge-file").addEventListener("change", async (e) => {
      const file = (e.target as HTMLInputElement).files?.[0];
      if (file === undefined) return;
      if (file.size > KNOWLEDGE_FILE_LIMIT) {
        say("knowledge-message", `${file.name} is more than the 16 MiB a knowledge base may be here`);
        return;
      }
      $<HTMLTextAreaElement>("knowledge-base").value = await file.text();
    });
    client.listen((event) => this.on(event));
  }

  private run(): void {
    say("knowledge-message", "");
    const question = $<HTMLInputElement>("knowledge-question").value;
    const fact = $<HTMLInputElement>("knowledge-fact").value;
    const text = $<HTMLInputElement>("finetune-text").value;
    const steps = Number($<HTMLInputElement>("finetune-steps").value);
    const learningRate = Number($<HTMLInputElement>("finetune-lr").value);
    const { settings: knobs, errors } = querySettings();
    const settings = { ...knobs, crop_context: true };
    if (question.trim() === "") errors.push("the question is empty");
    if (!Number.isInteger(steps) || steps < 1)
      errors.push(`fine-tuning steps: expected a whole number >= 1, got "${steps}"`);
    if (!(learningRate > 0 && learningRate <= 1))
      errors.push(`fine-tuning learning rate: expected a number in (0, 1]`);
    if (errors.length > 0) {
      say("knowledge-message", errors.join("; "));
      return;
    }

    const chunks = splitChunks($<HTMLTextAreaElement>("knowledge-base").value, CHUNK_CHARS);
    const found = new Bm25(chunks).top(question, TOP_CHUNKS);
    const list = $("retrieved-chunks");
    list.replaceChildren(
      ...found.map((r) => {
        const item = document.createElement("li");
        item.textContent = `${chunks[r.index]} (BM25 ${r.score.toFixed(3)})`;
        return item;
      }),
    );
    if (found.length === 0)
      say("knowledge-message", "retrieval found no chunk sharing a word with the question", "note");
    const retrieved = found.map((r) => chunks[r.index]!);

    this.ways.clear();
    for (const way of KNOWLEDGE_WAYS) {
      this.answers.set(way, "");
      setText(`answer-${way}`, "");
      setText(`checksum-${way}`, "…");
      const prompt = knowledgePrompt(way, question, fact, retrieved);
      const id =
        way === "fine-tune"
          ? this.client.send({ type: "finetune", text, steps, learningRate, prompt, settings })
          : this.client.send({ type: "query", prompt, settings });
      this.ways.set(id, way);
    }
    setText("finetune-progress", "");
  }

  private on(event: WorkerEvent): void {
    if (event.type === "state") {
      $<HTMLButtonElement>("knowledge-run").disabled = event.weights !== "frozen";
      return;
    }
    if (!("id" in event)) return;
    const way = this.ways.get(event.id);
    if (way === undefined) return;
    switch (event.type) {
      case "text":
        this.answers.set(way, this.answers.get(way) + event.piece);
        setText(`answer-${way}`, this.answers.get(way)!);
        return;
      case "finetune-step":
        setText("finetune-progress", `step ${event.step} of ${event.steps}, loss ${event.loss.toFixed(4)}`);
        setText("checksum-fine-tune", event.checksum);
        return;
      case "query-done":
        setText(`answer-${way}`, event.stats.text);
        setText(`checksum-${way}`, event.stats.checksumAfter);
        return;
      case "error":
        setText(`checksum-${way}`, "–");
        setText(`answer-${way}`, `error: ${event.message}`);
        return;
    }
  }
}

// The playground's worker: every model lives and runs here, so the page's thread only draws. It
// holds at most one training run (the forge) and one frozen model (the spark's), answers the
// page's requests in order, and streams events back (shared/protocol.ts). Training yields between
// steps, so a Pause or Stop is read as soon as the step in progress ends; a query runs to its end
// (it stops early only through the shared cancel flag, which needs no message).
//
//   weights state   empty -> training <-> paused -> frozen      (Stop, or the last step, freezes)
//                   any -> frozen                              (a checkpoint loaded)
// `weightUpdates` counts every optimizer step this worker ever took (training and fine-tuning),
// so "weight updates during a query" is a difference of this counter, not a constant.
// Not here: what each request does (forge.ts, spark.ts, finetune.ts, checkpoint-files.ts,
// kernels.ts).

import type { ModelSummary, Request, WeightsState, WorkerEvent } from "../shared/protocol.ts";
import { checkpointFiles, loadCheckpointFiles } from "./checkpoint-files.ts";
import { fineTuneCopy } from "./finetune.ts";
import { Forge } from "./forge.ts";
import { DEFAULT_KERNELS, kernelsInfo, useKernels } from "./kernels.ts";
import { ContextOverflow, type Frozen, runQuery, weightsChecksum } from "./spark.ts";

interface WorkerScope {
  postMessage(message: WorkerEvent, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  crossOriginIsolated?: boolean;
}
const scope = self as unknown as WorkerScope;

let forge: Forge | null = null;
let frozen: Frozen | null = null;
let stopRequested = false;
let weightUpdates = 0;

const post = (event: WorkerEvent, transfer: Transferable[] = []) => scope.postMessage(event, transfer);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function parameterCount(model: Frozen["model"]): number {
  let n = 0;
  for (const t of model.parameters().values()) n += t.size;
  return n;
}

function summary(f: Frozen): ModelSummary {
  const { model, tokenizer } = f;
  return {
    source: f.source,
    modelType: model.config.modelType,
    parameters: parameterCount(model),
    layers: model.config.nLayer,
    contextLength: model.contextLength,
    vocabSize: model.vocabSize,
    tokenizer: tokenizer.kind,
    checksum: weightsChecksum(model),
  };
}

function postState(weights: WeightsState): void {
  let model: ModelSummary | null = null;
  if (frozen !== null) model = summary(frozen);
  else if (forge !== null) model = summary({ ...forge.run, eosIds: [], source: "trained" });
  post({ type: "state", weights, model, trainingFlops: forge?.flops ?? 0 });
}

/** Runs the forge until it pauses, stops or finishes, and says which. */
async function train(f: Forge, id: number): Promise<void> {
  postState("training");
  try {
    await f.start();
  } catch (error) {
    post({ type: "error", id, request: "train", message: messageOf(error) });
  }
  if (f !== forge) return; // a new run replaced this one
  if (stopRequested || f.finished) freeze(f);
  else postState("paused");
}

function freeze(f: Forge): void {
  frozen = { model: f.run.model, tokenizer: f.run.tokenizer, eosIds: [], source: "trained" };
  postState("frozen");
}

/** The model a query runs on; an error saying what to do when there is none yet. */
function frozenModel(): Frozen {
  if (frozen !== null) return frozen;
  if (forge !== null) throw new Error("the weights are still training: press Stop to freeze them, then ask");
  throw new Error("no model yet: train one and press Stop, or load a checkpoint");
}

async function handle(request: Request): Promise<void> {
  const { id } = request;
  switch (request.type) {
    case "train": {
      // The new run is built first: a corpus it refuses leaves the current model as it was.
      const f = new Forge(request.corpus, request.config, {
        step: (r, elapsedMs) => {
          weightUpdates++;
          post({
            type: "step",
            id,
            iter: r.iter + 1,
            maxIters: f.run.config.maxIters,
            loss: r.train_loss,
            lr: r.lr,
            tokensPerSecond: f.run.state.tokensSeen / Math.max(f.run.state.trainSeconds, 1e-9),
            elapsedMs,
            weightUpdates: f.steps,
            trainingFlops: f.flops,
          });
        },
        eval: (r) => post({ type: "eval", id, iter: r.iter, trainLoss: r.train_loss, valLoss: r.val_loss }),
        sample: (iter, text) => post({ type: "sample", id, iter, text }),
      });
      await forge?.pause();
      forge = f;
      frozen = null;
      stopRequested = false;
      const { run } = f;
      post({
        type: "corpus",
        id,
        characters: request.corpus.length,
        tokens: run.state.data.tokens,
        vocabSize: run.tokenizer.vocabSize,
        parameters: parameterCount(run.model),
      });
      void train(f, id);
      return;
    }
    case "pause":
      await forge?.pause();
      return;
    case "resume":
      if (forge !== null && frozen === null && !forge.running) void train(forge, id);
      return;
    case "stop":
      if (forge === null || frozen !== null) return;
      stopRequested = true;
      if (forge.running)
        await forge.pause(); // train() freezes when the loop has returned
      else freeze(forge);
      return;
    case "query": {
      const cancel = request.cancel ? new Int32Array(request.cancel) : null;
      const model = frozenModel();
      const stats = runQuery(model, request.prompt, request.settings, {
        onToken: (tokenId) =>
          post({ type: "token", id, tokenId, token: model.tokenizer.idToToken(tokenId) ?? "" }),
        onText: (piece) => post({ type: "text", id, piece }),
        cancelled: () => cancel !== null && Atomics.load(cancel, 0) !== 0,
        weightUpdates: () => weightUpdates,
      });
      post({ type: "query-done", id, stats });
      post({ type: "kernels", id, kernels: kernelsInfo() }); // now with the kernels that ran
      return;
    }
    case "load": {
      await forge?.pause();
      const loaded = await loadCheckpointFiles(request.files);
      forge = null;
      frozen = { model: loaded.model, tokenizer: loaded.tokenizer, eosIds: loaded.eosIds, source: "loaded" };
      const coldStartMs = loaded.readMs + loaded.parseMs;
      post({
        type: "loaded",
        id,
        readMs: loaded.readMs,
        parseMs: loaded.parseMs,
        coldStartMs,
        notes: loaded.notes,
      });
      postState("frozen");
      return;
    }
    case "download": {
      const model = frozen ?? (forge !== null && !forge.running ? { ...forge.run } : null);
      if (model === null)
        throw new Error("nothing to download yet: train a model (Pause or Stop first) or load one");
      const files = checkpointFiles(model.model, model.tokenizer);
      post(
        { type: "checkpoint", id, files },
        files.map((f) => f.bytes.buffer as ArrayBuffer),
      );
      return;
    }
    case "finetune": {
      const base = frozenModel();
      const tuned = await fineTuneCopy(base, request.text, request.steps, request.learningRate, (s) => {
        weightUpdates++;
        post({
          type: "finetune-step",
          id,
          step: s.step,
          steps: request.steps,
          loss: s.loss,
          checksum: s.checksum,
        });
      });
      const stats = runQuery(tuned, request.prompt, request.settings, {
        onToken: (tokenId) =>
          post({ type: "token", id, tokenId, token: tuned.tokenizer.idToToken(tokenId) ?? "" }),
        onText: (piece) => post({ type: "text", id, piece }),
        cancelled: () => false,
        weightUpdates: () => weightUpdates,
      });
      post({ type: "query-done", id, stats });
      return;
    }
    case "kernels":
      post({ type: "kernels", id, kernels: await useKernels(request.name) });
      return;
  }
}

// One request at a time, in order: a query never interleaves with loading a checkpoint. Training
// is the exception: handle("train") starts the loop and returns, so Pause and Stop get through.
let queue = Promise.resolve();
scope.onmessage = (event) => {
  const request = event.data;
  queue = queue.then(() =>
    handle(request).catch((error: unknown) => {
      const hint = error instanceof ContextOverflow ? "sliding-window" : undefined;
      post({ type: "error", id: request.id, request: request.type, message: messageOf(error), hint });
    }),
  );
};

void useKernels(DEFAULT_KERNELS).then((kernels) =>
  post({ type: "ready", kernels, isolated: scope.crossOriginIsolated === true }),
);

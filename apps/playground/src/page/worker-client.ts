// The page's end of the worker: starts it, numbers each request, and hands every event to the
// panels that listen. The worker runs every model (worker/worker.ts); this file only passes messages.
// Not here: what the panels do with events.

import type { Request, WorkerEvent } from "../shared/protocol.ts";

/** A request without its id: send() adds one. */
export type Ask = Request extends infer R ? (R extends Request ? Omit<R, "id"> : never) : never;

export class WorkerClient {
  private readonly worker: Worker;
  private readonly listeners: ((event: WorkerEvent) => void)[] = [];
  private nextId = 1;

  constructor(url: string) {
    this.worker = new Worker(url, { type: "module", name: "llmts playground" });
    this.worker.onmessage = (message: MessageEvent<WorkerEvent>) => {
      for (const listen of this.listeners) listen(message.data);
    };
    this.worker.onerror = (error) => {
      // A worker that fails to start (a bundle error) has no other way to say so.
      const event: WorkerEvent = {
        type: "error",
        id: 0,
        request: "train",
        message: `the worker failed: ${error.message}`,
      };
      for (const listen of this.listeners) listen(event);
    };
  }

  /** Sends a request; returns its id, which the events it causes carry. */
  send(ask: Ask): number {
    const id = this.nextId++;
    this.worker.postMessage({ ...ask, id } as Request);
    return id;
  }

  listen(fn: (event: WorkerEvent) => void): void {
    this.listeners.push(fn);
  }
}

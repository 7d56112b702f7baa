// Which kernels run, on the page: the backend's name and what it runs per op (from the worker,
// where the models run), and a switch between the backends the worker offers. A choice in the URL
// hash is applied once the worker has said which backends it has; without one, the worker's
// default runs.
// Not here: the kernels (worker/kernels.ts).

import type { KernelsInfo, WorkerEvent } from "../shared/protocol.ts";
import { $, say, setText } from "./dom.ts";
import type { WorkerClient } from "./worker-client.ts";

export class BackendPanel {
  constructor(
    private readonly client: WorkerClient,
    private wanted: string,
  ) {
    $<HTMLSelectElement>("backend-select").addEventListener("change", (e) => {
      client.send({ type: "kernels", name: (e.target as HTMLSelectElement).value });
    });
    client.listen((event) => this.on(event));
  }

  private show(k: KernelsInfo): void {
    setText("backend-name", k.name);
    setText("backend-description", k.description);
    const select = $<HTMLSelectElement>("backend-select");
    if (select.options.length === 0) for (const name of k.choices) select.add(new Option(name, name));
    select.value = k.name;
  }

  private on(event: WorkerEvent): void {
    switch (event.type) {
      case "ready":
        this.show(event.kernels);
        setText(
          "isolation",
          event.isolated
            ? "cross-origin isolated: SharedArrayBuffer available"
            : "not cross-origin isolated (served without COOP/COEP): no SharedArrayBuffer, so no threads and no Stop generating",
        );
        if (this.wanted !== "" && this.wanted !== event.kernels.name) {
          this.client.send({ type: "kernels", name: this.wanted });
        }
        return;
      case "kernels":
        say("backend-message", "");
        this.wanted = event.kernels.name;
        this.show(event.kernels);
        return;
      case "error":
        if (event.request === "kernels") say("backend-message", event.message);
        return;
    }
  }
}

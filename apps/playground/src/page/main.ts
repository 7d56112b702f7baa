// The playground page's entry: starts the worker, applies the settings in the URL hash to the
// controls (reporting any it had to refuse), and wires the panels — the forge, the freeze, the
// spark, the four ways to new knowledge, the kernels. It also notices a tab that was left in
// the background: the browser gives such a tab no animation frames (and may slow its timers), so
// the page draws nothing meanwhile; the worker trains on regardless, and on return the page says
// how long it was away and how far training went.
// Not here: any model code (the worker), the controls' checks (shared/settings.ts).

import { BackendPanel } from "./backend-panel.ts";
import { applyHash, keepHashUpdated } from "./controls.ts";
import { say } from "./dom.ts";
import { ForgePanel } from "./forge-panel.ts";
import { FreezePanel } from "./freeze-panel.ts";
import { KnowledgePanel } from "./knowledge-panel.ts";
import { SparkPanel } from "./spark-panel.ts";
import { WorkerClient } from "./worker-client.ts";

const { settings, problems } = applyHash();
if (problems.length > 0) say("hash-message", `URL: ${problems.join("; ")}`);
keepHashUpdated(settings);

const client = new WorkerClient(new URL("./worker.js", import.meta.url).href);
new BackendPanel(client, settings.kernels);
const forge = new ForgePanel(client);
new FreezePanel(client);
new SparkPanel(client);
new KnowledgePanel(client);
forge.start();

// Away: hidden (another tab in front, a minimised window) or frozen by the browser (Chrome
// freezes long-hidden tabs, their workers included). Back: say for how long, and what happened.
let awaySince = 0;
let stepAtAway = 0;
let lastStep = 0;
let weights = "empty";
client.listen((event) => {
  if (event.type === "step") lastStep = event.iter;
  if (event.type === "state") weights = event.weights;
});
const away = () => {
  if (awaySince !== 0) return;
  awaySince = performance.now();
  stepAtAway = lastStep;
};
const back = (how: string) => {
  if (awaySince === 0) return;
  const seconds = (performance.now() - awaySince) / 1000;
  awaySince = 0;
  // The worker's step events queued up while the page was away: let them arrive first.
  setTimeout(() => {
    const what =
      stepAtAway === lastStep && weights !== "training"
        ? "nothing was training"
        : `training went on in the worker (iteration ${stepAtAway} -> ${lastStep}); the page drew nothing meanwhile and has caught up`;
    say("background-message", `This tab was ${how} for ${seconds.toFixed(1)} s: ${what}.`, "note");
  }, 100);
};
document.addEventListener("visibilitychange", () => (document.hidden ? away() : back("in the background")));
document.addEventListener("freeze", away);
document.addEventListener("resume", () => back("frozen by the browser"));

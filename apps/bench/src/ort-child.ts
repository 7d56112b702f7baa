// The onnxruntime-web side of the prefill benchmark, run in a child process of its own: its
// thread count (ort.env.wasm.numThreads) is fixed once its WebAssembly module starts, so each
// count gets a fresh process. Loads MODEL.onnx, runs the same 128-token prompt `runs` times and
// prints JSON: the load time, each run's milliseconds, and the last position's logits.
// Usage (from prefill.ts): node --import tsx ort-child.ts MODEL.onnx THREADS RUNS PROMPT_IDS
// Not here: the export (py/gpt2_onnx.py), the comparison with ours (prefill.ts).

import * as ort from "onnxruntime-web";

const [path, threads, runs, ids] = process.argv.slice(2) as [string, string, string, string];
ort.env.wasm.numThreads = Number(threads);
ort.env.logLevel = "error"; // not its "Unknown CPU vendor" warning
const t0 = performance.now();
const session = await ort.InferenceSession.create(path, { executionProviders: ["wasm"] });
const loadMs = performance.now() - t0;
const prompt = ids.split(",").map((s) => BigInt(s));
const input = new ort.Tensor("int64", BigInt64Array.from(prompt), [1, prompt.length]);
const times: number[] = [];
let logits = new Float32Array(0);
for (let r = 0; r < Number(runs); r++) {
  const t1 = performance.now();
  const out = await session.run({ ids: input });
  times.push(performance.now() - t1);
  logits = out.logits!.data as Float32Array<ArrayBuffer>;
}
process.stdout.write(JSON.stringify({ loadMs, times, logits: Array.from(logits) }));

// Runs in the page (bundled for the browser by browser.test.ts): loads fixture checkpoints the way
// a page that opened the files would — fetch() config.json, model.safetensors and the reference
// inputs, @llmts/model's modelFromFiles — and computes their logits with this bundle's kernels.
// The numbers go back to the test through `globalThis.result`.
import { backendReady, configureBackend, describeBackend } from "@llmts/kernels/browser";
import { modelFromFiles } from "@llmts/model";
import { parseSafetensors } from "@llmts/safetensors";
import { intTensor, noGrad } from "@llmts/tensor";
import { FIXTURES } from "./fixture-list.ts";

async function bytes(path: string): Promise<Uint8Array> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function logitsOf(name: string): Promise<number[]> {
  const { model } = modelFromFiles(
    {
      "config.json": new TextDecoder().decode(await bytes(`/${name}/config.json`)),
      "model.safetensors": await bytes(`/${name}/model.safetensors`),
    },
    name,
  );
  const reference = parseSafetensors(await bytes(`/${name}/reference.safetensors`));
  const ids = reference.get("input_ids"); // I64 [B, T]
  const values = new BigInt64Array(ids.data.buffer, ids.data.byteOffset, ids.data.byteLength / 8);
  const input = intTensor(Int32Array.from(values, Number), ids.shape);
  return Array.from(noGrad(() => model.forward(input)).dataSync());
}

const result: Record<string, number[]> = {};
try {
  // The page's main thread may not block, so the kernels run on one thread here.
  for (const backend of ["reference", "js", "wasm"] as const) {
    configureBackend({ backend, threads: 1 });
    await backendReady();
    for (const name of FIXTURES) result[`${backend} ${name}`] = await logitsOf(name);
  }
  result.describe = [describeBackend()] as unknown as number[];
  (globalThis as { result?: unknown }).result = result;
} catch (error) {
  (globalThis as { result?: unknown }).result = { error: String((error as Error).stack ?? error) };
}

// checkFixture(dir): runs our model on one reference fixture and compares everything the
// PyTorch generator stored (fixtures/README.md):
//
//   logits    forward(input_ids) vs reference logits            max abs diff <= tolerance.logits_abs
//   cached    input_ids fed one token at a time through newCache(), every step's logits
//             vs the reference logits at that position             max abs diff <= tolerance.logits_abs
//   loss      crossEntropy(logits, targets, ignoreIndex -100)   |diff| <= tolerance.loss_abs
//   grads     loss.backward(), every parameter's .grad vs grad.<name>:
//             max |ours - ref| / max(1, max |ref|) <= tolerance.grad_abs (the generator's grad_error)
//   greedy    argmax decoding of prompt_ids through the KV cache vs greedy_ids
//
// `rel` in every comparison is max |ours - ref| / max |ref| (the error relative to the tensor's
// largest value), reported for reading; the tolerances bound the numbers named above.
// The tolerances come from the fixture's reference.json, which must state them (reference.ts): a
// fixture with nothing to say fails. Every check runs even when an earlier one fails, so one
// report shows everything that is off, and the report lists what was checked and what was not
// (a fixture without targets has no loss or gradients; one without greedy_ids no greedy check).
// Not here: producing the references (fixtures/generate.py, PyTorch), reading reference.json
// (reference.ts), printing (report.ts).
// Reference: llm.c test_gpt2.c, which compares logits, loss and every gradient tensor with PyTorch's.

import { basename, join } from "node:path";
import { type CausalLM, stepModel } from "@llmts/model";
import { loadModel } from "@llmts/model/node";
import { toFloat32, toInt32 } from "@llmts/safetensors";
import { readSafetensorsFile } from "@llmts/safetensors/node";
import { crossEntropy, intTensor, noGrad, type Tensor } from "@llmts/tensor";
import { readReference } from "./reference.ts";

export type { Tolerance } from "./reference.ts";

export interface Comparison {
  name: string;
  /** max |ours - reference| */
  maxAbs: number;
  /** maxAbs / max |reference|: the error relative to the tensor's largest value ("rel") */
  maxRel: number;
  /** max |reference| */
  refMax: number;
  /** The number the tolerance bounds (maxAbs for logits; maxAbs / max(1, max|ref|) for grads). */
  error: number;
  tolerance: number;
  ok: boolean;
}

export interface FixtureReport {
  name: string;
  dir: string;
  ok: boolean;
  logits: Comparison;
  /** The same logits computed one token at a time through the KV cache. */
  cached: Comparison;
  loss: { ours: number; reference: number; diff: number; tolerance: number; ok: boolean } | null;
  greedy: { expected: number[]; actual: number[]; ok: boolean } | null;
  grads: Comparison[];
  /** Problems that are not a number out of tolerance (a reference gradient with no parameter, ...). */
  problems: string[];
  /** What was compared, e.g. ["logits", "logits token by token (KV cache)", "loss", "24 gradients", "greedy (8 tokens)"]. */
  checked: string[];
  /** What the fixture gives nothing to compare with, and why. */
  notChecked: string[];
}

export function checkFixture(dir: string): FixtureReport {
  const { tolerance: tol, greedy: greedyRef } = readReference(dir);
  const ref = readSafetensorsFile(join(dir, "reference.safetensors"));
  const { model } = loadModel(dir);
  const problems: string[] = [];

  // Forward with autograd on: the same pass gives the logits, the loss and the gradients.
  const idsShape = ref.info("input_ids").shape;
  const ids = intTensor(toInt32(ref.get("input_ids")), idsShape); // [B, T]
  const logits = model.forward(ids); // [B, T, V]
  const logitsCheck = compare(
    "logits",
    logits.dataSync() as Float32Array,
    toFloat32(ref.get("logits")),
    tol.logits_abs,
    false,
  );
  const cached = checkCachedLogits(model, ids, toFloat32(ref.get("logits")), tol.logits_abs);

  let loss: FixtureReport["loss"] = null;
  const grads: Comparison[] = [];
  if (ref.has("targets") && ref.has("loss")) {
    const targets = intTensor(toInt32(ref.get("targets")), ref.info("targets").shape); // [B, T], -100 = ignored
    const lossTensor = crossEntropy(logits, targets, { ignoreIndex: -100 });
    const ours = lossTensor.item();
    const reference = toFloat32(ref.get("loss"))[0]!;
    const diff = Math.abs(ours - reference);
    loss = { ours, reference, diff, tolerance: tol.loss_abs, ok: diff <= tol.loss_abs };
    lossTensor.backward();
    grads.push(...compareGrads(model, ref, tol.grad_abs, problems));
  }

  const greedy = greedyRef ? checkGreedy(model, greedyRef.prompt, greedyRef.expected) : null;

  const checked = ["logits", "logits token by token (KV cache)"];
  const notChecked: string[] = [];
  if (loss) checked.push("loss", `${grads.length} gradients`);
  else notChecked.push("loss and gradients (reference.safetensors has no targets and loss)");
  if (greedy) checked.push(`greedy (${greedy.expected.length} tokens)`);
  else notChecked.push("greedy (reference.json has no prompt_ids and greedy_ids)");

  const ok =
    logitsCheck.ok &&
    cached.ok &&
    (loss?.ok ?? true) &&
    (greedy?.ok ?? true) &&
    grads.every((g) => g.ok) &&
    problems.length === 0;
  return {
    name: basename(dir),
    dir,
    ok,
    logits: logitsCheck,
    cached,
    loss,
    greedy,
    grads,
    problems,
    checked,
    notChecked,
  };
}

/** Each grad.<name> in the reference against the .grad of our parameter of that name. */
function compareGrads(
  model: CausalLM,
  ref: ReturnType<typeof readSafetensorsFile>,
  tolerance: number,
  problems: string[],
): Comparison[] {
  const params = model.parameters();
  const out: Comparison[] = [];
  const seen = new Set<string>();
  for (const info of ref.tensors) {
    if (!info.name.startsWith("grad.")) continue;
    const name = info.name.slice("grad.".length);
    const p = params.get(name);
    if (p === undefined) {
      problems.push(`reference has a gradient for "${name}", which is not a parameter of our model`);
      continue;
    }
    seen.add(name);
    if (p.grad === null) {
      problems.push(`parameter "${name}" received no gradient`);
      continue;
    }
    out.push(
      compare(name, p.grad.dataSync() as Float32Array, toFloat32(ref.get(info.name)), tolerance, true),
    );
  }
  for (const name of params.keys()) {
    if (!seen.has(name)) problems.push(`parameter "${name}" has no reference gradient`);
  }
  return out;
}

/**
 * ids [B, T] fed as T calls of one token each ([B, 1]) through one cache of batch B: step t's
 * logits [B, 1, V] must equal the full forward's logits[:, t]. Unlike greedy decoding (argmax
 * only, often one token repeated), this compares every logit at every position, so a cache that
 * stores a row at the wrong position or masks one key too many cannot hide.
 */
export function checkCachedLogits(
  model: CausalLM,
  ids: Tensor,
  reference: Float32Array,
  tolerance: number,
): Comparison {
  const [B, T] = ids.shape as [number, number];
  const V = model.vocabSize;
  const data = ids.dataSync();
  const ours = new Float32Array(B * T * V); // [B, T, V], filled one position at a time
  noGrad(() => {
    const cache = model.newCache({ batchSize: B, maxLength: T });
    for (let t = 0; t < T; t++) {
      const column = Int32Array.from({ length: B }, (_, b) => data[b * T + t]!);
      const step = model.forward(intTensor(column, [B, 1]), { cache }).dataSync(); // [B, 1, V]
      for (let b = 0; b < B; b++) ours.set(step.subarray(b * V, (b + 1) * V), (b * T + t) * V);
    }
  });
  return compare("logits, token by token (KV cache)", ours, reference, tolerance, false);
}

/** Greedy decoding through the KV cache: prefill the prompt, then one token at a time. */
function checkGreedy(model: CausalLM, prompt: number[], expected: number[]): FixtureReport["greedy"] {
  const actual = noGrad(() => {
    const step = stepModel(model);
    const out: number[] = [];
    let logits = step.prefill(prompt);
    while (out.length < expected.length) {
      const next = argmax(logits);
      out.push(next);
      if (out.length < expected.length) logits = step.step(next);
    }
    return out;
  });
  return { expected, actual, ok: actual.every((id, i) => id === expected[i]) };
}

/** First index of the largest value (torch.argmax's tie-break). */
export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Elementwise comparison. `scaled`: the bounded error is maxAbs / max(1, max|ref|) (gradients,
 * whose scale varies by tensor), else maxAbs itself (logits).
 */
export function compare(
  name: string,
  ours: Float32Array,
  reference: Float32Array,
  tolerance: number,
  scaled: boolean,
): Comparison {
  if (ours.length !== reference.length) {
    return {
      name,
      maxAbs: Number.POSITIVE_INFINITY,
      maxRel: Number.POSITIVE_INFINITY,
      refMax: Number.NaN,
      error: Number.POSITIVE_INFINITY,
      tolerance,
      ok: false,
    };
  }
  let maxAbs = 0;
  let refMax = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i]! - reference[i]!);
    // A NaN fails every comparison: count it as an infinite difference so it can never pass.
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    refMax = Math.max(refMax, Math.abs(reference[i]!));
  }
  const maxRel = refMax > 0 ? maxAbs / refMax : maxAbs;
  const error = scaled ? maxAbs / Math.max(1, refMax) : maxAbs;
  return { name, maxAbs, maxRel, refMax, error, tolerance, ok: error <= tolerance };
}

// A fixture's reference.json: the tolerances its checks must meet and the greedy continuation of
// its prompt (fixtures/README.md). Read once, checked field by field, so that a fixture cannot
// pass by saying nothing:
//
//   missing reference.json, or {}        the fixture fails: no tolerance says how close is close
//   "tolerance": {"logits_abs": "1e-4"}  one line naming tolerance.logits_abs and what it got
//   prompt_ids without greedy_ids        one line: they go together
//   neither prompt_ids nor greedy_ids    the greedy check is reported as not checked
//
// Other fields (covers, notes, float32_noise, ...) are for people and are not read.
// Not here: the comparisons (check.ts).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { MAX_JSON_BYTES, readLimitedText } from "@llmts/safetensors/node";

export interface Tolerance {
  logits_abs: number;
  loss_abs: number;
  grad_abs: number;
}

export interface Reference {
  tolerance: Tolerance;
  /** The prompt and the ids greedy decoding must produce from it; null when the fixture has none. */
  greedy: { prompt: number[]; expected: number[] } | null;
}

/** A fixture that cannot be checked as it stands: its message names the file and the field. */
export class FixtureError extends Error {
  override name = "FixtureError";
}

const kind = (value: unknown) =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "an array"
      : `a ${typeof value} (${JSON.stringify(value)})`;

/** Reads and checks DIR/reference.json. */
export function readReference(dir: string): Reference {
  const path = join(dir, "reference.json");
  const fail = (message: string): never => {
    throw new FixtureError(`reference.json: ${message} (${path})`);
  };
  if (!existsSync(path)) {
    return fail(
      "missing: a fixture states its tolerances (and greedy continuation) there, see fixtures/README.md",
    );
  }
  const text = readLimitedText(path, MAX_JSON_BYTES, (reason) => fail(reason));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail(`expected a JSON object, got ${kind(json)}`);
  }
  const fields = json as Record<string, unknown>;

  const tol = fields.tolerance;
  if (tol === undefined)
    return fail("no tolerance: nothing says how close the logits, loss and gradients must be");
  if (typeof tol !== "object" || tol === null || Array.isArray(tol)) {
    return fail(`tolerance must be an object, got ${kind(tol)}`);
  }
  const bound = (name: keyof Tolerance): number => {
    const value = (tol as Record<string, unknown>)[name];
    if (value === undefined) return fail(`tolerance.${name} is missing`);
    if (typeof value !== "number" || !(value >= 0)) {
      return fail(`tolerance.${name} must be a number >= 0, got ${kind(value)}`);
    }
    return value;
  };
  const tolerance = {
    logits_abs: bound("logits_abs"),
    loss_abs: bound("loss_abs"),
    grad_abs: bound("grad_abs"),
  };

  const ids = (name: string): number[] | undefined => {
    const value = fields[name];
    if (value === undefined) return undefined;
    if (
      !Array.isArray(value) ||
      value.length === 0 ||
      !value.every((id) => Number.isInteger(id) && id >= 0)
    ) {
      return fail(`${name} must be a non-empty list of token ids (integers >= 0), got ${kind(value)}`);
    }
    return value as number[];
  };
  const prompt = ids("prompt_ids");
  const expected = ids("greedy_ids");
  if ((prompt === undefined) !== (expected === undefined)) {
    return fail(
      `${prompt === undefined ? "greedy_ids" : "prompt_ids"} is given without ${prompt === undefined ? "prompt_ids" : "greedy_ids"}: they go together`,
    );
  }
  return { tolerance, greedy: prompt && expected ? { prompt, expected } : null };
}

// The walk of docs/inference.md ("The walk, file by file") is the walk the code takes: a real
// decoding step of the GPT-2 fixture on the reference kernels, with the call stack captured where
// the first matrix product of the step reaches the backend's matmul primitive. The files on that
// stack, in call order, each file once, plus the file of the primitive that runs, must be the
// numbered list on the page.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// docs/ is not a workspace dependent of the packages, so sources are imported by path.
import { stepModel } from "../../packages/model/src/index.ts";
import { loadModel } from "../../packages/model/src/node/index.ts";
import { generate } from "../../packages/sample/src/index.ts";
import { type MatmulParams, referenceBackend, setBackend } from "../../packages/tensor/src/index.ts";

const root = join(import.meta.dirname, "..", "..");

/** The repository files on a stack trace, outermost first, each once (where it is first entered). */
function filesOn(stack: string): string[] {
  const frames = [...stack.matchAll(/(?:\(|at )(?:file:\/\/)?([^():\s]+\.ts):\d+:\d+/g)].map((m) => m[1]!);
  const inRepo = frames
    .filter((f) => f.startsWith(root) && !f.includes("node_modules") && !f.includes("/test/"))
    .map((f) => f.slice(root.length + 1));
  return [...new Set(inRepo.reverse())];
}

/** The numbered list between the walk markers of docs/inference.md. */
function documentedWalk(): string[] {
  const page = readFileSync(join(root, "docs", "inference.md"), "utf8");
  const list = page.split("<!-- walk:start -->")[1]!.split("<!-- walk:end -->")[0]!;
  return [...list.matchAll(/^\d+\. \[([^\]]+)\]/gm)].map((m) => m[1]!);
}

describe("the walk of one generated token", () => {
  it("reaches the reference matmul through the files docs/inference.md lists, in that order", () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = Number.POSITIVE_INFINITY;
    const stacks: string[] = [];
    const previous = setBackend({
      ...referenceBackend,
      matmul: (p: MatmulParams) => {
        stacks.push(new Error().stack ?? "");
        referenceBackend.matmul(p);
      },
    });
    try {
      const { model } = loadModel(join(root, "fixtures", "gpt2-tied"));
      generate(stepModel(model), [1, 2, 3], { max_new_tokens: 2, temperature: 0, eos_token_id: [] });
    } finally {
      setBackend(previous);
      Error.stackTraceLimit = limit;
    }
    // The prefill's products come first; the decoding step's go through stepModel's step().
    const decodeStep = stacks.find((s) => /\bstep\b/.test(s) && !/\bprefill\b/.test(s));
    expect(decodeStep).toBeDefined();
    const walk = [...filesOn(decodeStep!), "packages/tensor/src/backend/reference.ts"];
    expect(walk).toEqual(documentedWalk());
    expect(walk.length).toBeLessThanOrEqual(8);
  });
});

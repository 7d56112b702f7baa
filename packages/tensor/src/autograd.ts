// Reverse-mode automatic differentiation: the graph an op records, the noGrad() scope, and the
// backward pass that walks the graph from a scalar loss back to the parameters.
//
// Each op that produces a tensor from inputs which require grad attaches a GradNode to its
// output: the inputs plus a closure mapping the output's gradient to the inputs' gradients
// (the chain rule for that one op; the closure lives in the op's file, next to its forward).
// backward() runs those closures in reverse topological order, summing gradients where a tensor
// feeds several ops, accumulates into `.grad` of leaf tensors and then releases the graph.
// Not here: higher-order gradients (backward itself records nothing), in-place ops.
// Reference: micrograd's `Value.backward` (github.com/karpathy/micrograd), PyTorch autograd semantics.

import { ShapeError, shapeString } from "./errors.ts";
import { add } from "./ops/elementwise.ts";
import { sameShape } from "./shape.ts";
import type { Tensor } from "./tensor.ts";

export interface GradNode {
  /** The op that made the tensor, e.g. "matmul" — for error messages and for reading graphs. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Output gradient -> one gradient per input (null where an input needs none). */
  readonly backward: (grad: Tensor) => (Tensor | null)[];
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` with graph recording off: ops allocate their outputs and nothing else, so the
 * inference path keeps no closures or references to intermediate tensors. `fn` must be
 * synchronous (the flag is restored when it returns).
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** True when an op on these inputs must record a node: grad mode on and some input requires grad. */
export function needsGrad(...inputs: readonly (Tensor | number | null | undefined)[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (typeof t === "object" && t !== null && t.requiresGrad) return true;
  return false;
}

/** Attaches the op's backward to its output (call only when needsGrad(...inputs) is true). */
export function record(
  out: Tensor,
  op: string,
  inputs: readonly Tensor[],
  backward: (grad: Tensor) => (Tensor | null)[],
): Tensor {
  out.requiresGrad = true;
  out.isLeaf = false;
  out.gradFn = { op, inputs, backward };
  return out;
}

/** Tensors reachable from `root` through nodes, inputs before the tensors made from them. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative depth-first search (deep models would overflow a recursive one). An entry with
  // `expanded` true is popped after all its inputs are done: that is when it joins `order`.
  const stack: { t: Tensor; expanded: boolean }[] = [{ t: root, expanded: false }];
  while (stack.length > 0) {
    const { t, expanded } = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (visited.has(t)) continue;
    visited.add(t);
    stack.push({ t, expanded: true });
    for (const input of t.gradFn?.inputs ?? []) {
      if (input.requiresGrad && !visited.has(input)) stack.push({ t: input, expanded: false });
    }
  }
  return order;
}

/** The backward pass behind Tensor.backward(). `seed` is d(something)/d(root), same shape as root. */
export function runBackward(root: Tensor, seed: Tensor): void {
  if (!root.requiresGrad) throw new Error("backward: the tensor does not require grad (no graph to walk)");
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t); // drop it as soon as it is used: memory stays proportional to the frontier
      const node = t.gradFn;
      if (node === null) {
        if (!t.isLeaf) {
          throw new Error(
            "backward: the graph was already released by an earlier backward(); run the forward again",
          );
        }
        t.accumulateGrad(g);
        continue;
      }
      const inputGrads = node.backward(g);
      node.inputs.forEach((input, k) => {
        const gi = inputGrads[k];
        if (!input.requiresGrad || gi === null || gi === undefined) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new ShapeError(
            `backward of ${node.op}: gradient ${shapeString(gi.shape)} does not match input ${shapeString(input.shape)}`,
          );
        }
        const previous = grads.get(input);
        grads.set(input, previous === undefined ? gi : add(previous, gi));
      });
      t.gradFn = null; // release: the closure and its references to inputs go away
    }
  });
}

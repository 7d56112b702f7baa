// Elementwise ops: binary arithmetic with NumPy broadcasting, and the unary functions.
// Every op's backward sits next to its forward:
//   add: da = g, db = g            sub: da = g, db = -g
//   mul: da = g·b, db = g·a        div: da = g / b, db = -g·a/b² = -g·y/b
//   unary f: dx = g · f'(x)  (the f' formulas are in backend/scalar.ts and backend/reference.ts)
// A broadcast input receives the gradient summed over the dims it was repeated along
// (unbroadcast), because each of its elements contributed to several outputs.
// Not here: in-place variants, integer arithmetic, comparisons.
// Reference: NumPy broadcasting; micrograd's Value.__add__/__mul__.

import { needsGrad, record } from "../autograd.ts";
import { type BinaryOp, getBackend, type Strided, type UnaryOp } from "../backend/backend.ts";
import { shapeString } from "../errors.ts";
import { broadcastShapes, numelOf } from "../shape.ts";
import { allocate, Tensor } from "../tensor.ts";
import { unbroadcast } from "./reduce.ts";
import { assertFloat, floatData, floatLike } from "./util.ts";

/** A number operand becomes a 0-d tensor of the other operand's dtype (it broadcasts anywhere). */
function asTensor(b: Tensor | number, like: Tensor): Tensor {
  if (typeof b !== "number") return b;
  const data = allocate(like.dtype, 1);
  data[0] = b;
  return new Tensor(data, []);
}

/** x seen as a view of `shape`: right-aligned strides, 0 along broadcast dims. */
export function broadcastView(x: Tensor, shape: readonly number[]): Strided {
  const lead = shape.length - x.ndim;
  const strides = shape.map((s, i) => {
    const src = i - lead;
    return src >= 0 && x.shape[src] === s ? x.strides[src]! : 0;
  });
  return { data: x.storage, offset: x.offset, strides };
}

function binaryForward(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  assertFloat(a, op);
  assertFloat(b, op);
  if (a.dtype !== b.dtype) {
    throw new TypeError(
      `${op}: dtypes differ: ${a.dtype} ${shapeString(a.shape)} and ${b.dtype} ${shapeString(b.shape)}`,
    );
  }
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = floatLike(a, numelOf(shape));
  getBackend().binary(op, broadcastView(a, shape), broadcastView(b, shape), out, shape);
  return new Tensor(out, shape);
}

export function add(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(b, a);
  const y = binaryForward("add", a, bt);
  if (needsGrad(a, bt)) record(y, "add", [a, bt], (g) => [unbroadcast(g, a.shape), unbroadcast(g, bt.shape)]);
  return y;
}

export function sub(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(b, a);
  const y = binaryForward("sub", a, bt);
  if (needsGrad(a, bt)) {
    record(y, "sub", [a, bt], (g) => [
      unbroadcast(g, a.shape),
      bt.requiresGrad ? unbroadcast(neg(g), bt.shape) : null,
    ]);
  }
  return y;
}

export function mul(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(b, a);
  const y = binaryForward("mul", a, bt);
  if (needsGrad(a, bt)) {
    record(y, "mul", [a, bt], (g) => [
      a.requiresGrad ? unbroadcast(mul(g, bt), a.shape) : null,
      bt.requiresGrad ? unbroadcast(mul(g, a), bt.shape) : null,
    ]);
  }
  return y;
}

export function div(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(b, a);
  const y = binaryForward("div", a, bt);
  if (needsGrad(a, bt)) {
    record(y, "div", [a, bt], (g) => [
      a.requiresGrad ? unbroadcast(div(g, bt), a.shape) : null,
      bt.requiresGrad ? unbroadcast(neg(mul(g, div(y, bt))), bt.shape) : null,
    ]);
  }
  return y;
}

/** y = f(x) elementwise through the backend; backward dx = g · f'(x) through the backend too. */
function unaryOp(op: UnaryOp, x: Tensor, param = 0, name: string = op): Tensor {
  const xd = floatData(x, name);
  const out = floatLike(x, x.size);
  getBackend().unary(op, xd, out, param);
  const y = new Tensor(out, x.shape);
  if (needsGrad(x)) {
    record(y, name, [x], (g) => {
      const dx = floatLike(x, x.size);
      getBackend().unaryGrad(op, xd, out, floatData(g, name), dx, param);
      return [new Tensor(dx, x.shape)];
    });
  }
  return y;
}

export const neg = (x: Tensor): Tensor => unaryOp("neg", x);
export const exp = (x: Tensor): Tensor => unaryOp("exp", x);
export const log = (x: Tensor): Tensor => unaryOp("log", x);
export const sqrt = (x: Tensor): Tensor => unaryOp("sqrt", x);
export const tanh = (x: Tensor): Tensor => unaryOp("tanh", x);
export const relu = (x: Tensor): Tensor => unaryOp("relu", x);
/** SiLU (a.k.a. swish), Llama's MLP activation: x · sigmoid(x). */
export const silu = (x: Tensor): Tensor => unaryOp("silu", x);
/** x raised to a constant power (x² is pow(x, 2)). */
export const pow = (x: Tensor, exponent: number): Tensor => unaryOp("pow", x, exponent);

/** GELU: exact x·Φ(x) with approximate "none" (PyTorch's default), GPT-2's tanh form with "tanh". */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  return approximate === "tanh" ? unaryOp("geluTanh", x, 0, "gelu") : unaryOp("gelu", x);
}

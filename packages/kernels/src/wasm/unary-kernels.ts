// WebAssembly SIMD kernels for the elementwise functions built on exp — exp, SiLU, GELU (tanh
// form and exact) and their derivatives — four lanes at a time over float32 arrays in the shared
// memory. JavaScript's Math.exp / Math.tanh cost 10-40 ns per element here; these run the whole
// function in a few vector instructions per four elements.
//
//   exp(x) = 2^k · e^r,  k = nearest(x / ln 2),  r = x − k·ln 2 ∈ [−ln2/2, ln2/2]
//     e^r: Cephes expf's degree-7 minimax polynomial (float32 accuracy, ~1 ulp);
//     2^k: the float whose exponent bits are k + 127 (an integer add and shift);
//     x is clamped to [−87.34, 88.72] = [ln of the smallest normal float, ln FLT_MAX] first, and
//     2^k built as 2^min(k, 127) · (2 if k = 128), so it stays a normal float; then, like the
//     float64 reference rounded to float32, x > 88.72 gives +Infinity, and x < −87.34 gives 0
//     (the reference's subnormal results, below 1.2e-38, are flushed); NaN stays NaN.
//   silu(x)      = x / (1 + e^(−x))                      σ(x) = 1 / (1 + e^(−x))
//   geluTanh(x)  = x · σ(2u),  u = √(2/π)(x + 0.044715x³)   (= x/2 · (1 + tanh u))
//   gelu(x)      = x/2 · erfc(−x/√2), erfc from Numerical Recipes' `erfcc` (relative error
//                  < 1.2e-7 everywhere, so no cancellation in the tails)
//   derivatives: silu' = σ(1 + x(1 − σ)),  geluTanh' = s + x·s(1 − s)·u',  gelu' = Φ(x) + x·φ(x)
//
// Every function has the signature (in..., out, n) with byte addresses and n a multiple of 4
// (the caller pads). Arithmetic is float32 (the reference kernels use float64, so results agree
// to a few float32 ulps; the tests check).
// Not here: copying in and out (unary.ts), threads, float64.
// References: Cephes `expf.c` (S. Moshier); Press et al., Numerical Recipes, §6.2 `erfcc`;
// reference.ts and scalar.ts for the float64 definitions these match.

import {
  type Code,
  type FunctionDef,
  f32Const,
  f32x4,
  forLoop,
  get,
  I32,
  i32,
  i32c,
  i32x4,
  set,
  V128,
  type ValType,
  v128Bitselect,
  v128Load,
  v128Store,
} from "./asm.ts";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Hands out local indices after a function's params, and keeps splatted constants in locals. */
class Scope {
  readonly types: ValType[] = [];
  readonly init: Code[] = [];
  private readonly consts = new Map<string, number>();
  constructor(private readonly first: number) {}

  local(type: ValType): number {
    this.types.push(type);
    return this.first + this.types.length - 1;
  }
  /** The float constant v in all four lanes (set once before the loop). */
  c(v: number): Code {
    return this.constant(`f${v}`, () => f32x4.splat(f32Const(v)));
  }
  /** The integer constant v in all four lanes. */
  ci(v: number): Code {
    return this.constant(`i${v}`, () => i32x4.splat(i32c(v)));
  }
  private constant(key: string, make: () => Code): Code {
    let l = this.consts.get(key);
    if (l === undefined) {
      l = this.local(V128);
      this.consts.set(key, l);
      this.init.push(set(l, make()));
    }
    return get(l);
  }
}

/** exp(x) for four lanes (statements that leave the value on the stack). */
function exp(x: Code, s: Scope): Code {
  const MAX_LOG = 88.72283905206835; // ln FLT_MAX
  const MIN_LOG = -87.3365447504; // ln of the smallest normal float, 2^-126
  const xs = s.local(V128);
  const t = s.local(V128);
  const k = s.local(V128);
  const step = (p: Code, coef: number) => f32x4.add(f32x4.mul(p, get(t)), s.c(coef));
  let p = s.c(1.98756915e-4); // Cephes expf: e^r ≈ 1 + r + r²·P(r)
  for (const coef of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) {
    p = step(p, coef);
  }
  const expR = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, get(t)), get(t)), get(t)), s.c(1));
  // k ∈ [−126, 128]: 2^127 is the largest power of two a float holds, so k = 128 doubles at the end
  const kLow = f32x4.min(get(k), s.c(127));
  const pow2k = i32x4.shl(i32x4.add(i32x4.truncSatF32x4S(kLow), s.ci(127)), i32c(23));
  const doubled = v128Bitselect(s.c(2), s.c(1), f32x4.gt(get(k), s.c(127)));
  const value = f32x4.mul(f32x4.mul(expR, pow2k), doubled);
  return [
    ...set(xs, x),
    ...set(t, f32x4.max(f32x4.min(get(xs), s.c(MAX_LOG)), s.c(MIN_LOG))),
    ...set(k, f32x4.nearest(f32x4.mul(get(t), s.c(Math.LOG2E)))),
    // r = t − k·ln2 in two pieces (Cody–Waite), so r keeps its low bits
    ...set(
      t,
      f32x4.sub(
        f32x4.sub(get(t), f32x4.mul(get(k), s.c(0.693359375))),
        f32x4.mul(get(k), s.c(-2.1219444e-4)),
      ),
    ),
    ...v128Bitselect(
      s.c(0),
      v128Bitselect(s.c(Number.POSITIVE_INFINITY), value, f32x4.gt(get(xs), s.c(MAX_LOG))),
      f32x4.lt(get(xs), s.c(MIN_LOG)),
    ),
  ];
}

/** σ(x) = 1 / (1 + e^(−x)). */
const sigmoid = (x: Code, s: Scope): Code => f32x4.div(s.c(1), f32x4.add(s.c(1), exp(f32x4.neg(x), s)));

/** u·2 for the tanh form of GELU: 2√(2/π)(x + 0.044715x³). */
const geluTanhArg = (x: number, s: Scope): Code =>
  f32x4.mul(
    s.c(2 * SQRT_2_OVER_PI),
    f32x4.add(get(x), f32x4.mul(s.c(0.044715), f32x4.mul(get(x), f32x4.mul(get(x), get(x))))),
  );

/** Φ(x) = erfc(−x/√2) / 2 with Numerical Recipes' erfcc. */
function phi(x: number, s: Scope): Code {
  const a = s.local(V128);
  const t = s.local(V128);
  const r = s.local(V128);
  let poly = s.c(0.17087277);
  for (const coef of [
    -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368,
    -1.26551223,
  ]) {
    poly = f32x4.add(f32x4.mul(poly, get(t)), s.c(coef));
  }
  const z = f32x4.mul(get(x), s.c(Math.SQRT1_2));
  return [
    ...set(a, f32x4.abs(z)),
    ...set(t, f32x4.div(s.c(1), f32x4.add(s.c(1), f32x4.mul(s.c(0.5), get(a))))),
    ...set(r, f32x4.mul(get(t), exp(f32x4.sub(poly, f32x4.mul(get(a), get(a))), s))), // erfc(|z|)
    // erfc(−z) = erfc(|z|) where z <= 0, 2 − erfc(|z|) elsewhere
    ...f32x4.mul(s.c(0.5), v128Bitselect(get(r), f32x4.sub(s.c(2), get(r)), f32x4.le(z, s.c(0)))),
  ];
}

/**
 * A function (in_0, ..., in_{m-1}, out, n): out[i] = body(in_0[i], ...) four lanes at a time.
 * `body` gets the locals holding the loaded inputs and returns the value's code.
 */
function elementwise(name: string, inputs: number, body: (x: number[], s: Scope) => Code): FunctionDef {
  const out = inputs;
  const n = inputs + 1;
  const s = new Scope(inputs + 2);
  const i = s.local(I32);
  const end = s.local(I32);
  const xs = Array.from({ length: inputs }, () => s.local(V128));
  const loads = xs.map((x, k) => set(x, v128Load(i32.add(get(k), get(i)))));
  const value = body(xs, s);
  return {
    name,
    params: new Array(inputs + 2).fill(I32),
    locals: s.types,
    body: [
      set(end, i32.mul(get(n), i32c(4))),
      ...s.init,
      forLoop(i, i32c(0), get(end), i32c(16), [...loads, v128Store(i32.add(get(out), get(i)), value)]),
    ],
  };
}

const functions: FunctionDef[] = [
  elementwise("exp", 1, ([x], s) => exp(get(x!), s)),
  elementwise("silu", 1, ([x], s) => f32x4.mul(get(x!), sigmoid(get(x!), s))),
  elementwise("geluTanh", 1, ([x], s) => f32x4.mul(get(x!), sigmoid(geluTanhArg(x!, s), s))),
  elementwise("gelu", 1, ([x], s) => f32x4.mul(get(x!), phi(x!, s))),
  // (x, g) -> g · f'(x)
  elementwise("siluGrad", 2, ([x, g], s) => {
    const sg = s.local(V128);
    return [
      ...set(sg, sigmoid(get(x!), s)),
      ...f32x4.mul(
        get(g!),
        f32x4.mul(get(sg), f32x4.add(s.c(1), f32x4.mul(get(x!), f32x4.sub(s.c(1), get(sg))))),
      ),
    ];
  }),
  elementwise("geluTanhGrad", 2, ([x, g], s) => {
    const sg = s.local(V128);
    // u' = 2√(2/π)(1 + 3·0.044715x²)
    const du = f32x4.mul(
      s.c(2 * SQRT_2_OVER_PI),
      f32x4.add(s.c(1), f32x4.mul(s.c(3 * 0.044715), f32x4.mul(get(x!), get(x!)))),
    );
    const slope = f32x4.mul(f32x4.mul(get(x!), f32x4.mul(get(sg), f32x4.sub(s.c(1), get(sg)))), du);
    return [...set(sg, sigmoid(geluTanhArg(x!, s), s)), ...f32x4.mul(get(g!), f32x4.add(get(sg), slope))];
  }),
  elementwise("geluGrad", 2, ([x, g], s) => {
    // φ(x) = e^(−x²/2) / √(2π)
    const density = f32x4.mul(
      s.c(1 / Math.sqrt(2 * Math.PI)),
      exp(f32x4.mul(s.c(-0.5), f32x4.mul(get(x!), get(x!))), s),
    );
    return f32x4.mul(get(g!), f32x4.add(phi(x!, s), f32x4.mul(get(x!), density)));
  }),
];

export interface UnaryKernelExports {
  exp(x: number, out: number, n: number): void;
  silu(x: number, out: number, n: number): void;
  geluTanh(x: number, out: number, n: number): void;
  gelu(x: number, out: number, n: number): void;
  siluGrad(x: number, g: number, out: number, n: number): void;
  geluTanhGrad(x: number, g: number, out: number, n: number): void;
  geluGrad(x: number, g: number, out: number, n: number): void;
}

export const unaryFunctions = functions;

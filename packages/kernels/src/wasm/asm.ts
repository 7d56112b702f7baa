// A tiny WebAssembly assembler: just enough of the binary format to emit the SIMD kernels of
// kernels.ts as a module, in folded (S-expression) style so the TypeScript reads like the .wat
// text format:  set(acc, f32x4.add(get(acc), f32x4.mul(get(x), v128Load(get(p)))))
//
// Each helper returns the bytes of one instruction with its operands' bytes in front, which is
// exactly how the stack machine consumes them. Only what the kernels use is here: i32 and f32
// scalars, a few SIMD (f32x4) ops, structured control flow, one imported memory.
// Not here: validation (WebAssembly.Module validates), names section, tables, globals.
// Reference: WebAssembly Core Specification 2.0, chapter 5 (binary format) and the fixed-width
// SIMD proposal's opcode table (0xfd prefix).

export type Code = number[];

/** Unsigned LEB128 (section sizes, indices, memory offsets). */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

const cat = (...parts: Code[]): Code => parts.flat();

// --- locals and constants ---
export const get = (local: number): Code => [0x20, ...uleb(local)];
export const set = (local: number, value: Code): Code => [...value, 0x21, ...uleb(local)];
export const i32c = (n: number): Code => [0x41, ...sleb(n)];

// --- i32 arithmetic ---
export const i32 = {
  add: (a: Code, b: Code): Code => cat(a, b, [0x6a]),
  sub: (a: Code, b: Code): Code => cat(a, b, [0x6b]),
  mul: (a: Code, b: Code): Code => cat(a, b, [0x6c]),
  shrU: (a: Code, b: Code): Code => cat(a, b, [0x76]),
  ltS: (a: Code, b: Code): Code => cat(a, b, [0x48]),
  geS: (a: Code, b: Code): Code => cat(a, b, [0x4e]),
  /** min(a, b) via `select` (a and b are evaluated once each). */
  minS: (a: number, b: number): Code => cat(get(a), get(b), i32.ltS(get(a), get(b)), [0x1b]),
};

/** Calls function `index` of the module with `args` (pushed in order). */
export const call = (index: number, args: Code[]): Code => cat(...args, [0x10, ...uleb(index)]);

/** local += n (n an i32 Code) */
export const inc = (local: number, n: Code): Code => set(local, i32.add(get(local), n));

// --- memory: memarg = (log2 alignment, byte offset) ---
export const f32Load = (addr: Code, offset = 0): Code => cat(addr, [0x2a, 2, ...uleb(offset)]);
export const f32Store = (addr: Code, value: Code, offset = 0): Code =>
  cat(addr, value, [0x38, 2, ...uleb(offset)]);
export const f32Add = (a: Code, b: Code): Code => cat(a, b, [0x92]);
/** f32.const: the float's four little-endian bytes. */
export const f32Const = (x: number): Code => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)];

// --- SIMD: 0xfd prefix, then the opcode as unsigned LEB128 ---
const simd = (op: number): Code => [0xfd, ...uleb(op)];
export const v128Load = (addr: Code, offset = 0): Code => cat(addr, simd(0x00), [4, ...uleb(offset)]);
export const v128Store = (addr: Code, value: Code, offset = 0): Code =>
  cat(addr, value, simd(0x0b), [4, ...uleb(offset)]);
export const v128Zero = (): Code => cat(simd(0x0c), new Array<number>(16).fill(0));
export const f32x4 = {
  splat: (x: Code): Code => cat(x, simd(0x13)),
  extractLane: (v: Code, lane: number): Code => cat(v, simd(0x1f), [lane]),
  lt: (a: Code, b: Code): Code => cat(a, b, simd(0x43)),
  gt: (a: Code, b: Code): Code => cat(a, b, simd(0x44)),
  le: (a: Code, b: Code): Code => cat(a, b, simd(0x45)),
  nearest: (a: Code): Code => cat(a, simd(0x6a)),
  abs: (a: Code): Code => cat(a, simd(0xe0)),
  neg: (a: Code): Code => cat(a, simd(0xe1)),
  add: (a: Code, b: Code): Code => cat(a, b, simd(0xe4)),
  sub: (a: Code, b: Code): Code => cat(a, b, simd(0xe5)),
  mul: (a: Code, b: Code): Code => cat(a, b, simd(0xe6)),
  div: (a: Code, b: Code): Code => cat(a, b, simd(0xe7)),
  min: (a: Code, b: Code): Code => cat(a, b, simd(0xe8)),
  max: (a: Code, b: Code): Code => cat(a, b, simd(0xe9)),
};
export const i32x4 = {
  splat: (x: Code): Code => cat(x, simd(0x11)),
  shl: (v: Code, bits: Code): Code => cat(v, bits, simd(0xab)),
  add: (a: Code, b: Code): Code => cat(a, b, simd(0xae)),
  /** Float lanes to int lanes, rounding toward zero (saturating). */
  truncSatF32x4S: (a: Code): Code => cat(a, simd(0xf8)),
};
/** Lanes of a where mask is all ones, of b where it is all zeros. */
export const v128Bitselect = (a: Code, b: Code, mask: Code): Code => cat(a, b, mask, simd(0x52));

/** Sum of the four lanes of a v128 as an f32. */
export const hsum = (v: number): Code =>
  f32Add(
    f32Add(f32x4.extractLane(get(v), 0), f32x4.extractLane(get(v), 1)),
    f32Add(f32x4.extractLane(get(v), 2), f32x4.extractLane(get(v), 3)),
  );

/**
 * for (i = start; i < end; i += step) { body }  as  block { loop { br_if exit (i >= end); body;
 * i += step; br loop } }.  `end` is re-evaluated each iteration, so pass a local.get.
 */
export function forLoop(i: number, start: Code, end: Code, step: Code, body: Code[]): Code {
  return cat(
    set(i, start),
    [0x02, 0x40, 0x03, 0x40], // block (no result) loop (no result)
    i32.geS(get(i), end),
    [0x0d, 1], // br_if 1: leave the block
    ...body,
    inc(i, step),
    [0x0c, 0, 0x0b, 0x0b], // br 0: back to the loop; end loop; end block
  );
}

export interface FunctionDef {
  name: string;
  params: ValType[];
  /** Extra locals after the params (their indices continue from params.length). */
  locals: ValType[];
  body: Code[];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
};

/**
 * A module that imports `env.memory` (a shared memory of `minPages`..`maxPages` 64 KiB pages,
 * so worker threads can run the same code on the same bytes) and exports `functions`, none of
 * which returns a value.
 */
export function assembleModule(functions: FunctionDef[], minPages: number, maxPages: number): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0]);
  const memoryImport = [...name("env"), ...name("memory"), 0x02, 0x03, ...uleb(minPages), ...uleb(maxPages)];
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const bodies = functions.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t])); // one entry per local: (count 1, type)
    const code = [...locals, ...f.body.flat(), 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}

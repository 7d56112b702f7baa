// The .wat files are the source of the wasm kernels: the committed modules holding their bytes
// (src/wasm/NAME.wat.ts) must be exactly what compiling each .wat gives today, so an edit to a
// .wat that was not rebuilt (or an edit to the bytes by hand) fails here. Also: the `unshared`
// variants, which only pages without SharedArrayBuffer load, compute what the shared ones do.
// Fix a failure with `pnpm --filter @llmts/kernels build:wasm` and commit both files.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compiledModule, WASM_DIR, watNames } from "../scripts/wat.ts";
import { gemmWasm } from "../src/wasm/gemm.wat.ts";

// The WebAssembly JS API (typed here: @types/node declares its types but not its constructors).
const wasm = (
  globalThis as unknown as {
    WebAssembly: Record<"Memory" | "Module" | "Instance", new (...args: unknown[]) => never>;
  }
).WebAssembly;

describe("the compiled wasm modules", () => {
  it("exist for the four kernel groups", () => {
    expect(watNames()).toEqual(["gemm", "matvec", "quant", "unary"]);
  });

  for (const name of watNames()) {
    it(`match a fresh compile of ${name}.wat byte for byte`, async () => {
      const committed = readFileSync(new URL(`${name}.wat.ts`, WASM_DIR), "utf8");
      expect(committed === (await compiledModule(name)), `${name}.wat.ts is stale: run build:wasm`).toBe(
        true,
      );
    });
  }

  it("run gemm the same way on a plain (unshared) memory as on a shared one", () => {
    const run = (bytes: string, shared: boolean) => {
      const memory: { buffer: ArrayBufferLike } = new wasm.Memory({ initial: 1, maximum: 32768, shared });
      const module = new wasm.Module(Buffer.from(bytes, "base64"));
      const instance: { exports: unknown } = new wasm.Instance(module, { env: { memory } });
      const k = instance.exports as { gemm(...args: number[]): void; packA(...args: number[]): void };
      // A [4, 3] at byte 0 (packed into a strip at 384), B [3, 8] row-major at 64, C [4, 8] at
      // 256, gemm's packing buffer at 512.
      const heap = new Float32Array(memory.buffer);
      for (let i = 0; i < 12; i++) heap[i] = i + 1;
      for (let i = 0; i < 24; i++) heap[16 + i] = (i % 5) - 2;
      k.packA(0, 12, 4, 4, 3, 384); // a, rs, cs, M, K, dst
      k.gemm(384, 64, 32, 4, 256, 32, 4, 3, 8, 0, 8, 512); // a, b, rs, cs, c, ldc, Mp, K, N, j0, j1, pack
      return Array.from(heap.subarray(64, 96));
    };
    const shared = run(gemmWasm.shared, true);
    expect(run(gemmWasm.unshared, false)).toEqual(shared);
    // C[0, 0] = Σ_k A[0, k]·B[k, 0] = 1·(-2) + 2·(1) + 3·(-1)
    expect(shared[0]).toBe(-3);
  });
});

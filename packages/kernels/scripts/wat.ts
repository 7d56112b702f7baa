// Compiles the kernels' WebAssembly text (src/wasm/*.wat) to the TypeScript modules that hold
// their bytes (src/wasm/*.wat.ts), with the `wabt` package (WABT's wat2wasm compiled to wasm).
// Used by the build script (build-wasm.ts) and by the test that fails when a committed module
// differs from its .wat (test/wat.test.ts), so the .wat is the source of truth and nothing
// compiles at run time: browsers never load wabt.
//
// Each .wat is compiled twice: as written, importing a *shared* memory (worker threads run the
// same kernels on the same bytes), and with `shared` taken out of its memory import, for pages
// that are not cross-origin isolated (no SharedArrayBuffer there, so no threads either).
// Not here: loading the bytes (src/wasm/memory.ts).
// Reference: the WebAssembly text format (Core Specification 2.0, chapter 6); wabt's wat2wasm.

import { readdirSync, readFileSync } from "node:fs";
import wabt from "wabt";

/** The post-MVP features the kernels use: 128-bit SIMD and shared memory (the threads proposal). */
const FEATURES = { simd: true, threads: true } as const;

/** The one line every kernel module imports its memory with (the 2 GiB maximum is MAX_PAGES). */
export const SHARED_IMPORT = '(import "env" "memory" (memory 1 32768 shared))';
const UNSHARED_IMPORT = '(import "env" "memory" (memory 1 32768))';

export const WASM_DIR = new URL("../src/wasm/", import.meta.url);

/** The .wat files to compile, by name without extension ("gemm", "matvec", "unary"). */
export function watNames(): string[] {
  return readdirSync(WASM_DIR)
    .filter((f) => f.endsWith(".wat"))
    .map((f) => f.slice(0, -4))
    .sort();
}

async function toBytes(file: string, text: string): Promise<Uint8Array> {
  const compiler = await wabt();
  const module = compiler.parseWat(file, text, FEATURES);
  try {
    // validate() takes the same feature flags (missing from wabt's typings): without them a
    // shared memory is refused ("memories may not be shared").
    (module.validate as (features: typeof FEATURES) => void)(FEATURES);
    // Debug names keep $gemmBlock, $c00, ... in the binary: browser devtools show them when
    // they disassemble a kernel, and a trap's stack trace names the function.
    return module.toBinary({ write_debug_names: true }).buffer;
  } finally {
    module.destroy();
  }
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

/** The TypeScript module for src/wasm/NAME.wat: its two binaries, base64-encoded. */
export async function compiledModule(name: string): Promise<string> {
  const file = `${name}.wat`;
  const text = readFileSync(new URL(file, WASM_DIR), "utf8");
  if (text.split(SHARED_IMPORT).length !== 2) {
    throw new Error(`${file}: expected exactly one memory import written as ${SHARED_IMPORT}`);
  }
  const shared = await toBytes(file, text);
  const unshared = await toBytes(file, text.replace(SHARED_IMPORT, UNSHARED_IMPORT));
  return [
    `// The compiled bytes of ${file}, written by \`pnpm --filter @llmts/kernels build:wasm\`.`,
    `// Do not edit: edit ${file} and rebuild (test/wat.test.ts fails when the two differ).`,
    "// `shared` imports a shared memory (threads); `unshared` is for pages without SharedArrayBuffer.",
    "",
    `export const ${name}Wasm = {`,
    // (the line breaks biome's formatter gives a string too long for one line)
    "  shared:",
    `    "${base64(shared)}",`,
    "  unshared:",
    `    "${base64(unshared)}",`,
    "};",
    "",
  ].join("\n");
}

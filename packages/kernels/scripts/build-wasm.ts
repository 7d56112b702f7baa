// `pnpm --filter @llmts/kernels build:wasm`: compiles every src/wasm/NAME.wat into
// src/wasm/NAME.wat.ts (see wat.ts) and says which files changed. Commit both.
// Not here: the compiler settings (wat.ts).

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { compiledModule, WASM_DIR, watNames } from "./wat.ts";

for (const name of watNames()) {
  const target = new URL(`${name}.wat.ts`, WASM_DIR);
  const next = await compiledModule(name);
  const previous = existsSync(target) ? readFileSync(target, "utf8") : "";
  if (next === previous) console.log(`${name}.wat.ts: unchanged`);
  else {
    writeFileSync(target, next);
    console.log(`${name}.wat.ts: written`);
  }
}

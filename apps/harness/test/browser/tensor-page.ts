// Runs in the page (bundled for the browser by browser.test.ts): the same seeded computation as
// the test runs in Node — a small attention block on the reference kernels — and hands the
// numbers to the test through `globalThis.result`.
import { tensorProgram } from "./tensor-program.ts";

(globalThis as { result?: number[] }).result = tensorProgram();

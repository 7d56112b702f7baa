// Printing a FixtureReport the way llm.c's test_gpt2 does: one line per checked tensor,
// "OK" or "NOT OK", the name and the difference, so a failure points at the first wrong tensor.
//
//   OK     gpt2-tied  logits     maxdiff 3.10e-6  rel 3.58e-7 (maxdiff / max|ref| 8.66e+0)  (tol 1.00e-4)
//   NOT OK gpt2-tied  grad h.0.ln_1.weight  maxdiff 2.31e-03 ...
//
// A "checked" line lists every comparison made, and "not checked" what the fixture had nothing for.
// rel = maxdiff / max |reference| (the error next to the tensor's largest value); scaled (grads)
// = maxdiff / max(1, max |reference|), the number the gradient tolerance bounds.
// Not here: running the checks (check.ts).

import type { Comparison, FixtureReport } from "./check.ts";

const mark = (ok: boolean) => (ok ? "OK    " : "NOT OK");
const e = (x: number) => x.toExponential(2);

function line(fixture: string, what: string, c: Comparison): string {
  const scaled = c.error !== c.maxAbs ? `  scaled ${e(c.error)}` : "";
  return `${mark(c.ok)} ${fixture}  ${what.padEnd(36)} maxdiff ${e(c.maxAbs)}  rel ${e(c.maxRel)} (maxdiff / max|ref| ${e(c.refMax)})${scaled}  (tol ${e(c.tolerance)})`;
}

/** The report as lines; `verbose` adds a line per gradient even when it passed. */
export function formatReport(r: FixtureReport, verbose = true): string[] {
  const out = [line(r.name, "logits", r.logits), line(r.name, r.cached.name, r.cached)];
  if (r.loss) {
    const l = r.loss;
    out.push(
      `${mark(l.ok)} ${r.name}  ${"loss".padEnd(36)} maxdiff ${e(l.diff)}  ours ${l.ours.toFixed(6)} ref ${l.reference.toFixed(6)}  (tol ${e(l.tolerance)})`,
    );
  }
  if (r.greedy) {
    const g = r.greedy;
    const detail = g.ok
      ? `[${g.actual.join(", ")}]`
      : `got [${g.actual.join(", ")}] expected [${g.expected.join(", ")}]`;
    out.push(`${mark(g.ok)} ${r.name}  ${"greedy".padEnd(36)} ${detail}`);
  }
  if (r.grads.length > 0) {
    const worst = r.grads.reduce((a, b) => (b.error > a.error ? b : a));
    const failed = r.grads.filter((g) => !g.ok);
    const shown = verbose ? r.grads : failed;
    for (const g of shown) out.push(line(r.name, `grad ${g.name}`, g));
    out.push(
      `${mark(failed.length === 0)} ${r.name}  ${`grads (${r.grads.length} tensors)`.padEnd(36)} worst ${worst.name} ${e(worst.error)}`,
    );
  }
  for (const p of r.problems) out.push(`NOT OK ${r.name}  ${p}`);
  out.push(`checked ${r.name}: ${r.checked.join(", ")}`);
  if (r.notChecked.length > 0) out.push(`not checked ${r.name}: ${r.notChecked.join("; ")}`);
  out.push(`${r.ok ? "PASS" : "FAIL"} ${r.name}`);
  return out;
}

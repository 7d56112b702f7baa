// `llmts check fixtures/*`: runs the logits harness (@llmts/harness) on reference fixtures and
// prints llm.c-style "OK / NOT OK name maxdiff" lines (logits in one pass and token by token
// through the KV cache, loss, greedy decoding, gradients); exits 1 if any check fails.
//
// Arguments may be fixture directories or directories of fixtures; anything else a shell glob
// brings along (fixtures/README.md, fixtures/gen) is skipped. A fixture that cannot even load
// (a WeightLoadError, say) counts as failed with its message, and the others still run.
// Not here: the comparisons themselves (apps/harness/src/check.ts).
import { statSync } from "node:fs";
import { checkFixture, findFixtures, formatReport, isFixtureDir } from "@llmts/harness";
import type { Command } from "commander";
import { CliError } from "../errors.ts";

function expand(paths: string[]): string[] {
  const dirs: string[] = [];
  for (const path of paths) {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new CliError(`check: no such file or directory: ${path}`);
    }
    if (!isDir) continue;
    if (isFixtureDir(path)) dirs.push(path);
    else dirs.push(...findFixtures(path));
  }
  return dirs;
}

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description(
      "compare our logits (one pass and token by token through the KV cache), loss, gradients and greedy decoding with reference fixtures",
    )
    .argument("<paths...>", "fixture directories, or directories holding fixtures (e.g. fixtures/*)")
    .option("--verbose", "print a line for every gradient tensor, not only the failing ones")
    .action((paths: string[], o: { verbose?: boolean }) => {
      const dirs = expand(paths);
      if (dirs.length === 0) {
        throw new CliError(
          `check: no fixtures (directories with reference.safetensors) in ${paths.join(" ")}`,
        );
      }
      let failed = 0;
      for (const dir of dirs) {
        let lines: string[];
        try {
          const report = checkFixture(dir);
          lines = formatReport(report, o.verbose ?? false);
          if (!report.ok) failed++;
        } catch (e) {
          failed++;
          lines = [`NOT OK ${dir}  ${(e as Error).message}`, `FAIL ${dir}`];
        }
        process.stdout.write(`${lines.join("\n")}\n`);
      }
      process.stdout.write(`${dirs.length - failed} of ${dirs.length} fixtures passed\n`);
      if (failed > 0) process.exitCode = 1;
    });
}

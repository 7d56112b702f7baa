// What every command that writes promises about the files it writes: it never replaces a file it
// did not create in this run unless --force is given, and it never writes over one of its own
// inputs (not even with --force: that would destroy what the command is reading). Both are
// checked before anything is written, and refused in one line that names the flag and the file.
// The output directory is made ready here too (prepareOutputDir / prepareOutputFile), so a path
// that cannot be written (under /proc, on a read-only disk, below a file) fails at once, in words.
// Not here: writing (each command writes through @llmts/safetensors' atomic writers), locking a
// training run's directory (@llmts/train/node lock.ts).

import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { prepareOutputDirectory } from "@llmts/safetensors/node";
import { CliError } from "./errors.ts";

/**
 * Creates the output directory `dir` (and its parents) if needed and checks that it can be
 * written into; otherwise one line naming `flag`, e.g.
 * "--out: cannot write to /proc/x: the file system refuses new directories in /proc".
 */
export function prepareOutputDir(flag: string, dir: string): void {
  prepareOutputDirectory(dir, (reason) => {
    throw new CliError(`${flag}: cannot write to ${dir}: ${reason}`);
  });
}

/** prepareOutputDir for the directory of the output file `path`, which must not be a directory itself. */
export function prepareOutputFile(flag: string, path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new CliError(`${flag}: ${path} is a directory; give the name of the file to write`);
  }
  prepareOutputDirectory(dirname(resolve(path)), (reason) => {
    throw new CliError(`${flag}: cannot write ${path}: ${reason}`);
  });
}

/** The absolute path with symlinks resolved as far as the path exists (so two spellings compare equal). */
export function canonical(path: string): string {
  let head = resolve(path);
  const tail: string[] = [];
  while (!existsSync(head)) {
    const parent = dirname(head);
    if (parent === head) break;
    tail.unshift(head.slice(parent.length + (parent.endsWith("/") ? 0 : 1)));
    head = parent;
  }
  return join(realpathSync(head), ...tail);
}

/**
 * Refuses to replace `files` (paths the command is about to write) when any exists, unless
 * `force`. `flag` names the output flag in the message, `hint` says what else the user can do.
 */
export function refuseToReplace(flag: string, files: readonly string[], force: boolean, hint = ""): void {
  if (force) return;
  const existing = files.filter((f) => existsSync(f));
  if (existing.length === 0) return;
  const what =
    existing.length === 1
      ? `${existing[0]} already exists and this command did not write it: pass --force to replace it`
      : `${existing[0]} and ${existing.length - 1} more files already exist, and this command did not write them: pass --force to replace them`;
  throw new CliError(`${flag}: ${what}${hint}`);
}

/** Refuses when an output path is one of the command's inputs (compared as canonical paths). */
export function refuseInputAsOutput(
  outFlag: string,
  outputs: readonly string[],
  inputs: readonly { flag: string; path: string }[],
): void {
  for (const out of outputs) {
    const target = canonical(out);
    for (const input of inputs) {
      const source = canonical(input.path);
      const inside = existsSync(source) && statSync(source).isDirectory() && target.startsWith(`${source}/`);
      if (target === source || inside) {
        throw new CliError(
          `${outFlag} ${out} would overwrite ${input.flag} ${input.path}, which this command reads: choose another ${outFlag}`,
        );
      }
    }
  }
}

/** A path as the user would type it here: relative to the working directory when inside it. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

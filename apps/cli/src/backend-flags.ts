// The compute flags shared by every command that runs a model (generate, train, logits):
// --backend, --threads and --verbose. They map onto @llmts/tensor's configureBackend(); with
// --verbose the choice is printed to stderr twice: the rule per op when the flags are applied,
// and when the process ends, the same line with the pinned weights and how often each kernel
// actually ran (e.g. "ran: matmul wasm matvec pinned 8643, attention wasm decode 1200, ...").
// --threads above the machine's cores is lowered to the cores, with a warning: each thread is a
// worker with its own wasm memory, and 1000 of them on 2 cores took 79 s and 7.5 GB for a
// 100K-parameter model, while more threads than cores can only wait for each other.
import { availableParallelism } from "node:os";
import {
  BACKEND_NAMES,
  type BackendName,
  configureBackend,
  describeBackend,
  kernelCounts,
  pinnedFloat32,
  resetKernelCounts,
} from "@llmts/kernels/node";
import type { Allocate } from "@llmts/model";
import { type Command, Option } from "commander";
import { CliError, parseNumberFlag, warn } from "./errors.ts";

export interface BackendFlags {
  backend: string;
  threads?: string;
  verbose?: boolean;
}

export function addBackendFlags(
  command: Command,
  threadsHelp = "threads for the matmul kernels (default: all cores)",
): Command {
  return command
    .addOption(
      new Option("--backend <name>", "compute kernels: auto picks per op and shape by measurement")
        .choices(BACKEND_NAMES)
        .default("auto"),
    )
    .option("--threads <n>", threadsHelp)
    .option("--verbose", "print the backend choice, and at the end the kernels that ran, to stderr");
}

/** Applies --backend / --threads; with --verbose, says what was chosen and (at exit) what ran. */
export function applyBackendFlags(flags: BackendFlags): void {
  const threads =
    flags.threads === undefined
      ? undefined
      : capThreads(parseNumberFlag("--threads", flags.threads, { integer: true, min: 1 }));
  try {
    configureBackend({ backend: flags.backend as BackendName, threads });
  } catch (error) {
    if (error instanceof RangeError) throw new CliError(`--backend/--threads: ${error.message}`);
    throw error;
  }
  if (flags.verbose) {
    process.stderr.write(`llmts: ${describeBackend()}\n`);
    reportKernelsAtExit();
  }
}

/**
 * Where an inference command loads the weights (and keeps the KV cache): with the wasm kernels
 * (--backend auto or wasm) straight into their memory, so decoding reads each weight where it lies
 * and the process holds it once (GPT-2 124M peaks near 1.3x its weight bytes instead of 2.3x, as
 * `pnpm bench --only model` measures); other backends read ordinary arrays.
 */
export function inferenceAllocate(flags: BackendFlags): { allocate?: Allocate } {
  return flags.backend === "auto" || flags.backend === "wasm" ? { allocate: pinnedFloat32 } : {};
}

/** --threads, lowered to the cores of this machine when it asks for more (with a warning). */
export function capThreads(threads: number, cores = availableParallelism()): number {
  if (threads <= cores) return threads;
  warn(`--threads ${threads} is more than this machine's ${cores} cores: using ${cores}`);
  return cores;
}

/**
 * Prints describeBackend() once more when the process ends, if any kernel ran: by then it
 * includes the weights pinned after loading and the count of every kernel chosen. (stderr
 * writes are synchronous for files, pipes and terminals, so an exit handler may write.)
 */
export function reportKernelsAtExit(): void {
  resetKernelCounts();
  process.once("exit", () => {
    if (kernelCounts().length > 0) process.stderr.write(`llmts: ${describeBackend()}\n`);
  });
}

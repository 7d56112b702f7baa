// The compute flags shared by every command that runs a model (generate, train, logits):
// --backend, --threads and --verbose. They map onto @llmts/tensor's configureBackend(); the
// choice is printed to stderr with --verbose so a reader can see which kernels ran.
import { BACKEND_NAMES, type BackendName, configureBackend, describeBackend } from "@llmts/tensor";
import { type Command, Option } from "commander";
import { CliError, parseNumberFlag } from "./errors.ts";

export interface BackendFlags {
  backend: string;
  threads?: string;
  verbose?: boolean;
}

export function addBackendFlags(command: Command): Command {
  return command
    .addOption(
      new Option("--backend <name>", "compute kernels: auto picks per op and shape by measurement")
        .choices(BACKEND_NAMES)
        .default("auto"),
    )
    .option("--threads <n>", "threads for the matmul kernels (default: all cores)")
    .option("--verbose", "print the backend choice and other details to stderr");
}

/** Applies --backend / --threads; with --verbose, says what was chosen. */
export function applyBackendFlags(flags: BackendFlags): void {
  const threads =
    flags.threads === undefined
      ? undefined
      : parseNumberFlag("--threads", flags.threads, { integer: true, min: 1 });
  try {
    configureBackend({ backend: flags.backend as BackendName, threads });
  } catch (error) {
    if (error instanceof RangeError) throw new CliError(`--backend/--threads: ${error.message}`);
    throw error;
  }
  if (flags.verbose) process.stderr.write(`llmts: ${describeBackend()}\n`);
}

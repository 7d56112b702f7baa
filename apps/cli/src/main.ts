// Entry point of the `llmts` command: builds the command tree and turns user errors into
// one-line messages with exit code 1. Each subcommand lives in its own file under commands/
// and only composes the packages; no model or tensor logic lives in the CLI.
// A reader of stdout that goes away early (`llmts inspect big.safetensors | head -2`) ends the
// command quietly, as it ends `cat`: nobody is left to read the rest. A closed stderr only drops
// what would have gone there (progress, stats), so a training run is not killed by `2>&1 | head`.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.ts";
import { isFileSystemError, isUserError } from "./errors.ts";

// EPIPE: the other end of the pipe closed. Node reports it as an 'error' event on the stream, which
// unhandled becomes a stack trace. stdout: exit with the status the command had so far. stderr:
// drop the write and carry on. Any other stream error is still thrown.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit();
});
process.stderr.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

// `llmts --version`: the version of this package (apps/cli/package.json), as "llmts 0.1.0".
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command("llmts")
  .description("llm.ts: train, inspect and run small transformer language models, in TypeScript")
  .version(`llmts ${version}`, "--version", "print the version of llmts and exit")
  // Commander's own errors (unknown flag, missing option, bad choice) as one line, like ours.
  .configureOutput({
    outputError: (message, write) => write(`${message.trimEnd()} (run with --help for usage)\n`),
  })
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (unknown flag, missing argument, --help).
    process.exitCode = error.exitCode;
  } else if (isUserError(error) || isFileSystemError(error)) {
    process.stderr.write(`llmts: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    // A bug in llm.ts: keep the stack so it can be reported.
    console.error(error);
    process.exitCode = 2;
  }
}

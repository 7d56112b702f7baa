// Entry point of the `llmts` command: builds the command tree and turns user errors into
// one-line messages with exit code 1. Each subcommand lives in its own file under commands/
// and only composes the packages; no model or tensor logic lives in the CLI.
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.ts";
import { isFileSystemError, isUserError } from "./errors.ts";

const program = new Command("llmts")
  .description("llm.ts: train, inspect and run small transformer language models, in TypeScript")
  .showHelpAfterError("(run with --help for usage)")
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

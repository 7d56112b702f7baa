// Every subcommand of `llmts`, one file each. Adding a command means adding a file and a line here.
import type { Command } from "commander";
import { registerCheck } from "./check.ts";
import { registerInit } from "./init.ts";
import { registerInspect } from "./inspect.ts";
import { registerLogits } from "./logits.ts";

type Register = (program: Command) => void;

const commands: Register[] = [registerInspect, registerInit, registerLogits, registerCheck];

export function registerCommands(program: Command): void {
  for (const register of commands) register(program);
}

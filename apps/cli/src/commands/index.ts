// Every subcommand of `llmts`, one file each. Adding a command means adding a file and a line here.
import type { Command } from "commander";
import { registerInspect } from "./inspect.ts";

type Register = (program: Command) => void;

const commands: Register[] = [registerInspect];

export function registerCommands(program: Command): void {
  for (const register of commands) register(program);
}

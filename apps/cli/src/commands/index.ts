// Every subcommand of `llmts`, one file each. Adding a command means adding a file and a line here.
import type { Command } from "commander";
import { registerChat } from "./chat.ts";
import { registerCheck } from "./check.ts";
import { registerDemo } from "./demo.ts";
import { registerExport } from "./export.ts";
import { registerGenerate } from "./generate.ts";
import { registerInit } from "./init.ts";
import { registerInspect } from "./inspect.ts";
import { registerLogits } from "./logits.ts";
import { registerPlayground } from "./playground.ts";
import { registerQuantize } from "./quantize.ts";
import { registerServe } from "./serve.ts";
import { registerTokenize } from "./tokenize.ts";
import { registerTokenizerTrain } from "./tokenizer-train.ts";
import { registerTrain } from "./train.ts";

type Register = (program: Command) => void;

const commands: Register[] = [
  registerInspect,
  registerInit,
  registerLogits,
  registerGenerate,
  registerServe,
  registerChat,
  registerCheck,
  registerTrain,
  registerDemo,
  registerTokenize,
  registerTokenizerTrain,
  registerQuantize,
  registerExport,
  registerPlayground,
];

export function registerCommands(program: Command): void {
  for (const register of commands) register(program);
}

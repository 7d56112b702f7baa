// Finding fixtures: a fixture is a directory holding reference.safetensors next to a model
// (config.json + weights). Used by the harness test and by `llmts check`.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export function isFixtureDir(dir: string): boolean {
  return existsSync(join(dir, "reference.safetensors")) && existsSync(join(dir, "config.json"));
}

/** Every fixture directory directly under `root`, sorted by name. */
export function findFixtures(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isDirectory() && isFixtureDir(path))
    .sort();
}

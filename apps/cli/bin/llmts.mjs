#!/usr/bin/env node
// The `llmts` command. Our packages are TypeScript sources (no build step), so we register
// tsx's loader first and then import the real entry point. Registering from this file (not via
// `node --import tsx`) makes tsx resolve from the CLI's own node_modules, whatever the cwd.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");

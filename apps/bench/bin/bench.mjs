#!/usr/bin/env node
// `pnpm bench`: registers tsx's loader, then runs the TypeScript benchmark suite.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");

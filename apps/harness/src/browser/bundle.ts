// Bundles a module for the browser with esbuild (platform "browser", ES modules), the check that a
// package really runs there: esbuild cannot resolve a node: built-in for that platform, so a core
// package that reaches one fails to bundle, and the error names the import chain.
// Not here: serving the bundle (server.ts), running it (chromium.ts).
// Reference: esbuild's build API (bundle, platform, format, write: false, metafile).

import { build } from "esbuild";

export interface Bundle {
  /** The bundled JavaScript. */
  code: string;
  /** The source files that went in, relative to the working directory. */
  inputs: string[];
}

/** Bundles `entry` (a file path) and everything it imports for browsers; throws if it cannot. */
export async function bundleForBrowser(entry: string): Promise<Bundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

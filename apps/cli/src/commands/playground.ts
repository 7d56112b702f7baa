// `llmts playground [--port N] [--host ADDRESS]`: builds the Training vs Inference Playground if
// its build is out of date (apps/playground: esbuild, about a second; a few milliseconds when up
// to date), serves it from this machine, and prints the URL to open. Everything the page needs is
// in the build — Moby-Dick included — so it works offline. Every response carries the COOP/COEP
// headers that make the page cross-origin isolated (SharedArrayBuffer, which the worker threads
// and the page's "Stop generating" need); browsers grant that only on localhost or over HTTPS, so
// the default host is 127.0.0.1. The server runs until Ctrl-C.
// Not here: the page (apps/playground), the server (@llmts/harness/server: static files, node:http).

import { type StaticServer, serveStatic } from "@llmts/harness/server";
import type { Command } from "commander";
import { CliError, parseNumberFlag } from "../errors.ts";
import { importSource } from "../source-import.ts";

/** The playground's build code (TypeScript source, imported when the command runs). */
type PlaygroundBuild = typeof import("@llmts/playground/build");

interface PlaygroundFlags {
  port: string;
  host: string;
  rebuild?: boolean;
}

export function registerPlayground(program: Command): void {
  program
    .command("playground")
    .description(
      "serve the Training vs Inference Playground (built if needed) and print the URL to open in a browser",
    )
    .option("--port <n>", "port to listen on; 0 picks a free one", "8080")
    .option("--host <address>", "address to listen on (127.0.0.1: this machine only)", "127.0.0.1")
    .option(
      "--rebuild",
      "build the page even when the build is up to date (default: only when a source changed)",
    )
    .addHelpText(
      "after",
      `
Open the printed URL in a browser (Chrome, Edge or Firefox). Ctrl-C stops the server.
The page trains a model on Moby-Dick (built in), a pasted text or a file; freezes it; answers
queries with the same sampler as llmts generate; loads checkpoints that llmts train writes.

Example:
  llmts playground --port 8080`,
    )
    .action((o: PlaygroundFlags) => runPlayground(o));
}

async function runPlayground(o: PlaygroundFlags): Promise<void> {
  const port = parseNumberFlag("--port", o.port, { integer: true, min: 0, max: 65535 });
  if (o.host.trim() === "") throw new CliError("--host: the address is empty");

  const { buildPlayground, DIST, ensureBuilt } =
    await importSource<PlaygroundBuild>("@llmts/playground/build");
  let server: StaticServer;
  try {
    server = await serveStatic(DIST, {}, { host: o.host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new CliError(`--port ${port}: the port is in use; choose another (--port 0 picks a free one)`);
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
      throw new CliError(`--host ${o.host}: cannot listen on this address (${code})`);
    }
    throw error;
  }
  // Listening came first: a taken port is reported before a build is spent. Files are read per request.
  const start = performance.now();
  let built = true;
  try {
    if (o.rebuild) await buildPlayground();
    else built = (await ensureBuilt()).rebuilt;
  } catch (error) {
    await server.close(); // or the listening socket would keep the process alive
    throw error;
  }
  const ms = (performance.now() - start).toFixed(0);
  process.stderr.write(
    built ? `built the page in ${ms} ms (${DIST})\n` : `the page is up to date (checked in ${ms} ms)\n`,
  );

  // A wildcard address listens everywhere; the URL to open on this machine is localhost's.
  const url = server.url.replace(/^http:\/\/(0\.0\.0\.0|\[::\])/, "http://127.0.0.1");
  process.stdout.write(`playground: ${url}/\n`);
  process.stderr.write("open it in a browser; Ctrl-C stops the server\n");

  await new Promise<void>((resolve) => {
    const stop = () => {
      server.server.closeAllConnections(); // a browser keeps its connections open
      void server.close().then(resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

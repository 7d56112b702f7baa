// Headless Chromium for the browser tests, driven by playwright-core. The browser is Debian's
// `chromium` (scripts/ensure-chromium.mjs installs it as part of `pnpm test`); playwright's own
// browser download needs a network this project does not assume. A missing browser is an error
// with the command that installs it, never a skipped test.
// Not here: serving pages (server.ts), bundling (bundle.ts).
// Reference: playwright-core's `chromium.launch({ executablePath })`; the flags below are what
// Chromium needs on a machine with no GPU and no network.

import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium binary: CHROMIUM_PATH, else the usual Linux paths; throws with the install command. */
export function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH;
  const path = given ?? CANDIDATES.find((p) => existsSync(p));
  if (path === undefined || !existsSync(path)) {
    throw new Error(
      `browser tests: no Chromium found (${given ?? CANDIDATES.join(", ")}): install it with ` +
        "`sudo apt-get install -y chromium`, or set CHROMIUM_PATH",
    );
  }
  return path;
}

/**
 * A headless Chromium. Without the networking flags it keeps trying to reach update and sync
 * hosts; --disable-gpu because there is none (WebGL then runs in software, or not at all).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

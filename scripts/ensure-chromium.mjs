#!/usr/bin/env node
// Set-up step of `pnpm test`: the browser tests run in a real headless Chromium, and they must not
// skip silently on a machine that lacks one. This finds the browser (CHROMIUM_PATH, else the usual
// Debian/Ubuntu paths); when there is none and we are root on a Debian-like system, it installs
// Debian's `chromium` package; otherwise it stops the test run with the command that installs it.
// playwright's own browser download cannot work here (no network but the package registries).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

function found() {
  if (process.env.CHROMIUM_PATH)
    return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

function apt(args) {
  execFileSync("apt-get", args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

let path = found();
if (path === null) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = existsSync("/usr/bin/apt-get");
  if (!isRoot || !hasApt) {
    console.error(
      "test: the browser tests need Chromium, and none was found. Install it with " +
        "`sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.",
    );
    process.exit(1);
  }
  console.error("test: installing Chromium for the browser tests (apt-get install -y chromium) ...");
  try {
    apt(["install", "-y", "--no-install-recommends", "chromium"]);
  } catch {
    apt(["update"]); // a fresh machine may not have the package lists yet
    apt(["install", "-y", "--no-install-recommends", "chromium"]);
  }
  path = found();
  if (path === null) {
    console.error(`test: apt-get installed chromium, but no binary was found at ${CANDIDATES.join(", ")}`);
    process.exit(1);
  }
}
console.error(`test: browser tests will use ${path}`);

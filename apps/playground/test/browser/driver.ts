// Driving the playground from a test: start `llmts playground` (the real command, on a free
// port), open the page in headless Chromium, and read the page through its data-testid hooks —
// each number a plain number, read with Number() and refused if it is not one.
// Not here: the scenarios (../playground.browser.test.ts).

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";

export const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const LLMTS = `${REPO}apps/cli/bin/llmts.mjs`;

export interface Served {
  url: string;
  process: ChildProcess;
  stderr: () => string;
}

/** `llmts playground --port 0`: resolves with the URL it prints. */
export function startPlayground(): Promise<Served> {
  const child = spawn(process.execPath, [LLMTS, "playground", "--port", "0"], { cwd: REPO });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const match = out.match(/^playground: (http:\/\/\S+)$/m);
      if (match) resolve({ url: match[1]!, process: child, stderr: () => err });
    });
    child.on("exit", (code) => reject(new Error(`llmts playground exited with ${code}: ${err}`)));
  });
}

/** Runs the `llmts` CLI to its end; resolves with stdout, rejects with stderr. */
export function llmts(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [LLMTS, ...args],
      { cwd: REPO, maxBuffer: 1 << 26 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`llmts ${args.join(" ")}: ${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

export class PlaygroundPage {
  readonly errors: string[] = [];

  private constructor(readonly page: Page) {
    page.on("pageerror", (e) => this.errors.push(e.message));
  }

  static async open(browser: Browser, url: string): Promise<PlaygroundPage> {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1200, height: 900 },
    });
    const p = new PlaygroundPage(await context.newPage());
    await p.page.goto(url);
    await p.page.waitForFunction(
      () => document.querySelector('[data-testid="backend-name"]')?.textContent !== "…",
    );
    return p;
  }

  private sel(id: string): string {
    return `[data-testid="${id}"]`;
  }

  async text(id: string): Promise<string> {
    return (await this.page.textContent(this.sel(id))) ?? "";
  }

  /** The plain number in an element; fails when the element holds anything else. */
  async number(id: string): Promise<number> {
    const text = (await this.text(id)).trim();
    const x = Number(text);
    if (text === "" || !Number.isFinite(x))
      throw new Error(`data-testid "${id}" holds "${text}", not a plain number`);
    return x;
  }

  /** Waits until the element's text satisfies `test` (a string compared for equality, or a RegExp). */
  async waitForText(id: string, test: string | RegExp, timeout = 60_000): Promise<void> {
    const source = typeof test === "string" ? null : test.source;
    const want = typeof test === "string" ? test : null;
    await this.page.waitForFunction(
      ([sel, want, source]) => {
        const text = document.querySelector(sel)?.textContent ?? "";
        return want !== null ? text === want : new RegExp(source!).test(text);
      },
      [this.sel(id), want, source] as const,
      { timeout },
    );
  }

  /** Waits until the element holds a plain number at least `min`. */
  async waitForAtLeast(id: string, min: number, timeout = 60_000): Promise<void> {
    await this.page.waitForFunction(
      ([sel, min]) => Number(document.querySelector(sel as string)?.textContent) >= (min as number),
      [this.sel(id), min] as const,
      { timeout },
    );
  }

  /** Sets an input, select or textarea and sends the events a person's typing would. */
  async set(id: string, value: string | boolean): Promise<void> {
    await this.page.$eval(
      this.sel(id),
      (el, value) => {
        const input = el as HTMLInputElement;
        if (typeof value === "boolean") input.checked = value;
        else input.value = value;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      },
      value,
    );
  }

  async click(id: string): Promise<void> {
    await this.page.click(this.sel(id));
  }

  async visible(id: string): Promise<boolean> {
    return this.page.isVisible(this.sel(id));
  }

  /** Runs the query console's query and waits for its dashboard (or its error message). */
  async query(): Promise<void> {
    await this.click("query-run"); // the page clears the dashboard as the query starts
    await this.page.waitForFunction(
      () =>
        document.querySelector('[data-testid="response-time-ms"]')?.textContent !== "–" ||
        !(document.querySelector('[data-testid="query-message"]') as HTMLElement).hidden,
      null,
      { timeout: 60_000 },
    );
  }

  /** The ids of the last query's answer. */
  async generatedIds(): Promise<number[]> {
    const text = await this.text("generated-ids");
    return text === "" ? [] : text.split(",").map(Number);
  }
}

// `llmts playground`'s own bad input: each a one-line error naming the flag, before anything is served.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { llmts } from "./browser/driver.ts";

describe("llmts playground", () => {
  it("refuses a port that is not a port", async () => {
    await expect(llmts(["playground", "--port", "70000"])).rejects.toThrow(
      /: llmts: --port: must be at most 65535, got 70000\n$/,
    );
    await expect(llmts(["playground", "--port", "http"])).rejects.toThrow(
      /llmts: --port: expected a number, got "http"\n$/,
    );
  });

  it("says so in one line when the port is taken", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      await expect(llmts(["playground", "--port", String(port)])).rejects.toThrow(
        new RegExp(
          `llmts: --port ${port}: the port is in use; choose another \\(--port 0 picks a free one\\)\\n$`,
        ),
      );
    } finally {
      busy.close();
    }
  });
});

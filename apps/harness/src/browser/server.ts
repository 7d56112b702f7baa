// A static file server on localhost for browser tests and the playground: files from a directory
// plus extra in-memory files (a fresh bundle, say), every response cross-origin isolated —
//   Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp
// — because a page only gets SharedArrayBuffer (what the wasm kernels' worker threads share)
// when it is isolated.
// Not here: anything dynamic; caching (every request reads the file again).
// Reference: MDN, "SharedArrayBuffer: security requirements".

import { readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".txt": "text/plain; charset=utf-8",
};

export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

export interface StaticServer {
  /** e.g. "http://127.0.0.1:41234" */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves `root` (files under it only) and `extra` (path -> contents, which win over files) on
 * host:port (port 0: any free port).
 */
export function serveStatic(
  root: string,
  extra: Record<string, string | Uint8Array> = {},
  { host = "127.0.0.1", port = 0 }: { host?: string; port?: number } = {},
): Promise<StaticServer> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const name = path === "/" ? "/index.html" : path;
    const send = (status: number, body: string | Uint8Array, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...ISOLATION_HEADERS });
      res.end(body);
    };
    const type = TYPES[extname(name)] ?? "application/octet-stream";
    const inMemory = extra[name];
    if (inMemory !== undefined) return send(200, inMemory, type);
    const file = normalize(join(root, name));
    if (file !== root && !file.startsWith(root + sep)) return send(403, "forbidden");
    try {
      if (!(await stat(file)).isFile()) return send(404, "not found");
      send(200, await readFile(file), type);
    } catch {
      send(404, "not found");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shown}:${address.port}`,
        server,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

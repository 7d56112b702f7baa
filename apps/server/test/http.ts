// Raw HTTP for the tests that need to see the bytes: status, headers, NDJSON lines, bodies the
// openai client would refuse to send.
import { request } from "node:http";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

export function send(
  url: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (s: string) => (text += s));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

export const post = (url: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  send(url, "POST", path, JSON.stringify(body), { "Content-Type": "application/json", ...headers });

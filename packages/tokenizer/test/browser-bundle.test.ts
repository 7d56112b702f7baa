// "@llmts/tokenizer" runs in a browser: esbuild bundles its main entry for platform "browser"
// without a single Node built-in (an import of node:fs there fails the build) and without Node
// globals (process, Buffer, ...), and the bundle tokenizes like the source does.
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { CharTokenizer, trainBpe } from "../src/index.ts";
import { mobyDickText } from "./corpus.ts";

const NODE_GLOBALS = ["process", "Buffer", "global", "require", "__dirname", "__filename", "setImmediate"];

async function bundle(entry: string, external: string[] = []) {
  return build({
    external,
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    // A free reference to a Node global becomes a marker we can look for in the output.
    define: Object.fromEntries(NODE_GLOBALS.map((name) => [name, `__node_global_${name}__`])),
  });
}

describe("the @llmts/tokenizer browser bundle", () => {
  it("bundles for the browser with no Node built-in and no Node global", async () => {
    const result = await bundle("../src/index.ts");
    const inputs = Object.keys(result.metafile.inputs);
    expect(
      inputs.filter((path) => path.startsWith("node:") || !path.includes("packages/tokenizer/src/")),
    ).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code.match(/__node_global_\w+__/g) ?? []).toEqual([]);
  });

  it("would fail on the Node entry, which reads files (so the checks above can fail)", async () => {
    await expect(bundle("../src/node/index.ts")).rejects.toThrow(/Could not resolve "node:fs"/);
    // With node:* left unresolved, the globals of writeFileAtomic (process.pid, Buffer) show up.
    const code = (await bundle("../src/node/index.ts", ["node:*"])).outputFiles[0]!.text;
    expect(new Set(code.match(/__node_global_\w+__/g))).toEqual(
      new Set(["__node_global_process__", "__node_global_Buffer__"]),
    );
  });

  it("tokenizes like the source when imported as a module", async () => {
    const code = (await bundle("../src/index.ts")).outputFiles[0]!.text;
    const bundled = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
    const text = mobyDickText().slice(0, 20_000);
    const ours = trainBpe(text, 300);
    const theirs = bundled.tokenizerFromFiles({ "tokenizer.json": ours.toTokenizerJson() });
    const sample = mobyDickText().slice(50_000, 60_000);
    expect(theirs.encode(sample)).toEqual(ours.encode(sample));
    expect(bundled.CharTokenizer.fromText(text).toTokenizerJson()).toBe(
      CharTokenizer.fromText(text).toTokenizerJson(),
    );
  });
});

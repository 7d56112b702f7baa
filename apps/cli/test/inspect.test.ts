// `llmts inspect` run as a user runs it: the real bin, a real file, stdout and exit codes.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTensor, elementCount, fromNumbers } from "@llmts/safetensors";
import { readSafetensorsFile, writeSafetensors } from "@llmts/safetensors/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/llmts.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llmts-inspect-"));
const file = join(dir, "model.safetensors");
// GPT-2 from the PyTorch generator, with the h.{i}.attn.bias / masked_bias buffers stored.
const gpt2Tied = fileURLToPath(new URL("../../../fixtures/gpt2-tied", import.meta.url));

function llmts(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });
}

beforeAll(() => {
  writeSafetensors(
    file,
    {
      "wte.weight": createTensor("F32", [10, 4], new Float32Array(40)),
      "ln_f.bias": createTensor("F16", [4], new Uint16Array(4)),
      ids: fromNumbers("I64", [1, 2], [1, 2]),
    },
    { format: "pt" },
  );
  writeFileSync(join(dir, "broken.safetensors"), new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("llmts inspect", () => {
  it("prints one JSON object with tensors, parameter count, bytes and metadata", () => {
    const out = execFileSync(process.execPath, [bin, "inspect", dir, "--json"], { encoding: "utf8" });
    const report = JSON.parse(out);
    expect(report.files).toEqual([file]);
    expect(report.index).toBeNull();
    expect(report.tensors).toEqual([
      { name: "ids", dtype: "I64", shape: [1, 2], bytes: 16, file },
      { name: "wte.weight", dtype: "F32", shape: [10, 4], bytes: 160, file },
      { name: "ln_f.bias", dtype: "F16", shape: [4], bytes: 8, file },
    ]);
    expect(report.parameter_count).toBe(2 + 40 + 4);
    expect(report.total_bytes).toBe(16 + 160 + 8);
    expect(report.metadata).toEqual({ format: "pt" });
    expect(report).toMatchObject({ parameter_count_source: "tensors", model_type: null, element_count: 46 });
  });

  it("counts GPT-2's parameters as the model defines them, leaving out the attn.bias buffers", () => {
    // The generator wrote a gradient for every parameter and none for the buffers: an independent count.
    const reference = readSafetensorsFile(join(gpt2Tied, "reference.safetensors"));
    const grads = reference.tensors.filter((t) => t.name.startsWith("grad."));
    const parameters = grads.reduce((sum, t) => sum + elementCount(t.shape), 0);
    const stored = readSafetensorsFile(join(gpt2Tied, "model.safetensors")).tensors;
    const elements = stored.reduce((sum, t) => sum + elementCount(t.shape), 0);
    const buffers = stored.filter((t) => !reference.has(`grad.${t.name}`)).map((t) => t.name);
    expect(buffers).toEqual([
      "h.0.attn.bias",
      "h.0.attn.masked_bias",
      "h.1.attn.bias",
      "h.1.attn.masked_bias",
    ]);
    for (const path of [gpt2Tied, join(gpt2Tied, "model.safetensors")]) {
      const report = JSON.parse(
        execFileSync(process.execPath, [bin, "inspect", path, "--json"], { encoding: "utf8" }),
      );
      expect(report).toMatchObject({
        parameter_count: parameters,
        parameter_count_source: "config.json",
        model_type: "gpt2",
        element_count: elements,
      });
      expect([...report.not_parameters].sort()).toEqual(buffers);
      expect(report.element_count - report.parameter_count).toBe(2 * (32 * 32 + 1)); // [1,1,32,32] + [] per layer
    }
    const text = llmts("inspect", gpt2Tied).stdout;
    expect(text).toContain(`32 tensors, ${parameters.toLocaleString("en-US")} parameters,`);
    expect(text).toContain(
      `\nparameters: parameters of the gpt2 model in config.json; ${elements.toLocaleString("en-US")} elements in all, 4 tensors not counted (h.0.attn.bias,`,
    );
  });

  it("prints a table with the totals for people", () => {
    const result = llmts("inspect", file);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("3 tensors, 46 parameters, 184 bytes");
    expect(result.stdout).toContain(
      "parameters: every element of every tensor (no config.json next to the weights)",
    );
    expect(result.stdout).toContain('metadata: format="pt"');
    expect(result.stdout).toMatch(/wte\.weight\s+F32\s+\[10, 4\]\s+160/);
  });

  it("reports a malformed file as one line with exit code 1 and no stack trace", () => {
    const result = llmts("inspect", join(dir, "broken.safetensors"));
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `llmts: safetensors: header length 200 runs past the end of the file (9 bytes) (${join(dir, "broken.safetensors")})\n`,
    );
  });

  it('says "not a safetensors file" for a text file, not "header length ... over the limit"', () => {
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "hello world, these are notes\n");
    const result = llmts("inspect", notes);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `llmts: safetensors: not a safetensors file: it begins with text ("hello wo"), not an 8-byte header length (${notes})\n`,
    );
  });

  it("refuses a FIFO at once instead of waiting for a writer", () => {
    const fifo = join(dir, "pipe.safetensors");
    execFileSync("mkfifo", [fifo]);
    const result = llmts("inspect", fifo);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `llmts: safetensors: not a regular file (a device, FIFO or socket) (${fifo})\n`,
    );
  });

  it("names a missing path in a one-line error", () => {
    const result = llmts("inspect", join(dir, "nope"));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`llmts: safetensors: no such file or directory: ${join(dir, "nope")}\n`);
  });
});

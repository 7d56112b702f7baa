import { describe, expect, it } from "vitest";
import { openTextStream, StopStringFilter, StreamDecoder } from "../src/index.ts";
import { ByteTokenizer, PieceTokenizer, StreamingPieceTokenizer } from "./fakes.ts";

describe("StreamDecoder", () => {
  const bytes = new ByteTokenizer();

  it("emits a multi-byte character only once all its bytes have arrived", () => {
    const decoder = new StreamDecoder(bytes);
    // "é" is C3 A9, "😀" is F0 9F 98 80
    expect([0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0x62].map((b) => decoder.push(b))).toEqual([
      "a",
      "",
      "é",
      "",
      "",
      "",
      "😀",
      "b",
    ]);
    expect(decoder.flush()).toBe("");
  });

  it("concatenates to the decode of all ids, byte by byte, for mixed scripts", () => {
    const text = "naïve café — 東京 😀 done";
    const decoder = new StreamDecoder(bytes, bytes.encode("prompt: "));
    const pieces = bytes.encode(text).map((b) => decoder.push(b));
    pieces.push(decoder.flush());
    expect(pieces.join("")).toBe(text);
    expect(pieces.some((p) => p.includes("\uFFFD"))).toBe(false);
  });

  it("flushes an unfinished character as U+FFFD, exactly like decoding all ids does", () => {
    const decoder = new StreamDecoder(bytes);
    expect(decoder.push(0x61)).toBe("a");
    expect(decoder.push(0xe6)).toBe(""); // first byte of a 3-byte character
    expect(decoder.flush()).toBe(bytes.decode([0xe6]));
    expect(decoder.flush()).toBe("");
  });

  it("keeps the leading space of the first new SentencePiece token by decoding it after the prompt", () => {
    const sp = new PieceTokenizer(["▁Once", "▁upon", "▁a", "▁time", "."]);
    const prompt = [sp.id("▁Once"), sp.id("▁upon")];
    const decoder = new StreamDecoder(sp, prompt);
    const pieces = [sp.id("▁a"), sp.id("▁time"), sp.id(".")].map((id) => decoder.push(id));
    expect(pieces).toEqual([" a", " time", "."]);
    // Decoding the new ids alone would lose that space (the decoder strips one leading space):
    expect(sp.decode([sp.id("▁a")])).toBe("a");
  });
});

describe("openTextStream", () => {
  it("uses the tokenizer's own stream decoder, primed with the prompt so the continuation keeps its space", () => {
    const sp = new StreamingPieceTokenizer(["▁Once", "▁upon", "▁a", "▁time"]);
    const stream = openTextStream(sp, [sp.id("▁Once"), sp.id("▁upon")]);
    expect(stream.push(sp.id("▁a"))).toBe(" a");
    expect(stream.push(sp.id("▁time"))).toBe(" time");
    // A fresh stream decoder (no prompt) strips that space, which is why we prime it:
    expect(sp.createStreamDecoder().push(sp.id("▁a"))).toBe("a");
  });

  it("does not count special tokens of the prompt as text: after [<s>] the first space is stripped", () => {
    for (const sp of [
      new StreamingPieceTokenizer(["<s>", "▁the", "▁Once"]),
      new PieceTokenizer(["<s>", "▁the", "▁Once"]),
    ]) {
      const afterBos = openTextStream(sp, [sp.id("<s>")]);
      const pieces = [sp.id("▁the"), sp.id("▁the")].map((id) => afterBos.push(id));
      expect(pieces).toEqual(["the", " the"]);
      expect(pieces.join("")).toBe(sp.decode([sp.id("▁the"), sp.id("▁the")]));
      // After real text the space stays, BOS or not.
      expect(openTextStream(sp, [sp.id("<s>"), sp.id("▁Once")]).push(sp.id("▁the"))).toBe(" the");
    }
  });

  it("falls back to a StreamDecoder over decode() for tokenizers without one", () => {
    expect(openTextStream(new ByteTokenizer(), [])).toBeInstanceOf(StreamDecoder);
  });
});

describe("StopStringFilter", () => {
  it("holds back a possible start of a stop string and cuts the stop string out", () => {
    const stops = new StopStringFilter(["\n\n"]);
    expect(stops.push("Hi.\n")).toEqual({ text: "Hi.", stopped: false });
    expect(stops.push("\nBye")).toEqual({ text: "", stopped: true });
  });

  it("releases held-back text when it turns out not to be a stop string", () => {
    const stops = new StopStringFilter(["END"]);
    expect(stops.push("the EN")).toEqual({ text: "the ", stopped: false });
    expect(stops.push("D")).toEqual({ text: "", stopped: true });
    const other = new StopStringFilter(["END"]);
    expect(other.push("the EN")).toEqual({ text: "the ", stopped: false });
    expect(other.push("DS")).toEqual({ text: "", stopped: true }); // "ENDS" contains "END"
    const third = new StopStringFilter(["END"]);
    third.push("the EN");
    expect(third.push("ergy")).toEqual({ text: "ENergy", stopped: false });
  });

  it("finds a stop string split over many one-character pieces", () => {
    const stops = new StopStringFilter(["<|im_end|>"]);
    const out: string[] = [];
    let stopped = false;
    for (const ch of "answer: 42<|im_end|> trailing") {
      const r = stops.push(ch);
      out.push(r.text);
      if (r.stopped) {
        stopped = true;
        break;
      }
    }
    expect(stopped).toBe(true);
    expect(out.join("")).toBe("answer: 42");
  });

  it("stops at the earliest of several stop strings", () => {
    const stops = new StopStringFilter(["World", "lo"]);
    expect(stops.push("Hello World")).toEqual({ text: "Hel", stopped: true });
  });

  it("hands back the held text at the end when no stop string completed", () => {
    const stops = new StopStringFilter(["</s>"]);
    expect(stops.push("x </")).toEqual({ text: "x ", stopped: false });
    expect(stops.flush()).toBe("</");
    expect(stops.flush()).toBe("");
  });

  it("passes everything through when there are no stop strings", () => {
    const stops = new StopStringFilter([]);
    expect(stops.push("abc")).toEqual({ text: "abc", stopped: false });
  });
});

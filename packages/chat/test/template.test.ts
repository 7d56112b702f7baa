// Chat templates rendered by @huggingface/jinja against Python's jinja2 configured as transformers
// configures it (test/fixtures/render.py wrote expected.json): real templates' shapes (ChatML,
// Llama 2, Zephyr, Llama 3, tojson/loop) over several conversations, and the plain default.
import { readFileSync } from "node:fs";
import { CharTokenizer } from "@llmts/tokenizer";
import { describe, expect, it } from "vitest";
import {
  ChatTemplate,
  ChatTemplateError,
  chatPromptIds,
  chatTemplateFor,
  DEFAULT_CHAT_TEMPLATE,
} from "../src/index.ts";

const read = (name: string) => JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8"));
const templates = read("templates.json") as Record<string, string>;
const expected = read("expected.json") as {
  tokens: { bos_token: string; eos_token: string };
  cases: {
    template: string;
    conversation: string;
    messages: { role: string; content: string }[];
    add_generation_prompt: boolean;
    text?: string;
    error?: string;
  }[];
};

describe("chat templates rendered like transformers' jinja2", () => {
  for (const c of expected.cases) {
    const what = `${c.template} over ${c.conversation}${c.add_generation_prompt ? " with the generation prompt" : ""}`;
    it(`${what} ${c.error ? "raises the template's own error" : "gives jinja2's text"}`, () => {
      const template = ChatTemplate.fromSource(templates[c.template]!, expected.tokens);
      const render = () => template.render(c.messages, { addGenerationPrompt: c.add_generation_prompt });
      if (c.error) expect(render).toThrow(new ChatTemplateError(`chat template: ${c.error}`));
      else expect(render()).toBe(c.text);
    });
  }

  it("the fixtures rendered the default template this package uses", () => {
    expect(templates["plain-default"]).toBe(DEFAULT_CHAT_TEMPLATE);
  });
});

describe("chatTemplateFor", () => {
  const chatml = templates["chatml-smollm2"]!;

  it("reads tokenizer_config.json's chat_template and its bos/eos token text", () => {
    const t = chatTemplateFor(
      { chat_template: "{{ bos_token }}|{{ eos_token }}", bos_token: { content: "<s>" }, eos_token: "</s>" },
      undefined,
    );
    expect(t.isDefault).toBe(false);
    expect(t.render([])).toBe("<s>|</s>");
  });

  it("prefers chat_template.jinja, and takes the template named default from a list", () => {
    expect(chatTemplateFor({ chat_template: "config" }, "file").render([])).toBe("file");
    const list = [
      { name: "tool_use", template: "tools" },
      { name: "default", template: "plain" },
    ];
    expect(chatTemplateFor({ chat_template: list }, undefined).render([])).toBe("plain");
  });

  it("falls back to the plain default, whose replies stop at the end of their line", () => {
    const t = chatTemplateFor(undefined, undefined);
    expect(t.isDefault).toBe(true);
    expect(t.stopStrings).toEqual(["\n"]);
    expect(chatTemplateFor({ bos_token: "<s>" }, undefined).isDefault).toBe(true);
    expect(chatml).toContain("im_start"); // (a model's own template has no stop strings)
    expect(ChatTemplate.fromSource(chatml).stopStrings).toEqual([]);
  });

  it("names the file when chat_template has the wrong type, and says why a template cannot be parsed", () => {
    expect(() => chatTemplateFor({ chat_template: 3 }, undefined, "m/tokenizer_config.json")).toThrow(
      /^m\/tokenizer_config.json: chat_template must be a string or a list/,
    );
    expect(() => ChatTemplate.fromSource("{% for %}")).toThrow(/^chat template: cannot parse it/);
  });
});

describe("chatPromptIds", () => {
  const tokenizer = CharTokenizer.fromText("<s>abcdefghijklmnopqrstuvwxyz: \n");

  it("encodes the rendered conversation", () => {
    const ids = chatPromptIds(ChatTemplate.plain(), tokenizer, [{ role: "user", content: "hi" }]);
    expect(tokenizer.decode(ids)).toBe("user: hi\nassistant: ");
  });

  it("adds BOS where the model expects it, and never a second one after the template's own", () => {
    const bos = 99;
    const withBos = { encode: (s: string) => tokenizer.encode(s), bosId: bos, addBos: true };
    const plain = chatPromptIds(ChatTemplate.plain(), withBos, [{ role: "user", content: "a" }]);
    expect(plain[0]).toBe(bos);
    expect(plain.filter((id) => id === bos)).toHaveLength(1);
    // A template that writes BOS itself: the tokenizer maps "<s>" to BOS, nothing is added.
    const own = {
      ...withBos,
      encode: (s: string) =>
        s.startsWith("<s>") ? [bos, ...tokenizer.encode(s.slice(3))] : tokenizer.encode(s),
    };
    const ids = chatPromptIds(ChatTemplate.fromSource("{{ bos_token }}x", { bos_token: "<s>" }), own, []);
    expect(ids).toEqual([bos, ...tokenizer.encode("x")]);
  });
});

// Where a Hugging Face checkpoint keeps its chat template, as transformers reads it:
//   chat_template.jinja (its own file, transformers >= 4.43 writes it), else
//   tokenizer_config.json "chat_template": a string, or a list of {name, template} (the one
//   named "default" is the chat template)
// plus the text of bos_token / eos_token the template may print (a string, or an AddedToken
// object {content: "<s>", ...}).
// Not here: reading the files (the caller passes what it read: this package runs in browsers).
// Reference: transformers tokenization_utils_base.py (`chat_template`, `_set_model_specific_special_tokens`).

import { ChatTemplateError } from "./errors.ts";
import { ChatTemplate } from "./template.ts";

/**
 * The template of a model directory, from its tokenizer_config.json (parsed; undefined if absent)
 * and its chat_template.jinja text (undefined if absent); the plain default when it has neither.
 * `file` names tokenizer_config.json in error messages.
 */
export function chatTemplateFor(
  tokenizerConfig: unknown,
  jinjaFile: string | undefined,
  file = "tokenizer_config.json",
): ChatTemplate {
  const config =
    tokenizerConfig !== null && typeof tokenizerConfig === "object"
      ? (tokenizerConfig as Record<string, unknown>)
      : {};
  const tokens = { bos_token: tokenText(config.bos_token), eos_token: tokenText(config.eos_token) };
  if (jinjaFile !== undefined) return ChatTemplate.fromSource(jinjaFile, tokens);
  const source = config.chat_template;
  if (source === undefined || source === null) return ChatTemplate.plain();
  if (typeof source === "string") return ChatTemplate.fromSource(source, tokens);
  if (Array.isArray(source)) {
    const named = source.find(
      (t: unknown) => t !== null && typeof t === "object" && (t as { name?: unknown }).name === "default",
    ) as { template?: unknown } | undefined;
    if (typeof named?.template === "string") return ChatTemplate.fromSource(named.template, tokens);
  }
  throw new ChatTemplateError(
    `${file}: chat_template must be a string or a list of {name, template} with one named "default"`,
  );
}

/** "<s>" or {content: "<s>", ...} -> "<s>"; anything else -> undefined. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object") {
    const content = (value as { content?: unknown }).content;
    if (typeof content === "string") return content;
  }
  return undefined;
}

// A conversation to prompt ids: render the template, then tokenize the text with its special
// tokens matched ("<|im_start|>" -> its id), adding BOS only where the model expects one and the
// template did not already write it — never twice.
//
//   Llama 2 template: "<s>[INST] Hi [/INST]"  -> [1, 518, 25580, ...]   (BOS from the template)
//   ChatML on a tokenizer with add_bos_token:  BOS + ids of the text    (as llama.cpp adds it)
//
// Not here: rendering (template.ts). Reference: transformers apply_chat_template(tokenize=True)
// (add_special_tokens=False: the template owns BOS) and llama.cpp's server (adds BOS when the
// vocabulary asks for it and the text does not start with it).

import type { ChatMessage, ChatTemplate } from "./template.ts";

/** What tokenizing needs (the @llmts/tokenizer Tokenizer fits it). */
export interface PromptTokenizer {
  encode(text: string): number[];
  readonly bosId: number | undefined;
  readonly addBos: boolean;
}

export function chatPromptIds(
  template: ChatTemplate,
  tokenizer: PromptTokenizer,
  messages: readonly ChatMessage[],
): number[] {
  const ids = tokenizer.encode(template.render(messages, { addGenerationPrompt: true }));
  const bos = tokenizer.bosId;
  if (tokenizer.addBos && bos !== undefined && ids[0] !== bos) ids.unshift(bos);
  return ids;
}

// Public API of @llmts/chat: chat templates — a conversation to the prompt text (and ids) a chat
// model was trained on. Runs in browsers: the caller reads the files.
//   ChatTemplate          template.ts — render messages with a model's Jinja template
//   chatTemplateFor       tokenizer-config.ts — the template of a checkpoint (or the plain default)
//   chatPromptIds         prompt.ts — render + tokenize, BOS once
//   DEFAULT_CHAT_TEMPLATE default-template.ts — for models without one

export {
  DEFAULT_CHAT_TEMPLATE,
  DEFAULT_STOP_STRINGS,
} from "./default-template.ts";
export { ChatTemplateError } from "./errors.ts";
export { chatPromptIds, type PromptTokenizer } from "./prompt.ts";
export { type ChatMessage, ChatTemplate, type TemplateTokens } from "./template.ts";
export { chatTemplateFor } from "./tokenizer-config.ts";

// The one error this package throws: a template that cannot be parsed, or one that refuses the
// conversation (its own raise_exception, e.g. Llama 2's "Conversation roles must alternate").
export class ChatTemplateError extends Error {
  override name = "ChatTemplateError";
}

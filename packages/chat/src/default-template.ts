// The template for models that bring none (a base model, the demo's char model): a plain
// transcript, one message per line, and the reply stops at the end of its line.
//
//   [{system: "Be brief."}, {user: "Hi"}]  ->  "system: Be brief.\nuser: Hi\nassistant: "
//
// The generation prompt ends in "assistant: " so the model's reply is the text after it, and a
// reply stored back into the history renders exactly as the model produced it ("assistant: " +
// reply + "\n"); the next turn then starts with the tokens already in the KV cache.
// No special tokens: a char model has none, and the transcript is ordinary text for any other.
// Not here: rendering (template.ts). Reference: the "role: content" transcript most base-model
// chat demos use (llama.cpp's examples/chat.sh, nanoGPT-style prompting).

export const DEFAULT_CHAT_TEMPLATE =
  "{% for message in messages %}{{ message['role'] + ': ' + message['content'] + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}";

/** Where a reply under the default template ends: the end of its line. */
export const DEFAULT_STOP_STRINGS: readonly string[] = ["\n"];

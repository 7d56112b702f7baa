// A chat template: the conversation (system, user and assistant messages) rendered as the text a
// chat model was trained on, e.g. ChatML:
//
//   [{role: "user", content: "Hi"}]  ->  "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
//
// The template is the model's own Jinja program (tokenizer_config.json's `chat_template`, or a
// chat_template.jinja file), run with the variables Hugging Face's apply_chat_template passes:
// messages, add_generation_prompt, bos_token, eos_token (and the template's raise_exception,
// strftime_now). @huggingface/jinja runs it with transformers' settings (trim_blocks,
// lstrip_blocks); test/template.test.ts checks the text against Python's jinja2 as transformers
// configures it. Models without one get DEFAULT_CHAT_TEMPLATE, whose replies stop at a newline.
// Not here: reading files (the caller passes the text), tokenizing (prompt.ts).
// Reference: transformers `PreTrainedTokenizerBase.apply_chat_template` and
// utils/chat_template_utils.py `_compile_jinja_template`.

import { Template } from "@huggingface/jinja";
import { DEFAULT_CHAT_TEMPLATE, DEFAULT_STOP_STRINGS } from "./default-template.ts";
import { ChatTemplateError } from "./errors.ts";

export interface ChatMessage {
  role: string;
  content: string;
}

/** The special tokens a template may print, as text ("<s>", "</s>"). */
export interface TemplateTokens {
  bos_token?: string;
  eos_token?: string;
}

export class ChatTemplate {
  private readonly template: Template;

  /**
   * @param source the Jinja text
   * @param isDefault true for DEFAULT_CHAT_TEMPLATE (the model brought none)
   * @param stopStrings where a reply ends besides the EOS token ([] for a model's own template,
   *   whose end-of-turn token is its EOS)
   */
  private constructor(
    readonly source: string,
    readonly isDefault: boolean,
    readonly stopStrings: readonly string[],
    private readonly tokens: TemplateTokens,
  ) {
    try {
      this.template = new Template(source);
    } catch (error) {
      throw new ChatTemplateError(`chat template: cannot parse it (${(error as Error).message})`);
    }
  }

  /** The model's own template. */
  static fromSource(source: string, tokens: TemplateTokens = {}): ChatTemplate {
    return new ChatTemplate(source, false, [], tokens);
  }

  /** The plain transcript for models without one (default-template.ts). */
  static plain(): ChatTemplate {
    return new ChatTemplate(DEFAULT_CHAT_TEMPLATE, true, DEFAULT_STOP_STRINGS, {});
  }

  /** The conversation as prompt text; with addGenerationPrompt, ending where the reply begins. */
  render(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean } = {}): string {
    try {
      return this.template.render({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: options.addGenerationPrompt ?? true,
        bos_token: this.tokens.bos_token ?? "",
        eos_token: this.tokens.eos_token ?? "",
      });
    } catch (error) {
      throw new ChatTemplateError(`chat template: ${(error as Error).message}`);
    }
  }
}

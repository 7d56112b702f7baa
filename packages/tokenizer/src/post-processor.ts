// tokenizer.json's post_processor: the special tokens Hugging Face's
// `encode(text, add_special_tokens=True)` puts around one sequence of ids.
//
//   Llama 2   TemplateProcessing  single "<s> $A"            -> prefix [1],      suffix []
//   Llama 3   Sequence [ByteLevel, TemplateProcessing "<|begin_of_text|> $A"]
//                                                            -> prefix [128000], suffix []
//   GPT-2     ByteLevel (offsets only)                       -> prefix [],       suffix []
//   BERT      BertProcessing cls/sep                         -> prefix [101],    suffix [102]
//
// Only the single-sequence template is read: we never encode text pairs. The ids come from the
// template's own `special_tokens` table (a piece may stand for several ids), as in HF.
// Every type HF has is known; anything else throws a TokenizerError naming the field.
// Reference: huggingface/tokenizers processors/{template,bert,roberta,sequence,byte_level}.rs.

import type { Json, JsonSource } from "./json-fields.ts";

/** The ids added before and after the text's own ids. */
export interface SpecialTokenTemplate {
  prefix: number[];
  suffix: number[];
}

const NO_SPECIAL_TOKENS: SpecialTokenTemplate = { prefix: [], suffix: [] };

export function readPostProcessor(
  source: JsonSource,
  value: Json | undefined,
  field: string,
): SpecialTokenTemplate {
  if (value === undefined || value === null) return NO_SPECIAL_TOKENS;
  const c = source.object(value, field);
  const type = source.string(c.type, `${field}.type`);
  switch (type) {
    case "ByteLevel":
      return NO_SPECIAL_TOKENS; // it only adjusts offsets
    case "BertProcessing":
    case "RobertaProcessing": {
      // {"cls": ["[CLS]", 101], "sep": ["[SEP]", 102]}: "[CLS] $A [SEP]"
      const idOf = (key: "cls" | "sep") => {
        const pair = source.array(c[key], `${field}.${key}`);
        return source.id(pair[1], `${field}.${key}[1]`);
      };
      return { prefix: [idOf("cls")], suffix: [idOf("sep")] };
    }
    case "TemplateProcessing":
      return readTemplate(source, c.single, c.special_tokens, field);
    case "Sequence": {
      // Each processor wraps what the previous ones produced.
      const list = source.array(c.processors, `${field}.processors`);
      return list.reduce<SpecialTokenTemplate>((inner, p, k) => {
        const outer = readPostProcessor(source, p, `${field}.processors[${k}]`);
        return { prefix: [...outer.prefix, ...inner.prefix], suffix: [...inner.suffix, ...outer.suffix] };
      }, NO_SPECIAL_TOKENS);
    }
    default:
      return source.fail(`${field}.type`, `post-processor "${type}" is not supported`);
  }
}

/**
 * single: [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]
 * special_tokens: {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}
 */
function readTemplate(
  source: JsonSource,
  single: Json | undefined,
  specialTokens: Json | undefined,
  field: string,
): SpecialTokenTemplate {
  const pieces = source.array(single, `${field}.single`);
  const table = source.object(specialTokens ?? {}, `${field}.special_tokens`);
  const template: SpecialTokenTemplate = { prefix: [], suffix: [] };
  let seenSequence = false;
  pieces.forEach((entry, k) => {
    const where = `${field}.single[${k}]`;
    const piece = source.object(entry, where);
    if (piece.Sequence !== undefined) {
      seenSequence = true;
      return;
    }
    const special = source.object(piece.SpecialToken, `${where}.SpecialToken`);
    const name = source.string(special.id, `${where}.SpecialToken.id`);
    const entryField = `${field}.special_tokens[${JSON.stringify(name)}]`;
    if (table[name] === undefined)
      source.fail(`${where}.SpecialToken.id`, `"${name}" is not in ${field}.special_tokens`);
    const ids = source.array(source.object(table[name], entryField).ids, `${entryField}.ids`);
    for (let j = 0; j < ids.length; j++) {
      (seenSequence ? template.suffix : template.prefix).push(source.id(ids[j], `${entryField}.ids[${j}]`));
    }
  });
  if (!seenSequence) source.fail(`${field}.single`, 'has no {"Sequence": ...} piece for the text');
  return template;
}

// The text-side stages of a Hugging Face tokenizer.json, before the BPE model runs:
//   normalizer     text -> text        (NFC, Prepend "▁", Replace " " -> "▁", Sequence, ...)
//   pre_tokenizer  text -> words       (ByteLevel's GPT-2 regex, Split, Digits, Metaspace, ...)
// Each word is then merged by BPE on its own, which is what makes per-word caching possible.
//
// Only the components real decoder-only checkpoints use are implemented; any other `type`
// throws a TokenizerError naming the field, rather than silently tokenizing differently.
// Regex patterns go through translateRegex (Oniguruma -> JS), then through the backtracking check
// (regex-backtracking.ts): a pattern that could hang the process on some text is refused at load.
// Reference: huggingface/tokenizers normalizers/*.rs and pre_tokenizers/*.rs.

import type { Json, JsonObject, JsonSource } from "./json-fields.ts";
import { RegexTranslationError, translateRegex } from "./regex.ts";
import { backtrackingProblem } from "./regex-backtracking.ts";

export type Normalize = (text: string) => string;

/**
 * pieces -> pieces. `first` is true when the text starts at offset 0 of the input (no added
 * token before it), which Metaspace's prepend_scheme "first" needs.
 */
export type PreTokenize = (pieces: string[], first: boolean) => string[];

/** GPT-2's pre-tokenization pattern (openai/gpt-2 encoder.py), used by ByteLevel's use_regex. */
export const GPT2_PATTERN =
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

const gpt2Regex = () => new RegExp(translateRegex(GPT2_PATTERN), "gu");

function compile(source: JsonSource, pattern: Json | undefined, field: string): RegExp {
  const p = source.object(pattern, field);
  if (typeof p.Regex !== "string") {
    if (typeof p.String === "string")
      return new RegExp(p.String.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"), "gu");
    return source.fail(field, 'expected {"Regex": ...} or {"String": ...}');
  }
  let js: string;
  let regex: RegExp;
  try {
    js = translateRegex(p.Regex);
    regex = new RegExp(js, "gu");
  } catch (error) {
    if (error instanceof RegexTranslationError || error instanceof SyntaxError) {
      // V8's SyntaxError quotes the whole pattern, which can be any length: quote ours, shortened.
      const reason = error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "");
      source.fail(`${field}.Regex`, `${quote(p.Regex)} cannot be translated to JavaScript: ${reason}`);
    }
    throw error;
  }
  const problem = backtrackingProblem(js);
  if (problem !== undefined) source.fail(`${field}.Regex`, `${quote(p.Regex)} ${problem}`);
  return regex;
}

/** A pattern for an error message: JSON-quoted (one line), at most about 100 characters. */
function quote(pattern: string): string {
  const text = JSON.stringify(pattern);
  return text.length > 100 ? `${text.slice(0, 96)}..."` : text;
}

// ---------------------------------------------------------------------------------------------
// Normalizers

export function buildNormalizer(
  source: JsonSource,
  config: Json | undefined,
  field: string,
): Normalize | null {
  if (config === undefined || config === null) return null;
  const c = source.object(config, field);
  const type = source.string(c.type, `${field}.type`);
  switch (type) {
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD":
      return (text) => text.normalize(type);
    case "Lowercase":
      return (text) => text.toLowerCase();
    case "Prepend": {
      const prepend = source.string(c.prepend, `${field}.prepend`);
      return (text) => (text.length > 0 ? prepend + text : text);
    }
    case "Replace": {
      const regex = compile(source, c.pattern, `${field}.pattern`);
      const content = source.string(c.content, `${field}.content`);
      return (text) => text.replace(regex, () => content);
    }
    case "Sequence": {
      const list = source.array(c.normalizers, `${field}.normalizers`);
      const steps = list.map((n, k) => buildNormalizer(source, n, `${field}.normalizers[${k}]`));
      return (text) => steps.reduce((t, step) => (step ? step(t) : t), text);
    }
    default:
      return source.fail(`${field}.type`, `normalizer "${type}" is not supported`);
  }
}

// ---------------------------------------------------------------------------------------------
// Pre-tokenizers

/**
 * Split one piece on a regex. Matches and the gaps between them are pieces ("Isolated"). An
 * empty match (\b, a lookahead) only cuts: "ab cd" on \b -> "ab", " ", "cd", as in HF.
 */
export function splitIsolated(text: string, regex: RegExp, out: string[]): void {
  let last = 0;
  for (const m of text.matchAll(regex)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[0].length > 0) out.push(m[0]);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
}

/** The other Split behaviours: drop the matches, or glue each to its neighbour. */
function splitWith(text: string, regex: RegExp, behavior: string, invert: boolean): string[] {
  // Mark each span as a match (delimiter) or not; `invert` swaps the roles. An empty match is
  // an empty span: it cuts the text and then vanishes with the other empty pieces.
  const spans: { text: string; delim: boolean }[] = [];
  let last = 0;
  for (const m of text.matchAll(regex)) {
    if (m.index > last) spans.push({ text: text.slice(last, m.index), delim: invert });
    spans.push({ text: m[0], delim: !invert });
    last = m.index + m[0].length;
  }
  if (last < text.length) spans.push({ text: text.slice(last), delim: invert });
  // A delimiter glues onto a neighbour only if that neighbour is not a delimiter itself.
  const out: string[] = [];
  let pending = ""; // MergedWithNext: a delimiter waiting for the piece after it
  for (let k = 0; k < spans.length; k++) {
    const span = spans[k]!;
    const prevDelim = k > 0 && spans[k - 1]!.delim;
    if (!span.delim) {
      out.push(pending + span.text);
      pending = "";
    } else if (behavior === "Isolated") out.push(span.text);
    else if (behavior === "MergedWithPrevious" && k > 0 && !prevDelim) out[out.length - 1] += span.text;
    else if (behavior === "Contiguous" && prevDelim) out[out.length - 1] += span.text;
    else if (behavior === "MergedWithNext") {
      if (pending) out.push(pending);
      pending = span.text;
    } else if (behavior !== "Removed") out.push(span.text);
  }
  if (pending) out.push(pending);
  return out.filter((piece) => piece !== "");
}

const each = (split: (piece: string, out: string[], index: number, first: boolean) => void): PreTokenize => {
  return (pieces, first) => {
    const out: string[] = [];
    for (let k = 0; k < pieces.length; k++) split(pieces[k]!, out, k, first);
    return out;
  };
};

export interface PreTokenizerInfo {
  preTokenize: PreTokenize;
  /** A ByteLevel pre-tokenizer is present: words are merged over UTF-8 bytes. */
  byteLevel: boolean;
}

export function buildPreTokenizer(
  source: JsonSource,
  config: Json | undefined,
  field: string,
): PreTokenizerInfo {
  if (config === undefined || config === null) return { preTokenize: (p) => p, byteLevel: false };
  const c: JsonObject = source.object(config, field);
  const type = source.string(c.type, `${field}.type`);
  switch (type) {
    case "ByteLevel": {
      const addPrefixSpace = source.flag(c.add_prefix_space, `${field}.add_prefix_space`, false);
      const useRegex = source.flag(c.use_regex, `${field}.use_regex`, true);
      const regex = gpt2Regex();
      return {
        byteLevel: true,
        preTokenize: each((piece, out) => {
          const text = addPrefixSpace && !piece.startsWith(" ") ? ` ${piece}` : piece;
          if (useRegex) splitIsolated(text, regex, out);
          else out.push(text);
        }),
      };
    }
    case "Split": {
      const regex = compile(source, c.pattern, `${field}.pattern`);
      const behavior = source.string(c.behavior, `${field}.behavior`);
      const known = ["Isolated", "Removed", "MergedWithPrevious", "MergedWithNext", "Contiguous"];
      if (!known.includes(behavior)) source.fail(`${field}.behavior`, `unknown behavior "${behavior}"`);
      const invert = source.flag(c.invert, `${field}.invert`, false);
      if (behavior === "Isolated" && !invert) {
        return { byteLevel: false, preTokenize: each((piece, out) => splitIsolated(piece, regex, out)) };
      }
      return {
        byteLevel: false,
        preTokenize: each((piece, out) => out.push(...splitWith(piece, regex, behavior, invert))),
      };
    }
    case "Digits": {
      const individual = source.flag(c.individual_digits, `${field}.individual_digits`, false);
      const regex = individual ? /\p{N}/gu : /\p{N}+/gu;
      return { byteLevel: false, preTokenize: each((piece, out) => splitIsolated(piece, regex, out)) };
    }
    case "Metaspace": {
      const replacement = source.string(c.replacement ?? "▁", `${field}.replacement`);
      // Older files say add_prefix_space: true/false; newer ones prepend_scheme.
      const scheme =
        c.prepend_scheme !== undefined
          ? source.string(c.prepend_scheme, `${field}.prepend_scheme`)
          : source.flag(c.add_prefix_space, `${field}.add_prefix_space`, true)
            ? "always"
            : "never";
      const split = source.flag(c.split, `${field}.split`, true);
      return {
        byteLevel: false,
        preTokenize: each((piece, out, index, first) => {
          let text = piece.replaceAll(" ", replacement);
          const prepend = scheme === "always" || (scheme === "first" && first && index === 0);
          if (prepend && !text.startsWith(replacement)) text = replacement + text;
          if (!split) {
            out.push(text);
            return;
          }
          // MergedWithNext on the replacement: "▁Hello▁world" -> "▁Hello", "▁world".
          let start = 0;
          for (let k = text.indexOf(replacement, 1); k > 0; k = text.indexOf(replacement, k + 1)) {
            out.push(text.slice(start, k));
            start = k;
          }
          out.push(text.slice(start));
        }),
      };
    }
    case "Sequence": {
      const list = source.array(c.pretokenizers, `${field}.pretokenizers`);
      const steps = list.map((p, k) => buildPreTokenizer(source, p, `${field}.pretokenizers[${k}]`));
      return {
        byteLevel: steps.some((s) => s.byteLevel),
        preTokenize: (pieces, first) => steps.reduce((p, s) => s.preTokenize(p, first), pieces),
      };
    }
    default:
      return source.fail(`${field}.type`, `pre-tokenizer "${type}" is not supported`);
  }
}

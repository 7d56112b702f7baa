// Hugging Face tokenizer.json -> one of our tokenizers.
//
// tokenizer.json has five stages: normalizer, pre_tokenizer, model, post_processor, decoder, plus
// the added_tokens list. We read them into BpeParts and pick the class:
//   - a ByteLevel pre-tokenizer or decoder       -> ByteLevelBpeTokenizer   (GPT-2, Llama 3, Qwen)
//   - otherwise a BPE model                      -> SentencePieceBpeTokenizer (Llama 2, Mistral)
//   - the CharTokenizer's own files (BPE, no merges, one-character vocabulary, Fuse decoder)
//                                                -> CharTokenizer
// Only `model.type: "BPE"` is supported (no WordPiece / Unigram: no decoder-only LM we target
// uses them), and only the decoders that go with it; any other component type is refused rather
// than silently decoding differently. Every error names the field and the file.
// Where the format leaves a choice, we do what Hugging Face tokenizers (Rust) does: a merge
// listed twice takes its last rank; a byte-level vocabulary with byte_fallback just runs.
// Reference: https://huggingface.co/docs/tokenizers/api/tokenizer (tokenizer.json layout).

import type { AddedToken } from "./added-tokens.ts";
import { ID_SPACE, type MergeTable, pairKey } from "./bpe.ts";
import type { BpeParts } from "./bpe-tokenizer.ts";
import { ByteLevelBpeTokenizer } from "./byte-level-bpe.ts";
import { CharTokenizer } from "./char.ts";
import { type Json, type JsonObject, JsonSource } from "./json-fields.ts";
import { buildNormalizer, buildPreTokenizer } from "./pipeline.ts";
import { readPostProcessor, type SpecialTokenTemplate } from "./post-processor.ts";
import { SentencePieceBpeTokenizer } from "./sentencepiece-bpe.ts";
import type { Tokenizer } from "./types.ts";

/** What tokenizer_config.json (next to tokenizer.json) may add: BOS/EOS and whether to add BOS. */
export interface TokenizerConfig {
  bos_token?: unknown;
  eos_token?: unknown;
  add_bos_token?: unknown;
  add_eos_token?: unknown;
}

/** `file` is only used in error messages. */
export function fromTokenizerJson(json: Json, file: string, config: TokenizerConfig = {}): Tokenizer {
  const source = new JsonSource(file);
  source.checkDepth(json); // the Sequence readers below recurse
  const root = source.object(json, "(top level)");
  const model = source.object(root.model, "model");
  const type = model.type === undefined ? "BPE" : source.string(model.type, "model.type");
  if (type !== "BPE") source.fail("model.type", `"${type}" is not supported (only "BPE")`);

  const vocab = readVocab(source, model.vocab, "model.vocab");
  const merges = readMerges(source, model.merges ?? [], vocab);
  const addedTokens = readAddedTokens(source, root.added_tokens ?? []);
  for (const field of ["continuing_subword_prefix", "end_of_word_suffix"] as const) {
    const value = model[field];
    if (value !== undefined && value !== null && value !== "")
      source.fail(`model.${field}`, "is not supported");
  }

  checkDecoder(source, root.decoder, "decoder");
  const decoderTypes = collectTypes(root.decoder);
  if (CharTokenizer.isCharTokenizerJson(root, vocab, merges.size, decoderTypes)) {
    return CharTokenizer.fromVocab(vocab, file);
  }

  const normalize = buildNormalizer(source, root.normalizer, "normalizer");
  const pre = buildPreTokenizer(source, root.pre_tokenizer, "pre_tokenizer");
  const ids = findSpecials(vocab, addedTokens, config);
  const template = applyAddFlags(
    readPostProcessor(source, root.post_processor, "post_processor"),
    ids,
    config,
  );
  // One source of truth: Llama-style "add BOS" is whatever encode(..., addSpecialTokens) puts first.
  const specials = { ...ids, addBos: ids.bosId !== undefined && template.prefix[0] === ids.bosId };
  const parts: BpeParts = {
    vocab,
    merges,
    addedTokens,
    normalize,
    preTokenize: pre.preTokenize,
    ignoreMerges: source.flag(model.ignore_merges, "model.ignore_merges", false),
    ...specials,
    template,
    json: root,
  };

  const unkToken =
    model.unk_token === undefined || model.unk_token === null
      ? undefined
      : source.string(model.unk_token, "model.unk_token");
  const unkId =
    unkToken === undefined
      ? undefined
      : (vocab.get(unkToken) ?? addedTokens.find((t) => t.content === unkToken)?.id);
  if (unkToken !== undefined && unkId === undefined)
    source.fail("model.unk_token", `"${unkToken}" is not in model.vocab`);
  const fallback = {
    byteFallback: source.flag(model.byte_fallback, "model.byte_fallback", false),
    unkId,
    fuseUnk: source.flag(model.fuse_unk, "model.fuse_unk", false),
  };
  if (pre.byteLevel || decoderTypes.includes("ByteLevel")) return new ByteLevelBpeTokenizer(parts, fallback);

  const metaspace = findMetaspace(root);
  return new SentencePieceBpeTokenizer(parts, {
    ...fallback,
    decodeByteTokens: decoderTypes.includes("ByteFallback"),
    replacement: metaspace.replacement,
    stripLeadingSpace: metaspace.strip,
  });
}

/** The decoders a BPE tokenizer.json uses; WordPiece, BPEDecoder (suffixes) and CTC are refused. */
const DECODERS = new Set(["ByteLevel", "Metaspace", "Replace", "ByteFallback", "Fuse", "Strip", "Sequence"]);

function checkDecoder(source: JsonSource, value: Json | undefined, field: string): void {
  if (value === undefined || value === null) return;
  const c = source.object(value, field);
  const type = source.string(c.type, `${field}.type`);
  if (!DECODERS.has(type)) source.fail(`${field}.type`, `decoder "${type}" is not supported`);
  if (type === "Sequence") {
    source.array(c.decoders, `${field}.decoders`).forEach((d, k) => {
      checkDecoder(source, d, `${field}.decoders[${k}]`);
    });
  }
}

function readVocab(source: JsonSource, value: Json | undefined, field: string): Map<string, number> {
  const object = source.object(value, field);
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(object)) {
    const checked = source.id(id, `${field}[${JSON.stringify(token)}]`);
    if (checked >= ID_SPACE)
      source.fail(`${field}[${JSON.stringify(token)}]`, `ids above ${ID_SPACE - 1} are not supported`);
    vocab.set(token, checked);
  }
  return vocab;
}

/**
 * merges: ["Ġ t", ...] (older files) or [["Ġ", "t"], ...] (newer); rank = position. A pair listed
 * twice keeps its last rank, as in HF (it collects the list into a map).
 */
export function readMerges(source: JsonSource, value: Json, vocab: Map<string, number>): MergeTable {
  const list = source.array(value, "model.merges");
  const table: MergeTable = new Map();
  for (let rank = 0; rank < list.length; rank++) {
    const entry = list[rank];
    const field = `model.merges[${rank}]`;
    let pair: string[];
    if (typeof entry === "string") pair = entry.split(" ");
    else if (Array.isArray(entry) && entry.every((x) => typeof x === "string")) pair = entry as string[];
    else return source.fail(field, 'expected "a b" or ["a", "b"]');
    if (pair.length !== 2) source.fail(field, `expected two tokens, got ${JSON.stringify(entry)}`);
    const [a, b] = pair as [string, string];
    const idA = vocab.get(a);
    const idB = vocab.get(b);
    const merged = vocab.get(a + b);
    for (const [token, id] of [
      [a, idA],
      [b, idB],
      [a + b, merged],
    ] as const) {
      if (id === undefined) source.fail(field, `token ${JSON.stringify(token)} is not in model.vocab`);
    }
    table.set(pairKey(idA!, idB!), rank * ID_SPACE + merged!);
  }
  return table;
}

function readAddedTokens(source: JsonSource, value: Json): AddedToken[] {
  return source.array(value, "added_tokens").map((entry, k) => {
    const field = `added_tokens[${k}]`;
    const t = source.object(entry, field);
    return {
      id: source.id(t.id, `${field}.id`),
      content: source.string(t.content, `${field}.content`),
      special: source.flag(t.special, `${field}.special`, false),
      lstrip: source.flag(t.lstrip, `${field}.lstrip`, false),
      rstrip: source.flag(t.rstrip, `${field}.rstrip`, false),
      singleWord: source.flag(t.single_word, `${field}.single_word`, false),
    };
  });
}

/** Every "type" in a (possibly nested Sequence) component, e.g. ["Sequence", "Replace", "Fuse"]. */
function collectTypes(value: Json | undefined): string[] {
  if (value === null || value === undefined || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.flatMap(collectTypes);
  const own = typeof value.type === "string" ? [value.type] : [];
  return [...own, ...Object.values(value).flatMap(collectTypes)];
}

/** All components in a (nested) Sequence, flattened. */
function components(value: Json | undefined): JsonObject[] {
  if (value === null || value === undefined || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.flatMap(components);
  const nested = ["normalizers", "pretokenizers", "decoders"].flatMap((k) => components(value[k]));
  return [value, ...nested];
}

/** The space stand-in and whether decoding strips the leading space. */
function findMetaspace(root: JsonObject): { replacement: string; strip: boolean } {
  let replacement = "▁";
  let strip = false;
  for (const c of components(root.decoder)) {
    if (c.type === "Metaspace") {
      if (typeof c.replacement === "string") replacement = c.replacement;
      strip ||= c.prepend_scheme !== "never" && c.add_prefix_space !== false;
    }
    if (c.type === "Replace" && typeof c.content === "string" && c.content === " ") {
      const pattern = c.pattern as JsonObject | null;
      if (pattern && typeof pattern.String === "string") replacement = pattern.String;
    }
    if (c.type === "Strip" && c.content === " " && typeof c.start === "number" && c.start > 0) strip = true;
  }
  return { replacement, strip };
}

const BOS_NAMES = ["<s>", "<|begin_of_text|>", "<|startoftext|>", "<bos>"];
const EOS_NAMES = ["</s>", "<|endoftext|>", "<|end_of_text|>", "<|im_end|>", "<eos>"];

/**
 * BOS / EOS ids: the tokens tokenizer_config.json names (an added token or a vocabulary entry, as
 * transformers' convert_tokens_to_ids finds them), else well-known added tokens.
 */
function findSpecials(
  vocab: Map<string, number>,
  added: AddedToken[],
  config: TokenizerConfig,
): Pick<BpeParts, "bosId" | "eosId"> {
  // Well-known names are looked up among added tokens only: a byte-level vocabulary may well
  // have learned "</s>" from HTML, and stopping generation there would be wrong.
  const addedId = (name: string) => added.find((t) => t.content === name)?.id;
  const named = (value: unknown) => {
    if (typeof value === "string") return value;
    if (value && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
      return (value as { content: string }).content;
    }
    return undefined;
  };
  const pick = (configured: unknown, names: string[]) => {
    const name = named(configured);
    if (name !== undefined) return addedId(name) ?? vocab.get(name);
    for (const n of names) if (addedId(n) !== undefined) return addedId(n);
    return undefined;
  };
  return { bosId: pick(config.bos_token, BOS_NAMES), eosId: pick(config.eos_token, EOS_NAMES) };
}

/**
 * tokenizer_config.json's add_bos_token / add_eos_token override the post-processor's template,
 * as in transformers (LlamaTokenizerFast.update_post_processor rebuilds the template from them):
 * true puts BOS first (EOS last) if the template lacks it, false takes it away.
 */
function applyAddFlags(
  template: SpecialTokenTemplate,
  { bosId, eosId }: Pick<BpeParts, "bosId" | "eosId">,
  config: TokenizerConfig,
): SpecialTokenTemplate {
  let { prefix, suffix } = template;
  if (typeof config.add_bos_token === "boolean" && bosId !== undefined) {
    const has = prefix[0] === bosId;
    if (config.add_bos_token && !has) prefix = [bosId, ...prefix];
    if (!config.add_bos_token && has) prefix = prefix.slice(1);
  }
  if (typeof config.add_eos_token === "boolean" && eosId !== undefined) {
    const has = suffix[suffix.length - 1] === eosId;
    if (config.add_eos_token && !has) suffix = [...suffix, eosId];
    if (!config.add_eos_token && has) suffix = suffix.slice(0, -1);
  }
  return { prefix, suffix };
}

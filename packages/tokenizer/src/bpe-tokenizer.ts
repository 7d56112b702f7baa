// What the two BPE tokenizers share: the encode loop and decoding through bytes.
//
//   encode: text -> added tokens split out -> normalize -> pre-tokenize into words
//           -> each word: initial ids (subclass) -> BPE merges (cached per word) -> ids
//   decode: ids -> bytes of each token (subclass) -> UTF-8 text (SentencePiece's byte tokens
//           through byte-fallback.ts, run by run, as Hugging Face's ByteFallback decoder)
//
// Most words repeat ("the", " of", ","), so merged ids are cached per word string; that cache is
// what makes encoding fast, the merge loop itself runs once per distinct word.
// Not here: reading tokenizer.json (tokenizer-json.ts) or the byte / character specifics
// (byte-level-bpe.ts, sentencepiece-bpe.ts).

import { type AddedToken, AddedTokenSplitter } from "./added-tokens.ts";
import { type MergeTable, mergeWord } from "./bpe.ts";
import { byteFallbackStreamDecoder, decodeWithByteFallback } from "./byte-fallback.ts";
import type { JsonObject } from "./json-fields.ts";
import type { Normalize, PreTokenize } from "./pipeline.ts";
import type { SpecialTokenTemplate } from "./post-processor.ts";
import { byteStreamDecoder } from "./stream.ts";
import type { EncodeOptions, StreamDecoder, Tokenizer, TokenizerKind } from "./types.ts";

/** Everything a BPE tokenizer is made of, as read from a tokenizer.json. */
export interface BpeParts {
  vocab: Map<string, number>;
  merges: MergeTable;
  addedTokens: AddedToken[];
  normalize: Normalize | null;
  preTokenize: PreTokenize;
  /** Llama 3: a word that is already a vocabulary entry is taken whole, without merging. */
  ignoreMerges: boolean;
  bosId: number | undefined;
  eosId: number | undefined;
  addBos: boolean;
  /** What encode(text, { addSpecialTokens: true }) puts around the ids (the post-processor). */
  template: SpecialTokenTemplate;
  /** The tokenizer.json this came from, written back by save(). */
  json: JsonObject;
}

/** Words longer than this are not cached (a whitespace-free chunk can be a whole document). */
const MAX_CACHED_WORD = 256;
const MAX_CACHE_ENTRIES = 1 << 17;
const utf8Decoder = new TextDecoder("utf-8");

export abstract class BpeTokenizer implements Tokenizer {
  abstract readonly kind: TokenizerKind;
  readonly vocabSize: number;
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly addBos: boolean;

  protected readonly vocab: Map<string, number>;
  protected readonly merges: MergeTable;
  protected readonly ignoreMerges: boolean;
  private readonly idToString: (string | undefined)[];
  private readonly splitter: AddedTokenSplitter;
  private readonly normalize: Normalize | null;
  private readonly preTokenize: PreTokenize;
  private readonly json: JsonObject;
  private readonly template: SpecialTokenTemplate;
  private readonly cache = new Map<string, number[]>();
  private readonly bytesCache: (Uint8Array | undefined)[] = [];

  constructor(parts: BpeParts) {
    this.vocab = parts.vocab;
    this.merges = parts.merges;
    this.ignoreMerges = parts.ignoreMerges;
    this.normalize = parts.normalize;
    this.preTokenize = parts.preTokenize;
    this.json = parts.json;
    this.template = parts.template;
    this.splitter = new AddedTokenSplitter(parts.addedTokens);
    this.idToString = [];
    for (const [token, id] of parts.vocab) this.idToString[id] = token;
    for (const t of parts.addedTokens) this.idToString[t.id] = t.content;
    this.vocabSize = this.idToString.length;
    this.specialTokens = new Map(parts.addedTokens.map((t) => [t.content, t.id]));
    this.bosId = parts.bosId;
    this.eosId = parts.eosId;
    this.addBos = parts.addBos;
  }

  /** A word's ids before any merge: its bytes (byte-level) or characters (SentencePiece). */
  protected abstract initialIds(word: string): number[];
  /** The bytes a token stands for. */
  protected abstract tokenBytes(token: string): Uint8Array;
  /** SentencePiece removes the space its normalizer put in front of the text. */
  protected stripLeadingSpace = false;

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = options.addSpecialTokens ? [...this.template.prefix] : [];
    let first = true;
    for (const segment of this.splitter.split(text)) {
      if (typeof segment === "number") {
        ids.push(segment);
        first = false;
        continue;
      }
      const normalized = this.normalize ? this.normalize(segment) : segment;
      for (const word of this.preTokenize([normalized], first)) {
        const merged = this.encodeWord(word);
        for (let k = 0; k < merged.length; k++) ids.push(merged[k]!);
      }
      first = false;
    }
    if (options.addSpecialTokens) ids.push(...this.template.suffix);
    return ids;
  }

  /** One pre-tokenized word -> ids, through the cache. */
  private encodeWord(word: string): number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    let ids: number[];
    const whole = this.ignoreMerges ? this.vocab.get(this.wordAsToken(word)) : undefined;
    if (whole !== undefined) ids = [whole];
    else ids = mergeWord(this.initialIds(word), this.merges);
    if (word.length <= MAX_CACHED_WORD) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
      this.cache.set(word, ids);
    }
    return ids;
  }

  /** How a word would be spelled as one vocabulary entry (byte-level: "Ġthe"). */
  protected wordAsToken(word: string): string {
    return word;
  }

  private bytesOf(id: number): Uint8Array {
    let bytes = this.bytesCache[id];
    if (bytes === undefined) {
      const token = this.idToString[id];
      bytes = token === undefined ? new Uint8Array(0) : this.tokenBytes(token);
      this.bytesCache[id] = bytes;
    }
    return bytes;
  }

  /**
   * The byte of a <0xNN> byte-fallback token that decoding fuses (SentencePiece), -1 for every
   * other token. Byte-level BPE has none: all of its tokens are bytes, decoded at once.
   */
  protected byteOf(_id: number): number {
    return -1;
  }

  /** True when some ids are byte-fallback tokens (see byteOf): decoding then goes run by run. */
  protected hasByteTokens = false;

  /** All the tokens' bytes into one buffer, then one UTF-8 decode (byte-fallback runs aside). */
  decode(ids: readonly number[]): string {
    const text = this.hasByteTokens ? decodeWithByteFallback(ids, this.byteTokens()) : this.decodeBytes(ids);
    return this.stripLeadingSpace && text.startsWith(" ") ? text.slice(1) : text;
  }

  private byteTokens() {
    return { bytesOf: (id: number) => this.bytesOf(id), byteOf: (id: number) => this.byteOf(id) };
  }

  private decodeBytes(ids: readonly number[]): string {
    const parts = ids.map((id) => this.bytesOf(id));
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      bytes.set(p, offset);
      offset += p.length;
    }
    return utf8Decoder.decode(bytes);
  }

  createStreamDecoder(): StreamDecoder {
    const inner = this.hasByteTokens
      ? byteFallbackStreamDecoder(this.byteTokens())
      : byteStreamDecoder((id) => this.bytesOf(id));
    if (!this.stripLeadingSpace) return inner;
    let started = false; // strip one space at the very start of the output, then pass through
    const strip = (text: string) => {
      if (started || text === "") return text;
      started = true;
      return text.startsWith(" ") ? text.slice(1) : text;
    };
    return { push: (id) => strip(inner.push(id)), flush: () => strip(inner.flush()) };
  }

  idToToken(id: number): string | undefined {
    return this.idToString[id];
  }

  idToBytes(id: number): Uint8Array | undefined {
    return this.idToString[id] === undefined ? undefined : this.bytesOf(id);
  }

  tokenToId(token: string): number | undefined {
    return this.splitter.get(token)?.id ?? this.vocab.get(token);
  }

  /** The tokenizer.json this tokenizer was built from. */
  toTokenizerJson(): string {
    return `${JSON.stringify(this.json)}\n`;
  }
}

// Typed, checked access to the fields of a config.json object, for config.ts: each accessor
// returns the value, a default when the field is absent, or throws a ConfigError naming the file
// and the field:  config: m/config.json: field "n_head" must be a positive integer, got "12"
// Not here: which fields an architecture has or what their defaults are (config.ts).
// Reference: Hugging Face PretrainedConfig (field names and JSON types as config.json stores them).

import { ConfigError } from "./errors.ts";

/** The `fallback` that makes a field required (a positive field can never default to 0). */
export const REQUIRED = 0;

/** Typed access to config.json fields: a default when absent, a ConfigError naming the field when wrong. */
export class Fields {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly file: string,
  ) {}

  fail(field: string, problem: string): never {
    throw new ConfigError(`config: ${this.file}: field "${field}" ${problem}`);
  }

  private get(key: string, from: Record<string, unknown>): unknown {
    return from[key];
  }

  /** A positive integer. A fallback of REQUIRED (0) makes an absent field an error. */
  int(key: string, fallback: number, from = this.raw, shown = key): number {
    const v = this.get(key, from);
    if (v === undefined || v === null) {
      if (fallback === REQUIRED) this.fail(shown, "is required");
      return fallback;
    }
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      this.fail(shown, `must be a positive integer, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  /**
   * A special token id in [0, vocabSize), or null. Absent: `fallback` (HF's default), or null when
   * that default does not exist in this vocabulary (GPT-2's 50256 in a 65-token char model).
   */
  tokenId(key: string, fallback: number | null, vocabSize: number): number | null {
    const v = this.raw[key];
    if (v === undefined) return fallback !== null && fallback < vocabSize ? fallback : null;
    if (v === null) return null;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      this.fail(key, `must be a token id or null, got ${JSON.stringify(v)}`);
    }
    if (v >= vocabSize)
      this.fail(key, `is ${v}, outside the vocabulary [0, ${vocabSize}) (vocab_size ${vocabSize})`);
    return v;
  }

  /** A list of token ids, each in [0, vocabSize). */
  tokenIdList(key: string, vocabSize: number): number[] {
    const v = this.raw[key] as unknown[];
    if (!v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0)) {
      this.fail(key, `must hold token ids, got ${JSON.stringify(v)}`);
    }
    const outside = (v as number[]).filter((id) => id >= vocabSize);
    if (outside.length > 0) {
      this.fail(
        key,
        `holds ${outside.join(", ")}, outside the vocabulary [0, ${vocabSize}) (vocab_size ${vocabSize})`,
      );
    }
    return v as number[];
  }

  /** eos_token_id as configs write it: one id, or a list of them (Llama 3, gemma-3-1b-it). */
  tokenIdOrList(key: string, fallback: number | null, vocabSize: number): number | number[] | null {
    return Array.isArray(this.raw[key])
      ? this.tokenIdList(key, vocabSize)
      : this.tokenId(key, fallback, vocabSize);
  }

  positive(key: string, fallback: number, from = this.raw, shown = key): number {
    const v = this.get(key, from);
    if (v === undefined || v === null) {
      if (fallback === REQUIRED) this.fail(shown, "is required");
      return fallback;
    }
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
      this.fail(shown, `must be a positive number, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  probability(key: string, fallback: number): number {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "number" || !(v >= 0 && v < 1))
      this.fail(key, `must be a number in [0, 1), got ${JSON.stringify(v)}`);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "boolean") this.fail(key, `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  str(key: string, fallback: string): string {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "string") this.fail(key, `must be a string, got ${JSON.stringify(v)}`);
    return v;
  }
}

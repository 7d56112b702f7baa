// The rotary-embedding settings of a config.json, in the two layouts transformers has written:
//
//   4.x:  "rope_theta": 500000, "rope_scaling": { "rope_type" | "type": "llama3", "factor": 8, ... }
//   5.x:  "rope_parameters": { "rope_type": "llama3", "rope_theta": 500000, "factor": 8, ... }
//
// -> { theta, scaling }, with scaling one of the frequency rules rope.ts / longrope.ts implement:
//   linear   every inverse frequency divided by `factor`               (Llama 2 long-context, Gemma 3 4B+)
//   llama3   low frequencies divided by `factor`, blended in between   (Llama 3.1+)
//   longrope per-frequency short / long factors and a cos/sin factor   (Phi-3 128k, Phi-4-mini)
// Phi-3 accepts only longrope (Phi3Config validates the same), every other family only linear and
// llama3; any other type is a ConfigError naming the field: dynamic NTK and YaRN are not here.
// Not here: where a family keeps its theta when it is not rope_theta (GPT-NeoX rotary_emb_base,
// Gemma 3 rope_local_base_freq: config-gpt-neox.ts, config-gemma3.ts), the frequencies themselves.
// Reference: transformers modeling_rope_utils.py (_compute_linear_scaling_rope_parameters,
// _compute_llama3_parameters, _compute_longrope_parameters, standardize_rope_params).

import { type Fields, REQUIRED } from "./config-fields.ts";

/** Scalings that only change the inverse frequencies (rope.ts). */
export type FrequencyScaling =
  | { type: "linear"; factor: number }
  | {
      type: "llama3";
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositionEmbeddings: number;
    };

/**
 * LongRoPE (Phi-3): inv_freq_i = 1 / (factor_i · theta^(2i / rotaryDim)) with the short factors
 * while a sequence fits in originalMaxPositionEmbeddings and the long ones past it; cos and sin
 * multiplied by attentionFactor either way. See longrope.ts.
 */
export interface LongRopeScaling {
  type: "longrope";
  shortFactor: number[]; // [rotaryDim / 2]
  longFactor: number[]; // [rotaryDim / 2]
  originalMaxPositionEmbeddings: number;
  attentionFactor: number;
}

export type RopeScaling = FrequencyScaling | LongRopeScaling;

export interface RopeSettings {
  theta: number;
  scaling: FrequencyScaling | null;
}

/**
 * The top-level rope settings of a family whose scaling changes only the frequencies:
 * `rope_parameters` (5.x) when present, else `rope_theta` and `rope_scaling` (4.x). `theta` is
 * the value when neither names one.
 */
export function parseRope(f: Fields, theta: number): RopeSettings {
  const { s, field } = ropeFields(f);
  return { theta: ropeTheta(f, theta, s, field), scaling: frequencyScaling(f, s, field) };
}

/** The object that holds the rope settings: rope_parameters (5.x) or rope_scaling (4.x). */
export function ropeFields(f: Fields): { s: Record<string, unknown> | null; field: string } {
  const params = f.raw.rope_parameters;
  const field = params != null ? "rope_parameters" : "rope_scaling";
  return { s: ropeObject(f, params ?? f.raw.rope_scaling, field), field };
}

/** rope_theta: inside the rope object when it has one (5.x), else top-level, else `fallback`. */
export function ropeTheta(
  f: Fields,
  fallback: number,
  s: Record<string, unknown> | null,
  field: string,
): number {
  if (s?.rope_theta != null) return f.positive("rope_theta", REQUIRED, s, `${field}.rope_theta`);
  return f.positive("rope_theta", fallback);
}

/** A rope settings value checked to be an object (or null / absent). */
export function ropeObject(f: Fields, value: unknown, field: string): Record<string, unknown> | null {
  if (value == null) return null;
  if (typeof value !== "object" || Array.isArray(value)) f.fail(field, "must be an object or null");
  return value as Record<string, unknown>;
}

/** The rope type an object names ("rope_type", or 4.x's older "type"; absent: "default"). */
function typeOf(s: Record<string, unknown>): unknown {
  return s.rope_type ?? s.type ?? "default";
}

/** The linear / llama3 scaling one rope object `s` (found under `field`) describes; null for default. */
export function frequencyScaling(
  f: Fields,
  s: Record<string, unknown> | null,
  field: string,
): FrequencyScaling | null {
  if (s == null) return null;
  const sub = (k: string) => `${field}.${k}`;
  const type = typeOf(s);
  if (type === "default") return null;
  if (type !== "linear" && type !== "llama3") {
    f.fail(sub("rope_type"), `${JSON.stringify(type)} is not supported (supported: default, linear, llama3)`);
  }
  const factor = f.positive("factor", REQUIRED, s, sub("factor"));
  if (type === "linear") return { type: "linear", factor };
  return {
    type: "llama3",
    factor,
    lowFreqFactor: f.positive("low_freq_factor", REQUIRED, s, sub("low_freq_factor")),
    highFreqFactor: f.positive("high_freq_factor", REQUIRED, s, sub("high_freq_factor")),
    originalMaxPositionEmbeddings: f.int(
      "original_max_position_embeddings",
      REQUIRED,
      s,
      sub("original_max_position_embeddings"),
    ),
  };
}

/** What reading longrope factors needs to know about the model. */
export interface LongRopeContext {
  rotaryDim: number;
  contextLength: number; // max_position_embeddings
  originalMaxPositionEmbeddings: number;
}

/**
 * Phi-3's scaling: null (default) or longrope, which 4.x also reads under the names "su" and
 * "yarn" (Phi3Config.convert_rope_params_to_dict); _compute_longrope_parameters: the factors (each
 * rotaryDim / 2 long, as Phi3Config validates), and the cos/sin factor
 * sqrt(1 + ln(s) / ln(original)) with s = max_position_embeddings / original (or the object's own
 * `factor`), 1 when s <= 1, unless `attention_factor` is given.
 */
export function longRopeScaling(
  f: Fields,
  s: Record<string, unknown> | null,
  field: string,
  ctx: LongRopeContext,
): LongRopeScaling | null {
  if (s == null) return null;
  const sub = (k: string) => `${field}.${k}`;
  const type = typeOf(s);
  if (type === "default") return null;
  if (type !== "longrope" && type !== "su" && type !== "yarn") {
    f.fail(sub("rope_type"), `${JSON.stringify(type)} is not supported (supported: default, longrope)`);
  }
  const { rotaryDim, contextLength, originalMaxPositionEmbeddings: original } = ctx;
  const factors = (key: string) => {
    const v = s[key];
    const ok = Array.isArray(v) && v.every((x) => typeof x === "number" && x > 0 && Number.isFinite(x));
    if (!ok) f.fail(sub(key), `must be a list of positive numbers, got ${JSON.stringify(v)}`);
    const list = v as number[];
    if (list.length !== rotaryDim / 2) {
      f.fail(sub(key), `must have ${rotaryDim / 2} entries (rotary dim / 2), got ${list.length}`);
    }
    return list;
  };
  const shortFactor = factors("short_factor");
  const longFactor = factors("long_factor");
  const scale = f.positive("factor", contextLength / original, s, sub("factor"));
  const attentionFactor = f.positive(
    "attention_factor",
    longRopeAttentionFactor(scale, original),
    s,
    sub("attention_factor"),
  );
  return {
    type: "longrope",
    shortFactor,
    longFactor,
    originalMaxPositionEmbeddings: original,
    attentionFactor,
  };
}

/** LongRoPE's default cos/sin factor for an extension by `scale` of an `original`-token context. */
export function longRopeAttentionFactor(scale: number, original: number): number {
  return scale <= 1 ? 1 : Math.sqrt(1 + Math.log(scale) / Math.log(original));
}

/** rope_scaling as transformers 4.x writes it (null for the default rotation). */
export function ropeScalingToJson(
  s: RopeScaling | null,
  contextLength: number,
): Record<string, unknown> | null {
  if (s === null) return null;
  if (s.type === "linear") return { rope_type: "linear", factor: s.factor };
  if (s.type === "llama3") {
    return {
      rope_type: "llama3",
      factor: s.factor,
      low_freq_factor: s.lowFreqFactor,
      high_freq_factor: s.highFreqFactor,
      original_max_position_embeddings: s.originalMaxPositionEmbeddings,
    };
  }
  // Phi-3's 4.x config class accepts exactly type, short_factor and long_factor: write the
  // attention factor only when it is not the one those imply.
  const implied = longRopeAttentionFactor(
    contextLength / s.originalMaxPositionEmbeddings,
    s.originalMaxPositionEmbeddings,
  );
  return {
    type: "longrope",
    short_factor: s.shortFactor,
    long_factor: s.longFactor,
    ...(s.attentionFactor === implied ? {} : { attention_factor: s.attentionFactor }),
  };
}

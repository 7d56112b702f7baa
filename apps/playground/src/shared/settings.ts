// The page's settings, and their home in the URL hash, so a run can be shared and reproduced:
//
//   #size=tiny&iters=200&temperature=0.8&top_k=40&seed=7&stop=%5Cn&prompt=The%20whale
//
// One table says, for every setting, its default and how a text value is checked — the same
// check for a value typed into the page and for one read from a link, with the same ranges
// `llmts generate` / `llmts train` enforce on their flags. Only values that differ from the
// default go into the hash. A bad value in a link is reported and left at its default; nothing
// else is refused.
// Not here: the controls themselves (page/controls.ts).

import { SIZE_NAMES, type SizeName } from "./presets.ts";

export interface Settings {
  corpus: "moby-dick" | "paste" | "file";
  size: SizeName;
  iters: number;
  lr: number;
  temperature: number;
  top_p: number;
  top_k: number;
  max_tokens: number;
  seed: number;
  /** Stop sequences, one per line in the page; "\n" written as \n. */
  stop: string[];
  crop: boolean;
  /** The backend the worker runs ("": its default); the worker checks the name. */
  kernels: string;
  prompt: string;
  gflop_per_joule: number;
  dollars_per_kwh: number;
}

export const DEFAULT_SETTINGS: Settings = {
  corpus: "moby-dick",
  size: "tiny",
  iters: 300,
  lr: 6e-3,
  temperature: 0.8,
  top_p: 1,
  top_k: 0,
  max_tokens: 50,
  seed: 0,
  stop: [],
  crop: false,
  kernels: "", // the worker's default
  prompt: "The whale",
  gflop_per_joule: 1,
  dollars_per_kwh: 0.15,
};

type Key = keyof Settings;

/** A text value -> the setting's value, or an error message (without the setting's name). */
type Parse<T> = (text: string) => T | { error: string };

function number(options: { integer?: boolean; min?: number; max?: number; above?: number }): Parse<number> {
  return (text) => {
    const x = Number(text);
    if (text.trim() === "" || !Number.isFinite(x)) return { error: `expected a number, got "${text}"` };
    if (options.integer && !Number.isInteger(x)) return { error: `expected a whole number, got "${text}"` };
    if (options.min !== undefined && x < options.min)
      return { error: `must be at least ${options.min}, got ${text}` };
    if (options.max !== undefined && x > options.max)
      return { error: `must be at most ${options.max}, got ${text}` };
    if (options.above !== undefined && !(x > options.above))
      return { error: `must be greater than ${options.above}, got ${text}` };
    return x;
  };
}

function oneOf<T extends string>(choices: readonly T[]): Parse<T> {
  return (text) =>
    (choices as readonly string[]).includes(text)
      ? (text as T)
      : { error: `expected one of ${choices.join(", ")}, got "${text}"` };
}

/**
 * The stop sequences of a text with one per line; inside a line, the two characters \n stand for a
 * line break and \t for a tab:  "END\n\\n" -> ["END", "\n"].
 */
export function parseStops(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/\\n/g, "\n").replace(/\\t/g, "\t"));
}

export function formatStops(stops: readonly string[]): string {
  return stops.map((s) => s.replace(/\n/g, "\\n").replace(/\t/g, "\\t")).join("\n");
}

const PARSERS: { [K in Key]: Parse<Settings[K]> } = {
  corpus: oneOf(["moby-dick", "paste", "file"] as const),
  size: oneOf(SIZE_NAMES),
  iters: number({ integer: true, min: 1, max: 1_000_000 }),
  lr: number({ above: 0, max: 1 }),
  temperature: number({ min: 0 }),
  top_p: number({ min: 0, max: 1 }),
  top_k: number({ integer: true, min: 0 }),
  max_tokens: number({ integer: true, min: 1, max: 1_000_000 }),
  seed: number({ integer: true, min: 0, max: Number.MAX_SAFE_INTEGER }),
  stop: (text) => parseStops(text),
  crop: (text) =>
    text === "1" || text === "true"
      ? true
      : text === "0" || text === "false"
        ? false
        : { error: `expected 1 or 0, got "${text}"` },
  kernels: (text) => (/^[a-z]*$/.test(text) ? text : { error: `expected a backend name, got "${text}"` }),
  prompt: (text) => text,
  gflop_per_joule: number({ above: 0 }),
  dollars_per_kwh: number({ min: 0 }),
};

export const SETTING_KEYS = Object.keys(PARSERS) as Key[];

/** Checks a text value of `key`: the value, or a message naming the setting. */
export function parseSetting<K extends Key>(key: K, text: string): Settings[K] | { error: string } {
  const parsed = PARSERS[key](text);
  if (typeof parsed === "object" && parsed !== null && "error" in parsed)
    return { error: `${key}: ${parsed.error}` };
  return parsed as Settings[K];
}

export function isError(value: unknown): value is { error: string } {
  return typeof value === "object" && value !== null && "error" in value;
}

function textOf<K extends Key>(key: K, value: Settings[K]): string {
  if (key === "stop") return formatStops(value as string[]);
  if (key === "crop") return value ? "1" : "0";
  return String(value);
}

/** The settings a hash names (the rest at their defaults), and one message per value refused. */
export function settingsFromHash(hash: string): { settings: Settings; problems: string[] } {
  const settings = { ...DEFAULT_SETTINGS };
  const problems: string[] = [];
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  for (const [key, text] of params) {
    if (!(SETTING_KEYS as string[]).includes(key)) {
      problems.push(`unknown setting "${key}" (known: ${SETTING_KEYS.join(", ")})`);
      continue;
    }
    const value = parseSetting(key as Key, text);
    if (isError(value))
      problems.push(`${value.error}; left at ${textOf(key as Key, DEFAULT_SETTINGS[key as Key]) || "none"}`);
    else (settings as Record<Key, unknown>)[key as Key] = value;
  }
  return { settings, problems };
}

/** The hash for `settings`: the values that differ from the defaults, in table order. */
export function hashOf(settings: Settings): string {
  const params = new URLSearchParams();
  for (const key of SETTING_KEYS) {
    const text = textOf(key, settings[key]);
    if (text !== textOf(key, DEFAULT_SETTINGS[key])) params.set(key, text);
  }
  const query = params.toString();
  return query === "" ? "" : `#${query}`;
}

// The page's controls and the settings they hold: each setting of shared/settings.ts has one
// control; this file copies settings into the controls (from the URL hash at start), reads them
// back checked (the same check a link's value gets), and keeps the hash up to date as they change.
// Not here: the checks themselves (shared/settings.ts), what the settings drive (the panels).

import {
  formatStops,
  hashOf,
  isError,
  parseSetting,
  SETTING_KEYS,
  type Settings,
  settingsFromHash,
} from "../shared/settings.ts";
import { $ } from "./dom.ts";

type Key = keyof Settings;

/** The data-testid of each setting's control. */
const CONTROLS: Record<Key, string> = {
  corpus: "corpus-select",
  size: "model-size",
  iters: "train-iters",
  lr: "train-lr",
  temperature: "temperature",
  top_p: "top-p",
  top_k: "top-k",
  max_tokens: "max-tokens",
  seed: "seed",
  stop: "stop-sequences",
  crop: "crop-context",
  kernels: "backend-select",
  prompt: "query-input",
  gflop_per_joule: "gflop-per-joule",
  dollars_per_kwh: "dollars-per-kwh",
};

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const field = (key: Key) => $<Field>(CONTROLS[key]);

export function writeControl<K extends Key>(key: K, value: Settings[K]): void {
  const el = field(key);
  if (key === "crop") (el as HTMLInputElement).checked = value as boolean;
  else if (key === "stop") el.value = formatStops(value as string[]);
  else el.value = String(value);
}

/** A control's value, checked: the setting, or { error } naming it. */
export function readControl<K extends Key>(key: K): Settings[K] | { error: string } {
  const el = field(key);
  if (key === "crop") return (el as HTMLInputElement).checked as Settings[K];
  return parseSetting(key, el.value);
}

/** Several settings at once; `errors` lists every bad one. */
export function readControls<K extends Key>(
  keys: readonly K[],
): { values: Pick<Settings, K>; errors: string[] } {
  const values = {} as Pick<Settings, K>;
  const errors: string[] = [];
  for (const key of keys) {
    const value = readControl(key);
    if (isError(value)) errors.push(value.error);
    else values[key] = value as Settings[K];
  }
  return { values, errors };
}

/** Applies the URL hash to the controls; returns the problems it found (bad or unknown values). */
export function applyHash(): { settings: Settings; problems: string[] } {
  const { settings, problems } = settingsFromHash(location.hash);
  for (const key of SETTING_KEYS) writeControl(key, settings[key]);
  return { settings, problems };
}

/** The hash of the controls' current values (a bad value counts as its default until fixed). */
function currentHash(fallback: Settings): string {
  const settings = { ...fallback };
  for (const key of SETTING_KEYS) {
    const value = readControl(key);
    if (!isError(value)) (settings as Record<Key, unknown>)[key] = value;
  }
  return hashOf(settings);
}

/** Rewrites the hash whenever a control changes (replaceState: no history entry per keystroke). */
export function keepHashUpdated(fallback: Settings): void {
  const update = () => {
    const hash = currentHash(fallback);
    if (hash !== location.hash) history.replaceState(null, "", hash === "" ? location.pathname : hash);
  };
  for (const key of SETTING_KEYS) {
    field(key).addEventListener("input", update);
    field(key).addEventListener("change", update);
  }
}

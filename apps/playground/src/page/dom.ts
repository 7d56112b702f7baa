// Small helpers for the page: find an element by its data-testid, show a number as a plain
// number, put a message up or take it down, and batch drawing into animation frames.
// Not here: any behaviour of the playground (the panels).

/** The element with data-testid `id`; a missing one is a bug in index.html or here. */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.querySelector<T>(`[data-testid="${id}"]`);
  if (el === null) throw new Error(`page: no element with data-testid "${id}"`);
  return el;
}

export function setText(id: string, text: string | number): void {
  $(id).textContent = String(text);
}

/** A plain number a script can read back with Number(): fixed decimals, or e-notation when huge or tiny. */
export function plain(x: number | null, decimals = 1): string {
  if (x === null || !Number.isFinite(x)) return "–";
  if (x !== 0 && (Math.abs(x) >= 1e9 || Math.abs(x) < 10 ** -decimals)) return x.toExponential(3);
  return x.toFixed(decimals);
}

/** Shows `text` in a message element (an error in red); an empty text hides it. */
export function say(id: string, text: string, kind: "error" | "note" = "error"): void {
  const el = $(id);
  el.textContent = text;
  el.hidden = text === "";
  el.classList.toggle("error", kind === "error");
}

// Drawing waits for the next animation frame, once per frame whatever the number of events: a
// tiny model sends hundreds of steps or tokens a second. A tab in the background gets no frames,
// so nothing is drawn until it is visible again — then the latest state is drawn at once.
const pending = new Map<string, () => void>();
let frameRequested = false;

export function draw(key: string, fn: () => void): void {
  pending.set(key, fn);
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(flush);
  }
}

/** Runs every pending draw now (at the end of a query or a run, so final numbers are on the page). */
export function flush(): void {
  frameRequested = false;
  const fns = [...pending.values()];
  pending.clear();
  for (const fn of fns) fn();
}

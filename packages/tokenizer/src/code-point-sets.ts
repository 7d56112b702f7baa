// Sets of code points for the backtracking check (regex-backtracking.ts): the code points that one
// single-character piece of a JavaScript pattern matches, as sorted ranges, so that two or three
// of them can be intersected exactly ("can [^\s\p{L}] and [\r\n] match the same character?").
//
//   "a", "\\x85"                      -> [0x61, 0x61], [0x85, 0x85]        read directly
//   "[a-c\\u2028]", "[^\\r\\n]"       -> [0x61, 0x63, 0x2028, 0x2028], ... read directly
//   "\\p{L}", "[^\\t-\\r \\p{N}]", "(?:(?![\\r\\n])[\\t-\\r ])"
//                                     -> asked of the regex engine itself
//
// Asking the engine: the piece, repeated, runs over a string that holds every code point once, in
// order; each run of matches is one range. That is exact for whatever Unicode version this engine
// has, and it costs about 40 ms per set, so sets are computed only when two different pieces must
// be compared, and kept. Lone surrogates get strings of their own (low ones first, then high ones)
// so that no two of them pair up into one astral character.
// Not here: parsing whole patterns (regex-backtracking.ts).

/** Flat [lo0, hi0, lo1, hi1, ...]: sorted, disjoint, inclusive ranges of code points. */
export type CodePointSet = number[];

const MAX_CODE_POINT = 0x10ffff;

/** [first, last] code points of each universe string; a string never mixes lone and paired halves. */
const SEGMENTS: readonly [number, number][] = [
  [0, 0xd7ff],
  [0xe000, MAX_CODE_POINT],
  [0xdc00, 0xdfff],
  [0xd800, 0xdbff],
];
let universe: string[] | undefined;

function universeStrings(): string[] {
  universe ??= SEGMENTS.map(([lo, hi]) => {
    const parts: string[] = [];
    for (let start = lo; start <= hi; start += 4096) {
      const end = Math.min(hi, start + 4095);
      const units: number[] = [];
      for (let cp = start; cp <= end; cp++) units.push(cp);
      parts.push(String.fromCodePoint(...units));
    }
    return parts.join("");
  });
  return universe;
}

/** The code point at UTF-16 index `index` of segment `k` (indices count 2 for astral ones). */
function codePointAtIndex(k: number, index: number): number {
  const lo = SEGMENTS[k]![0];
  if (lo !== 0xe000) return lo + index; // one unit per code point
  const bmp = 0x10000 - 0xe000;
  return index < bmp ? lo + index : 0x10000 + (index - bmp) / 2;
}

/** Asks the engine: every range of code points that `source` (one character) matches. */
function scan(source: string): CodePointSet {
  const regex = new RegExp(`(?:${source})+`, "gu");
  const ranges: [number, number][] = [];
  universeStrings().forEach((text, k) => {
    for (const m of text.matchAll(regex)) {
      ranges.push([codePointAtIndex(k, m.index), codePointAtIndex(k, m.index + m[0].length) - 1]);
    }
  });
  return normalize(ranges);
}

/** Sorts and merges touching or overlapping ranges. */
function normalize(ranges: [number, number][]): CodePointSet {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: CodePointSet = [];
  for (const [lo, hi] of ranges) {
    if (out.length > 0 && lo <= out[out.length - 1]! + 1)
      out[out.length - 1] = Math.max(out[out.length - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13, "0": 0 };

/**
 * One literal character of a class or pattern at source[i]: [code point, length], or undefined
 * when it is anything else (\p{..}, \d, \s, a class inside...), which the engine is asked about.
 */
function literalAt(source: string, i: number): [number, number] | undefined {
  const c = source[i]!;
  if (c !== "\\") {
    const cp = source.codePointAt(i)!;
    return [cp, cp > 0xffff ? 2 : 1];
  }
  const e = source[i + 1];
  if (e === undefined) return undefined;
  if (SIMPLE_ESCAPES[e] !== undefined) return [SIMPLE_ESCAPES[e], 2];
  if (e === "x" && /^[0-9a-fA-F]{2}$/.test(source.slice(i + 2, i + 4))) {
    return [Number.parseInt(source.slice(i + 2, i + 4), 16), 4];
  }
  if (e === "u" && source[i + 2] === "{") {
    const end = source.indexOf("}", i);
    return end < 0 ? undefined : [Number.parseInt(source.slice(i + 3, end), 16), end + 1 - i];
  }
  if (e === "u" && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
    return [Number.parseInt(source.slice(i + 2, i + 6), 16), 6];
  }
  if (/[\^$\\.*+?()[\]{}|/-]/.test(e)) return [e.codePointAt(0)!, 2];
  return undefined;
}

/** A literal character or a class of literals and ranges, read without the engine. */
function literalSet(source: string): CodePointSet | undefined {
  if (source[0] !== "[") {
    const lit = literalAt(source, 0);
    return lit && lit[1] === source.length && source !== "." ? [lit[0], lit[0]] : undefined;
  }
  let i = 1;
  const negated = source[i] === "^";
  if (negated) i++;
  const ranges: [number, number][] = [];
  while (i < source.length - 1) {
    const lo = literalAt(source, i);
    if (lo === undefined) return undefined;
    i += lo[1];
    if (source[i] === "-" && i + 1 < source.length - 1) {
      const hi = literalAt(source, i + 1);
      if (hi === undefined) return undefined;
      i += 1 + hi[1];
      ranges.push([lo[0], hi[0]]);
    } else ranges.push([lo[0], lo[0]]);
  }
  if (i !== source.length - 1 || source[i] !== "]") return undefined;
  const set = normalize(ranges);
  return negated ? complement(set) : set;
}

function complement(set: CodePointSet): CodePointSet {
  const out: CodePointSet = [];
  let next = 0;
  for (let k = 0; k < set.length; k += 2) {
    if (set[k]! > next) out.push(next, set[k]! - 1);
    next = set[k + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

export function intersect(a: CodePointSet, b: CodePointSet): CodePointSet {
  const out: CodePointSet = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!, b[j]!);
    const hi = Math.min(a[i + 1]!, b[j + 1]!);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

/** Computes and keeps sets by their source text; counts the engine scans it had to make. */
export class CodePointSets {
  private static readonly known = new Map<string, CodePointSet>();
  scans = 0;

  of(source: string): CodePointSet {
    let set = CodePointSets.known.get(source);
    if (set === undefined) {
      set = literalSet(source);
      if (set === undefined) {
        this.scans++;
        set = scan(source);
      }
      CodePointSets.known.set(source, set);
    }
    return set;
  }

  /**
   * Can all these pieces match one same character? Identical pieces are taken to match something
   * (a piece that matches nothing, like [^\s\S], only makes the check stricter).
   */
  overlap(sources: readonly string[]): boolean {
    const distinct = [...new Set(sources)];
    if (distinct.length === 1) return true;
    let set = this.of(distinct[0]!);
    for (let k = 1; k < distinct.length && set.length > 0; k++) set = intersect(set, this.of(distinct[k]!));
    return set.length > 0;
  }
}

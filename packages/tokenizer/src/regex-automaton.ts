// The position automaton of a parsed pattern (Glushkov's construction), with the number of ways
// each edge can be taken, for the backtracking check (regex-backtracking.ts).
//
//   one state per character the pattern reads; an edge p -> q when q's character can come right
//   after p's; "ways" counts the distinct paths through the pattern that make that edge (capped
//   at 2: we only need "once" or "more than once").
//
//   (a|a)*  ->  states a1, a2; edges a1->a1, a1->a2, a2->a1, a2->a2, one way each
//   (a+)+   ->  state a; edge a->a two ways (the inner loop, or the outer loop going round)
//
// Repeats follow irregexp: X{n,m} is n copies then nested optional ones, (X(X)?)?, so each count
// is read one way; a loop turn that matches "" ends the loop. Counts above REPEAT_CAP become
// unbounded (more paths, never fewer), which keeps the automaton small.
// Not here: parsing (regex-pattern.ts), what is unsafe (regex-backtracking.ts).
// Reference: Glushkov (1961); Berry and Sethi (1986), "From regular expressions to deterministic
// automata" (first / last / follow sets).

import { type PatternNode, RegexRefusal } from "./regex-pattern.ts";

const MAX_STATES = 2000;
const REPEAT_CAP = 16;

export interface PositionAutomaton {
  /** State -> the JS source of the character set it reads, e.g. "\\p{L}". */
  sources: string[];
  /** State -> [next state, ways]. */
  next: [number, number][][];
  /** The states a match can start at / end at, with the ways. */
  first: Map<number, number>;
  last: Map<number, number>;
  /** States after which (before which) the rest of the pattern matches "" with no assertion. */
  lastFree: Set<number>;
  firstFree: Set<number>;
}

export function positionAutomaton(root: PatternNode, named: Map<string, PatternNode>): PositionAutomaton {
  const builder = new Builder(named);
  const part = builder.build(root);
  return {
    sources: builder.sources,
    next: builder.sources.map((_, p) => [...builder.edges.get(p)!]),
    first: part.first,
    last: part.last,
    lastFree: part.lastFree,
    firstFree: part.firstFree,
  };
}

/** Up to 2 ways is all we need to know ("once" or "more than once"). */
const add = (a: number, b: number) => Math.min(2, a + b);
const mul = (a: number, b: number) => Math.min(2, a * b);

/** What a sub-pattern contributes: its first and last characters, and how it matches "". */
interface Part {
  /** Ways to match the empty string (0, 1, 2 = more). */
  empty: number;
  /** It can match the empty string with no assertion on the way. */
  emptyFree: boolean;
  first: Map<number, number>; // state -> ways to start there
  last: Map<number, number>; // state -> ways to end there
  /** States it can start / end at with no assertion before / after them within it. */
  firstFree: Set<number>;
  lastFree: Set<number>;
}

class Builder {
  readonly sources: string[] = []; // state -> the character set it reads
  readonly edges = new Map<number, Map<number, number>>(); // p -> q -> ways
  private readonly expanding = new Set<string>();

  constructor(private readonly named: Map<string, PatternNode>) {}

  build(node: PatternNode): Part {
    switch (node.type) {
      case "char": {
        const s = this.sources.length;
        if (s >= MAX_STATES) throw new RegexRefusal(`is too large to check (more than ${MAX_STATES} states)`);
        this.sources.push(node.source);
        this.edges.set(s, new Map());
        const one = new Map([[s, 1]]);
        return {
          empty: 0,
          emptyFree: false,
          first: one,
          last: one,
          firstFree: new Set([s]),
          lastFree: new Set([s]),
        };
      }
      case "assert":
        return { ...nothing(), empty: 1 };
      case "empty":
        return { ...nothing(), empty: 1, emptyFree: true };
      case "seq":
        return node.items.map((n) => this.build(n)).reduce((a, b) => this.concat(a, b));
      case "alt":
        return node.options.map((n) => this.build(n)).reduce(alternative);
      case "repeat":
        return this.repeat(node.body, node.min, node.max);
      case "ref": {
        const body = this.named.get(node.name);
        if (body === undefined || this.expanding.has(node.name)) {
          throw new RegexRefusal(`cannot be checked: backreference \\k<${node.name}>`);
        }
        this.expanding.add(node.name);
        const part = this.build(body); // a possessive X++ as plain X+: never fewer paths
        this.expanding.delete(node.name);
        return part;
      }
    }
  }

  private link(from: Map<number, number>, to: Map<number, number>): void {
    for (const [p, a] of from) {
      const out = this.edges.get(p)!;
      for (const [q, b] of to) out.set(q, add(out.get(q) ?? 0, mul(a, b)));
    }
  }

  private concat(a: Part, b: Part): Part {
    this.link(a.last, b.first);
    return {
      empty: mul(a.empty, b.empty),
      emptyFree: a.emptyFree && b.emptyFree,
      first: merge(a.first, a.empty === 0 ? new Map() : scale(b.first, a.empty)),
      last: merge(b.last, b.empty === 0 ? new Map() : scale(a.last, b.empty)),
      firstFree: a.emptyFree ? union(a.firstFree, b.firstFree) : a.firstFree,
      lastFree: b.emptyFree ? union(b.lastFree, a.lastFree) : b.lastFree,
    };
  }

  /**
   * X{min,max} as min copies, then a loop (max = ∞) or nested optional copies, (X(X)?)?, which
   * reads each count one way, as irregexp's counted loop does. A loop turn that matches "" ends
   * the loop in irregexp, so a loop adds one way to match "" (leaving it), not more.
   */
  private repeat(body: PatternNode, min: number, max: number): Part {
    const lo = Math.min(min, REPEAT_CAP);
    const hi = max > REPEAT_CAP ? Infinity : max;
    const loop = () => {
      const x = this.build(body);
      this.link(x.last, x.first);
      return x;
    };
    const parts: Part[] = [];
    for (let k = 0; k < lo - (hi === Infinity && lo > 0 ? 1 : 0); k++) parts.push(this.build(body));
    if (hi === Infinity) {
      const x = loop();
      parts.push(lo > 0 ? x : { ...x, empty: 1, emptyFree: true });
    } else if (hi > lo) {
      parts.push(this.optionalCopies(body, hi - lo));
    }
    return parts.length === 0
      ? { ...nothing(), empty: 1, emptyFree: true }
      : parts.reduce((a, b) => this.concat(a, b));
  }

  /** (X(X(...)?)?)? with n copies of X. */
  private optionalCopies(body: PatternNode, n: number): Part {
    let x = this.build(body);
    if (n > 1) x = this.concat(x, this.optionalCopies(body, n - 1));
    return { ...x, empty: add(1, x.empty), emptyFree: true };
  }
}

function nothing(): Part {
  return {
    empty: 0,
    emptyFree: false,
    first: new Map(),
    last: new Map(),
    firstFree: new Set(),
    lastFree: new Set(),
  };
}

function alternative(a: Part, b: Part): Part {
  return {
    empty: add(a.empty, b.empty),
    emptyFree: a.emptyFree || b.emptyFree,
    first: merge(a.first, b.first),
    last: merge(a.last, b.last),
    firstFree: union(a.firstFree, b.firstFree),
    lastFree: union(a.lastFree, b.lastFree),
  };
}

function merge(a: Map<number, number>, b: Map<number, number>): Map<number, number> {
  const out = new Map(a);
  for (const [s, n] of b) out.set(s, add(out.get(s) ?? 0, n));
  return out;
}

function scale(a: Map<number, number>, k: number): Map<number, number> {
  return new Map([...a].map(([s, n]) => [s, mul(n, k)]));
}

const union = <T>(a: Set<T>, b: Set<T>) => new Set([...a, ...b]);

/** Tarjan's strongly connected components, without recursion: component id per state. */
export function stronglyConnected(out: [number, number][][]): number[] {
  const n = out.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const component = new Array<number>(n).fill(-1);
  const stack: number[] = [];
  let counter = 0;
  let components = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]]; // state, next edge to look at
    index[root] = low[root] = counter++;
    stack.push(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, k] = frame;
      if (k < out[v]!.length) {
        frame[1]++;
        const w = out[v]![k]![0];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          work.push([w, 0]);
        } else if (component[w] === -1) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.pop()!;
          component[w] = components;
        } while (w !== v);
        components++;
      }
    }
  }
  return component;
}

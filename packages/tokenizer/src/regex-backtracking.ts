// Refusing tokenizer regexes that backtrack catastrophically. JavaScript's regex engine (V8's
// irregexp) is a backtracking matcher: `(a+)+$` on 37 × "a" + "!" tries every way of cutting the
// a's into groups, 2^36 of them, before it gives up — a tokenizer.json with such a Split pattern
// hangs the process on the first long word. Loading a tokenizer runs this check on every pattern
// from the file (pipeline.ts) and refuses the ones that can blow up, naming the file and pattern.
//
// Why a static check and not a linear-time matcher: tokenizer patterns need lookahead (GPT-2's
// `\s+(?!\S)`), which linear-time engines (RE2, V8's experimental one behind a flag) leave out,
// and our own matcher in TypeScript would make encoding several times slower than irregexp for
// patterns that are, in practice, all safe. So we keep irregexp and reject what can blow up.
//
// What blows up (Weideman et al. 2016, "Analyzing matching time behavior of backtracking regular
// expression matchers by using ambiguity of NFA"): a backtracking matcher can only take
// super-linear time per start position where the pattern is ambiguous, where one text can be
// matched along several paths, and it only walks those paths while the match can still fail.
//   exponential  a loop that can go round on the same text in two ways: (a+)+ ("aa" is one
//                turn or two), (a*)*, (a|a)*, (\w+\s?)+ — followed by something that can fail.
//   polynomial   loops in a row that can share the same text: \s*\s*\s*x is O(n^3) per start.
// So we build the pattern's position automaton (Glushkov: one state per character the pattern
// can read, an edge when one can follow another, counting the distinct ways it can) and look for
// both shapes: exponential = two different cycles through one state on the same text (a doubled
// edge inside a strongly connected component, or a pair of states that split apart and meet
// again in the product automaton); polynomial = states p ≠ q with p→p, p→q and q→q all on one
// same text (the triple product). Characters "the same" means their sets intersect
// (code-point-sets.ts), computed exactly from the engine's own Unicode tables.
//
// "While the match can still fail": irregexp stops at the first success. Once a path reaches a
// character after which the rest of the pattern can match the empty string with no assertion in
// the way, the match will succeed from there without backtracking over it. Those states are left
// out of the search. That is why bare (a+)+ or tiktoken's `\p{N}{1,3}+` (a stacked quantifier in
// Oniguruma) pass: nothing after them can fail. `(a+)+$` and `(a+)+x` do not.
//
// Every pattern real tokenizers ship passes (GPT-2, cl100k/Llama 3, o200k, Qwen2, DeepSeek's, the
// digit splits; see test/regex-backtracking.test.ts): their loops never share text with a loop
// that follows them before the pattern can end. The check over-approximates where it must stay
// simple (an assertion counts as "can fail" and "matches nothing"; a lookaround's body is checked
// on its own; a repeat count above 16 counts as unbounded; a possessive X++, emulated with a
// lookahead and a backreference, counts as plain X+), so it may refuse an exotic safe pattern,
// never accept an unsafe one. A pattern too large to check (> 2,000 states, > 32 Unicode-property
// sets to compute, groups nested > 128 deep) is refused as such.
// What it cannot bound: a safe pattern still tries each start position, so a search that fails
// over a whole piece is O(n^2) (`\s+$` on a long run of spaces and a letter); Oniguruma is the same.
// Reference: Weideman, van der Merwe, Berglund, Watson (2016); Allauzen, Mohri, Rastogi (2008),
// "General algorithms for testing the ambiguity of finite automata" (the EDA/IDA tests).

import { CodePointSets } from "./code-point-sets.ts";
import { BOUNDARY_TRANSLATIONS } from "./regex.ts";

/** The parsed pattern: what matters for ambiguity, nothing more. */
type Node =
  | { type: "char"; source: string } // one character from a set, e.g. "[^\\r\\n]"
  | { type: "assert"; oneCharLookahead?: boolean } // ^ $ \b, a lookaround: reads nothing, may fail
  | { type: "empty" }
  | { type: "seq"; items: Node[] }
  | { type: "alt"; options: Node[] }
  | { type: "repeat"; body: Node; min: number; max: number }
  | { type: "ref"; name: string }; // \k<name>: the possessive emulation (?=(?<p>X+))\k<p>

const MAX_GROUP_DEPTH = 128;
const MAX_STATES = 2000;
const MAX_SCANS = 16;
const MAX_STEPS = 200_000;
const REPEAT_CAP = 16;
const MAX_PATHS = 256;

/** Why a pattern is refused, or too big to check. */
class Refusal extends Error {}

/**
 * Undefined when `js` (a pattern from translateRegex) cannot backtrack catastrophically,
 * else the reason, e.g. "can backtrack exponentially: ...".
 */
export function backtrackingProblem(js: string): string | undefined {
  try {
    const parsed = new PatternParser(js).parse();
    const sets = new CodePointSets();
    const budget = { steps: 0 };
    checkAutomaton(parsed.root, parsed.named, "forward", sets, budget);
    for (const look of parsed.lookarounds)
      checkAutomaton(look.body, parsed.named, look.direction, sets, budget);
    return undefined;
  } catch (error) {
    if (error instanceof Refusal) return error.message;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing the JavaScript pattern (`u` mode, as translateRegex writes it)

interface Parsed {
  root: Node;
  /** Named groups' bodies, for \k<name>. */
  named: Map<string, Node>;
  /** Lookaround bodies, each checked as a pattern of its own (a lookbehind runs backwards). */
  lookarounds: { body: Node; direction: "forward" | "backward" }[];
}

class PatternParser {
  private i = 0;
  private readonly named = new Map<string, Node>();
  private readonly lookarounds: Parsed["lookarounds"] = [];

  constructor(private readonly src: string) {}

  parse(): Parsed {
    const root = this.alternation(0);
    if (this.i < this.src.length) throw new Refusal(`cannot be checked: unexpected ")" at ${this.i}`);
    return { root, named: this.named, lookarounds: this.lookarounds };
  }

  private alternation(depth: number): Node {
    const options = [this.sequence(depth)];
    while (this.src[this.i] === "|") {
      this.i++;
      options.push(this.sequence(depth));
    }
    return options.length === 1 ? options[0]! : { type: "alt", options };
  }

  private sequence(depth: number): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      items.push(this.quantified(this.atom(depth)));
    }
    return items.length === 0 ? { type: "empty" } : items.length === 1 ? items[0]! : { type: "seq", items };
  }

  /** An atom and the quantifier after it, if any (lazy or greedy: the same paths). */
  private quantified(atom: Node): Node {
    const q = /^(?:\*|\+|\?|\{(\d+)(,(\d*))?\})\??/.exec(this.src.slice(this.i, this.i + 24));
    if (!q) return atom;
    this.i += q[0].length;
    const c = q[0][0];
    if (c === "*") return { type: "repeat", body: atom, min: 0, max: Infinity };
    if (c === "+") return { type: "repeat", body: atom, min: 1, max: Infinity };
    if (c === "?") return { type: "repeat", body: atom, min: 0, max: 1 };
    const min = Number(q[1]);
    const max = q[2] === undefined ? min : q[3] === "" ? Infinity : Number(q[3]);
    return { type: "repeat", body: atom, min, max };
  }

  private atom(depth: number): Node {
    const src = this.src;
    const start = this.i;
    const c = src[start]!;
    if (c === "(") return this.group(depth);
    if (c === "^" || c === "$") {
      this.i++;
      return { type: "assert" };
    }
    if (c === "[") {
      let k = start + 1;
      while (k < src.length && src[k] !== "]") k += src[k] === "\\" ? 2 : 1;
      this.i = k + 1;
      return { type: "char", source: src.slice(start, this.i) };
    }
    if (c === "\\") {
      const e = src[start + 1] ?? "";
      if (e === "k") {
        const end = src.indexOf(">", start);
        this.i = end + 1;
        return { type: "ref", name: src.slice(start + 3, end) };
      }
      if (/[1-9]/.test(e)) throw new Refusal("cannot be checked: it has a numbered backreference");
      if (e === "b" || e === "B") {
        this.i += 2;
        return { type: "assert" };
      }
      const m =
        /^\\(?:[pP]\{[^}]*\}|x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|c[A-Za-z]|[\s\S])/.exec(
          src.slice(start, start + 64),
        );
      this.i += m ? m[0].length : 2;
      return { type: "char", source: src.slice(start, this.i) };
    }
    const cp = src.codePointAt(start)!;
    this.i += cp > 0xffff ? 2 : 1;
    return { type: "char", source: src.slice(start, this.i) };
  }

  private group(depth: number): Node {
    if (depth >= MAX_GROUP_DEPTH)
      throw new Refusal(`cannot be checked: groups nest deeper than ${MAX_GROUP_DEPTH}`);
    const src = this.src;
    const start = this.i;
    const head = /^\((\?:|\?=|\?!|\?<=|\?<!|\?<([A-Za-z_$][\w$]*)>)?/.exec(src.slice(start, start + 300))!;
    this.i += head[0].length;
    const body = this.alternation(depth + 1);
    if (src[this.i] !== ")") throw new Refusal(`cannot be checked: unbalanced "(" at ${start}`);
    this.i++;
    const text = src.slice(start, this.i);
    const kind = head[1] ?? "(";
    if (BOUNDARY_TRANSLATIONS.has(text)) return { type: "assert" }; // \b or \B: one test, not an alternation
    if (kind === "?=" || kind === "?!" || kind === "?<=" || kind === "?<!") {
      this.lookarounds.push({ body, direction: kind.startsWith("?<") ? "backward" : "forward" });
      return { type: "assert", oneCharLookahead: !kind.startsWith("?<") && body.type === "char" };
    }
    if (head[2] !== undefined) this.named.set(head[2], body);
    // (?:(?![\r\n])[\t-\r ]): lookaheads on the very character a class then reads are one
    // character set (translateRegex writes class intersections this way).
    if (kind === "?:" && body.type === "seq" && isFilteredChar(body.items))
      return { type: "char", source: text };
    return body;
  }
}

/** Lookaheads that test one character, then that character, as in (?:(?![A])(?=[S])[T]). */
function isFilteredChar(items: Node[]): boolean {
  return (
    items.at(-1)!.type === "char" &&
    items.slice(0, -1).every((n) => n.type === "assert" && n.oneCharLookahead)
  );
}

// ---------------------------------------------------------------------------------------------
// The position automaton (Glushkov), with the number of ways each edge can be taken

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

class Automaton {
  readonly sources: string[] = []; // state -> the character set it reads
  readonly edges = new Map<number, Map<number, number>>(); // p -> q -> ways
  private readonly expanding = new Set<string>();

  constructor(private readonly named: Map<string, Node>) {}

  build(node: Node): Part {
    switch (node.type) {
      case "char": {
        const s = this.sources.length;
        if (s >= MAX_STATES) throw new Refusal(`is too large to check (more than ${MAX_STATES} states)`);
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
          throw new Refusal(`cannot be checked: backreference \\k<${node.name}>`);
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
  private repeat(body: Node, min: number, max: number): Part {
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
  private optionalCopies(body: Node, n: number): Part {
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

// ---------------------------------------------------------------------------------------------
// The two searches

function checkAutomaton(
  root: Node,
  named: Map<string, Node>,
  direction: "forward" | "backward",
  sets: CodePointSets,
  budget: { steps: number },
): void {
  const automaton = new Automaton(named);
  const part = automaton.build(root);
  // States after which the match surely succeeds (see the header) are left out: forwards, the
  // rest of the pattern can match "" freely; a lookbehind is matched backwards, from its end.
  const done = direction === "forward" ? part.lastFree : part.firstFree;
  const n = automaton.sources.length;
  const out: [number, number][][] = [];
  for (let p = 0; p < n; p++) {
    const kept = done.has(p) ? [] : [...automaton.edges.get(p)!].filter(([q]) => !done.has(q));
    out.push(kept);
  }
  const component = stronglyConnected(out);
  const overlap = (...states: number[]) => {
    if (sets.scans > MAX_SCANS)
      throw new Refusal(`is too large to check (more than ${MAX_SCANS} character sets)`);
    return sets.overlap(states.map((s) => automaton.sources[s]!));
  };
  const step = () => {
    if (++budget.steps > MAX_STEPS)
      throw new Refusal("is too large to check (the search took too many steps)");
  };
  const insideEdges = out.map((edges, p) => edges.filter(([q]) => component[q] === component[p]));
  const inside = (p: number) => insideEdges[p]!;
  const looping = (p: number) => insideEdges[p]!.length > 0;

  // Exponential, 1: an edge that can be taken two ways, on a cycle.
  for (let p = 0; p < n; p++) {
    if (inside(p).some(([, ways]) => ways > 1)) throw new Refusal(EXPONENTIAL);
  }
  // Exponential, 2: in the product automaton (pairs of states reading the same character), a
  // cycle from a pair (p, p) through some (x, y), x ≠ y: two different cycles p -> p on one text.
  const byComponent = new Map<number, number[]>();
  for (let p = 0; p < n; p++)
    if (looping(p)) byComponent.set(component[p]!, [...(byComponent.get(component[p]!) ?? []), p]);
  for (const states of byComponent.values()) {
    const index = new Map(states.map((s, k) => [s, k]));
    const m = states.length;
    const pairOut: [number, number][][] = [];
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        step();
        const next: [number, number][] = [];
        for (const [x] of inside(states[a]!)) {
          for (const [y] of inside(states[b]!)) {
            step();
            if (x === y || overlap(x, y)) next.push([index.get(x)! * m + index.get(y)!, 1]);
          }
        }
        pairOut.push(next);
      }
    }
    const pairComponent = stronglyConnected(pairOut);
    const diagonal = new Set(states.map((_, a) => pairComponent[a * m + a]!));
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        if (a !== b && diagonal.has(pairComponent[a * m + b]!)) {
          throw new Refusal(EXPONENTIAL);
        }
      }
    }
  }
  // Finite but large: no cycle is ambiguous, yet the ways through the acyclic rest multiply, as
  // in (a?){20}a{20} (2^20 ways to read a^20). Count the paths of the strongly connected
  // components' DAG from the states a match starts at; Tarjan numbers components sinks first.
  const starts = direction === "forward" ? part.first : part.last;
  const paths = new Array<number>(Math.max(...component, -1) + 1).fill(0);
  const exits = new Map<number, [number, number][]>();
  for (let p = 0; p < n; p++) {
    for (const [q, ways] of out[p]!) {
      if (component[q] !== component[p])
        exits.set(component[p]!, [...(exits.get(component[p]!) ?? []), [q, ways]]);
    }
  }
  for (let c = 0; c < paths.length; c++) {
    let sum = 0;
    for (const [q, ways] of exits.get(c) ?? [])
      sum = Math.min(MAX_PATHS + 1, sum + ways * paths[component[q]!]!);
    paths[c] = Math.max(1, sum);
  }
  let total = 0;
  for (const [s, ways] of starts)
    if (!done.has(s)) total = Math.min(MAX_PATHS + 1, total + ways * paths[component[s]!]!);
  if (total > MAX_PATHS) throw new Refusal(TOO_MANY_PATHS);
  // Polynomial: p ≠ q, both on cycles, with p -> p, p -> q and q -> q on one same text: a walk in
  // the triple product from (p, p, q) to (p, q, q).
  const loops = [...byComponent.values()].flat();
  for (const p of loops) {
    for (const q of loops) {
      if (p === q) continue;
      const key = (x: number, y: number, z: number) => (x * n + y) * n + z;
      const seen = new Set([key(p, p, q)]);
      const queue: [number, number, number][] = [[p, p, q]];
      while (queue.length > 0) {
        const [x, y, z] = queue.pop()!;
        for (const [x2] of inside(x)) {
          for (const [y2] of out[y]!) {
            for (const [z2] of inside(z)) {
              step();
              const k = key(x2, y2, z2);
              if (seen.has(k) || !overlap(x2, y2, z2)) continue;
              if (x2 === p && y2 === q && z2 === q) throw new Refusal(POLYNOMIAL);
              seen.add(k);
              queue.push([x2, y2, z2]);
            }
          }
        }
      }
    }
  }
}

const EXPONENTIAL =
  "can backtrack exponentially: a repeated part can match the same text in more than one way, " +
  "and the match can still fail after it (as in (a+)+$)";
const POLYNOMIAL =
  "can backtrack polynomially: repeated parts in a row can match the same text, " +
  "and the match can still fail after them (as in \\s*\\s*\\s*x)";

const TOO_MANY_PATHS =
  `can backtrack through more than ${MAX_PATHS} different ways of matching one text ` +
  "(as in (a?){20}a{20})";

/** Tarjan's strongly connected components, without recursion: component id per state. */
function stronglyConnected(out: [number, number][][]): number[] {
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

// Refusing tokenizer regexes that backtrack catastrophically. JavaScript's regex engine (V8's
// irregexp) is a backtracking matcher: `(a+)+$` on 37 × "a" + "!" tries every way of cutting the
// a's into groups, 2^36 of them, before it gives up, so a tokenizer.json with such a Split pattern
// hangs the process on its first long word. Loading a tokenizer runs this check on every regex
// from the file (pipeline.ts) and refuses the ones that can blow up, naming the file and pattern.
//
// Why a static check and not a linear-time matcher: tokenizer patterns need lookahead (GPT-2's
// `\s+(?!\S)`), which linear-time engines (RE2, V8's experimental one behind a flag) leave out,
// and a matcher of our own in TypeScript would encode several times slower than irregexp for
// patterns that are, in practice, all safe. So irregexp runs them, and we refuse what can blow up.
//
// What blows up (Weideman et al. 2016): a backtracking matcher takes super-linear time per start
// position only where the pattern is ambiguous (one text, several paths through it), and only
// walks those paths while the match can still fail:
//   exponential  a loop that goes round the same text in two ways: (a+)+ ("aa" is one turn or
//                two), (a*)*, (a|a)*, (\w+\s?)+, each followed by something that can fail.
//   polynomial   loops in a row that can share the same text: \s*\s*\s*x is O(n^3) per start.
//   many ways    no loop at fault, but choices multiply: (a?){20}a{20} has 2^20 paths for a^20.
// So we build the pattern's position automaton (regex-automaton.ts) and search it for each shape,
// in the terms of Allauzen, Mohri, Rastogi (2008):
//   EDA  two different cycles through one state on one text: an edge taken two ways inside a
//        strongly connected component, or, in the product automaton (two paths reading the same
//        characters), a cycle from a pair (p, p) through a pair (x, y), x ≠ y;
//   IDA  states p ≠ q on cycles with p→p, p→q and q→q on one text (a walk in the triple product
//        from (p, p, q) to (p, q, q));
//   and, with neither, more than MAX_PATHS paths through the acyclic rest.
// Two states read "the same character" when their sets intersect (code-point-sets.ts: exact, from
// the engine's own Unicode tables).
//
// "While the match can still fail": irregexp stops at the first success. Once a path reads a
// character after which the rest of the pattern matches "" with no assertion in the way, the match
// succeeds from there without backtracking over it, so those states are left out of the search.
// That is why bare (a+)+, or tiktoken's stacked `\p{N}{1,3}+` at the end of an alternative, pass
// (nothing after them can fail) while `(a+)+$` and `(a+)+x` do not.
//
// Every pattern real tokenizers ship passes (GPT-2, cl100k / Llama 3, o200k, Qwen2, DeepSeek's,
// the digit splits: test/regex-backtracking.test.ts). The check over-approximates where it must
// stay simple: an assertion counts as "can fail"; a lookaround's body is checked on its own; a
// repeat count above 16 counts as unbounded; a possessive X++ (translated to a lookahead and a
// backreference) counts as plain X+. So it may refuse an exotic safe pattern, never accept one
// with these shapes. A pattern too large to check (2,000 states, 16 Unicode sets to compute,
// MAX_STEPS steps of search, groups nested 128 deep) is refused as such.
// What no check of the pattern can remove: a search tries every start position, so one that fails
// over a whole piece is O(n^2) even for `\s+$` (a long run of spaces, then a letter). Oniguruma,
// which Hugging Face tokenizers uses, does the same.
// Reference: Weideman, van der Merwe, Berglund, Watson (2016), "Analyzing matching time behavior
// of backtracking regular expression matchers by using ambiguity of NFA"; Allauzen, Mohri,
// Rastogi (2008), "General algorithms for testing the ambiguity of finite automata".

import { CodePointSets } from "./code-point-sets.ts";
import { type PositionAutomaton, positionAutomaton, stronglyConnected } from "./regex-automaton.ts";
import { type PatternNode, parsePattern, RegexRefusal } from "./regex-pattern.ts";

const MAX_SCANS = 16;
const MAX_STEPS = 200_000;
const MAX_PATHS = 256;

const EXPONENTIAL =
  "can backtrack exponentially: a repeated part can match the same text in more than one way, " +
  "and the match can still fail after it (as in (a+)+$)";
const POLYNOMIAL =
  "can backtrack polynomially: repeated parts in a row can match the same text, " +
  "and the match can still fail after them (as in \\s*\\s*\\s*x)";
const MANY_WAYS = `can backtrack through more than ${MAX_PATHS} different ways of matching one text (as in (a?){20}a{20})`;

/**
 * Undefined when `js` (a pattern from translateRegex) cannot backtrack catastrophically, else
 * what completes "the pattern ...": "can backtrack exponentially: ...", "is too large to check ...".
 */
export function backtrackingProblem(js: string): string | undefined {
  try {
    const parsed = parsePattern(js);
    const search = new Search();
    search.check(parsed.root, parsed.named, "forward");
    for (const look of parsed.lookarounds) search.check(look.body, parsed.named, look.direction);
    return undefined;
  } catch (error) {
    if (error instanceof RegexRefusal) return error.message;
    throw error;
  }
}

/** The searches over one automaton, with the budget they share across a pattern's lookarounds. */
class Search {
  private readonly sets = new CodePointSets();
  private steps = 0;
  // The automaton being checked, its kept edges, and each state's strongly connected component.
  private sources: string[] = [];
  private out: [number, number][][] = [];
  private inside: [number, number][][] = [];
  private component: number[] = [];

  check(root: PatternNode, named: Map<string, PatternNode>, direction: "forward" | "backward"): void {
    const automaton = positionAutomaton(root, named);
    // States after which the match surely succeeds are left out (see the header). A lookbehind
    // is matched backwards, so there it is the states before which the rest matches "".
    const done = direction === "forward" ? automaton.lastFree : automaton.firstFree;
    this.sources = automaton.sources;
    this.out = automaton.next.map((edges, p) => (done.has(p) ? [] : edges.filter(([q]) => !done.has(q))));
    this.component = stronglyConnected(this.out);
    this.inside = this.out.map((edges, p) => edges.filter(([q]) => this.component[q] === this.component[p]));
    const loops = new Map<number, number[]>(); // component -> its states, for components with a cycle
    this.inside.forEach((edges, p) => {
      if (edges.length > 0) loops.set(this.component[p]!, [...(loops.get(this.component[p]!) ?? []), p]);
    });

    for (const states of loops.values()) this.exponential(states);
    this.tooManyPaths(automaton, direction, done);
    const onCycles = [...loops.values()].flat();
    for (const p of onCycles) for (const q of onCycles) if (p !== q) this.polynomial(p, q);
  }

  private step(): void {
    if (++this.steps > MAX_STEPS)
      throw new RegexRefusal("is too large to check (the search took too many steps)");
  }

  /** Can these states all read one same character? */
  private overlap(...states: number[]): boolean {
    if (this.sets.scans > MAX_SCANS) {
      throw new RegexRefusal(`is too large to check (more than ${MAX_SCANS} Unicode sets to compare)`);
    }
    return this.sets.overlap(states.map((s) => this.sources[s]!));
  }

  /** EDA within one strongly connected component (its `states`). */
  private exponential(states: number[]): void {
    // An edge that can be taken two ways, on a cycle: (a+)+.
    for (const p of states)
      if (this.inside[p]!.some(([, ways]) => ways > 1)) throw new RegexRefusal(EXPONENTIAL);
    // Pairs (x, y) of states read together; pair k = a * m + b for states[a], states[b].
    const m = states.length;
    const index = new Map(states.map((s, k) => [s, k]));
    const pairOut: [number, number][][] = [];
    for (const x of states) {
      for (const y of states) {
        this.step();
        const next: [number, number][] = [];
        for (const [x2] of this.inside[x]!) {
          for (const [y2] of this.inside[y]!) {
            this.step();
            if (x2 === y2 || this.overlap(x2, y2)) next.push([index.get(x2)! * m + index.get(y2)!, 1]);
          }
        }
        pairOut.push(next);
      }
    }
    const pairComponent = stronglyConnected(pairOut);
    const withDiagonal = new Set(states.map((_, a) => pairComponent[a * m + a]!));
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        if (a !== b && withDiagonal.has(pairComponent[a * m + b]!)) throw new RegexRefusal(EXPONENTIAL);
      }
    }
  }

  /** IDA for one pair: p → p, p → q and q → q on one text, walking (x, y, z) from (p, p, q). */
  private polynomial(p: number, q: number): void {
    const n = this.sources.length;
    const key = (x: number, y: number, z: number) => (x * n + y) * n + z;
    const seen = new Set([key(p, p, q)]);
    const queue: [number, number, number][] = [[p, p, q]];
    while (queue.length > 0) {
      const [x, y, z] = queue.pop()!;
      for (const [x2] of this.inside[x]!) {
        for (const [y2] of this.out[y]!) {
          for (const [z2] of this.inside[z]!) {
            this.step();
            const k = key(x2, y2, z2);
            if (seen.has(k) || !this.overlap(x2, y2, z2)) continue;
            if (x2 === p && y2 === q && z2 === q) throw new RegexRefusal(POLYNOMIAL);
            seen.add(k);
            queue.push([x2, y2, z2]);
          }
        }
      }
    }
  }

  /**
   * With no ambiguous cycle, the paths for one text are bounded by the paths of the components'
   * DAG from where a match starts (inside a component a text has one path). Tarjan numbers the
   * components sinks first, so one pass in that order counts them.
   */
  private tooManyPaths(
    automaton: PositionAutomaton,
    direction: "forward" | "backward",
    done: Set<number>,
  ): void {
    const count = new Array<number>(Math.max(-1, ...this.component) + 1).fill(0);
    const exits: [number, number][][] = count.map(() => []);
    this.out.forEach((edges, p) => {
      for (const [q, ways] of edges)
        if (this.component[q] !== this.component[p]) exits[this.component[p]!]!.push([q, ways]);
    });
    const capped = (sum: number) => Math.min(MAX_PATHS + 1, sum);
    for (let c = 0; c < count.length; c++) {
      count[c] = Math.max(
        1,
        exits[c]!.reduce((sum, [q, ways]) => capped(sum + ways * count[this.component[q]!]!), 0),
      );
    }
    let total = 0;
    for (const [s, ways] of direction === "forward" ? automaton.first : automaton.last) {
      if (!done.has(s)) total = capped(total + ways * count[this.component[s]!]!);
    }
    if (total > MAX_PATHS) throw new RegexRefusal(MANY_WAYS);
  }
}

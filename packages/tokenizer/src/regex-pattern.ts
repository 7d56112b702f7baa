// A JavaScript regex pattern (`u` mode, as translateRegex writes it) parsed into the little tree
// the backtracking check (regex-backtracking.ts) needs: which characters it reads, in which order,
// how often, and where it only tests (^ $ \b, lookarounds). Nothing about captures or flags.
//
//   "(?:\p{L}|x)+$"  ->  seq[ repeat(alt[char "\p{L}", char "x"], 1, ∞), assert ]
//
// Lookaround bodies are kept aside, to be checked as patterns of their own. Two spellings that
// translateRegex produces are read back as what they stand for: its \b / \B (an alternation of
// lookarounds that is one test), and its class intersections, (?:(?![A])[S]), one character set.
// Not here: what is safe (regex-backtracking.ts), which characters a set holds (code-point-sets.ts).

import { BOUNDARY_TRANSLATIONS } from "./regex.ts";

export type PatternNode =
  | { type: "char"; source: string } // one character from a set, e.g. "[^\\r\\n]"
  | { type: "assert"; oneCharLookahead?: boolean } // ^ $ \b, a lookaround: reads nothing, may fail
  | { type: "empty" }
  | { type: "seq"; items: PatternNode[] }
  | { type: "alt"; options: PatternNode[] }
  | { type: "repeat"; body: PatternNode; min: number; max: number } // max: Infinity for * and +
  | { type: "ref"; name: string }; // \k<name>: the possessive emulation (?=(?<p>X+))\k<p>

export interface ParsedPattern {
  root: PatternNode;
  /** Named groups' bodies, for \k<name>. */
  named: Map<string, PatternNode>;
  /** Lookaround bodies, each checked as a pattern of its own (a lookbehind is matched backwards). */
  lookarounds: { body: PatternNode; direction: "forward" | "backward" }[];
}

/** A pattern the check cannot or will not look into; the message completes "the pattern ...". */
export class RegexRefusal extends Error {}

/** Real patterns nest groups 3 or 4 deep; the JSON limit (json-fields.ts) is the same 128. */
const MAX_GROUP_DEPTH = 128;

export function parsePattern(js: string): ParsedPattern {
  return new PatternParser(js).parse();
}

class PatternParser {
  private i = 0;
  private readonly named = new Map<string, PatternNode>();
  private readonly lookarounds: ParsedPattern["lookarounds"] = [];

  constructor(private readonly src: string) {}

  parse(): ParsedPattern {
    const root = this.alternation(0);
    if (this.i < this.src.length) throw new RegexRefusal(`cannot be checked: unexpected ")" at ${this.i}`);
    return { root, named: this.named, lookarounds: this.lookarounds };
  }

  private alternation(depth: number): PatternNode {
    const options = [this.sequence(depth)];
    while (this.src[this.i] === "|") {
      this.i++;
      options.push(this.sequence(depth));
    }
    return options.length === 1 ? options[0]! : { type: "alt", options };
  }

  private sequence(depth: number): PatternNode {
    const items: PatternNode[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      items.push(this.quantified(this.atom(depth)));
    }
    return items.length === 0 ? { type: "empty" } : items.length === 1 ? items[0]! : { type: "seq", items };
  }

  /** An atom and the quantifier after it, if any (lazy or greedy: the same paths). */
  private quantified(atom: PatternNode): PatternNode {
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

  private atom(depth: number): PatternNode {
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
      if (/[1-9]/.test(e)) throw new RegexRefusal("cannot be checked: it has a numbered backreference");
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

  private group(depth: number): PatternNode {
    if (depth >= MAX_GROUP_DEPTH)
      throw new RegexRefusal(`cannot be checked: groups nest deeper than ${MAX_GROUP_DEPTH}`);
    const src = this.src;
    const start = this.i;
    const head = /^\((\?:|\?=|\?!|\?<=|\?<!|\?<([A-Za-z_$][\w$]*)>)?/.exec(src.slice(start, start + 300))!;
    this.i += head[0].length;
    const body = this.alternation(depth + 1);
    if (src[this.i] !== ")") throw new RegexRefusal(`cannot be checked: unbalanced "(" at ${start}`);
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
function isFilteredChar(items: PatternNode[]): boolean {
  return (
    items.at(-1)!.type === "char" &&
    items.slice(0, -1).every((n) => n.type === "assert" && n.oneCharLookahead)
  );
}

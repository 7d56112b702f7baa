// Translate a tokenizer regex written for Oniguruma (the engine Hugging Face tokenizers compiles
// `Split` / `ByteLevel` patterns with) into an equivalent JavaScript RegExp (`u` flag).
//
// What differs, and what we write instead:
//   (?i:'s|'t)     scoped case-insensitivity. Node 20 has no (?i:) groups, so each letter inside
//                  becomes a class of its case variants: 's -> '[sSſ] (Unicode folds ſ, U+017F, to s).
//   X?+  X*+  X++  possessive quantifiers: match greedily, never give back. JS has no atomic
//                  groups, but a lookahead is atomic, so (?=(X+))\1 is exactly X++.
//   X{n,m}+        NOT possessive in Oniguruma's default syntax: a quantifier stacked on another,
//                  i.e. (?:X{n,m})+.
//   \s \S          Oniguruma: Unicode White_Space (includes U+0085 NEL, excludes U+FEFF BOM);
//                  JS \s is the other way round. We spell out the Oniguruma set.
//   \d \D          Oniguruma (Unicode): any decimal digit, \p{Nd}; JS: only 0-9.
//   \w \W          Oniguruma: Unicode word characters, [\p{Alphabetic}\p{M}\p{Nd}\p{Pc}], and
//                  outside a class also ² ³ ¹ ¼ ½ ¾ (its Latin-1 table calls them word characters);
//                  JS: only [A-Za-z0-9_]. "é", "日", "Ⅷ" are word characters, "①" is not.
//   \b \B          boundaries between \w and \W, so Unicode-aware too: lookarounds on that class,
//                  \b = (?:(?<=\w)(?!\w)|(?<!\w)(?=\w)).
//   [^\S\r\n]      a class holding a negated set (\S \W \H). JS `u` classes cannot, so the class
//                  becomes a union (?:[...]|[^S]) or, negated, an intersection (?![\r\n])[S].
//   \h \H          Oniguruma: hexadecimal digit [0-9A-Fa-f] (JS has no \h).
//   \A \z \Z       start of the text, end, end or before a final "\n".
//   .              Oniguruma excludes only "\n"; JS also excludes "\r", U+2028, U+2029.
//   ^  $           Oniguruma: start / end of any line ("\n"); JS without `m`: of the input.
//   \'  \-  ...    identity escapes of punctuation; JS `u` mode rejects most of them.
// Not supported (throws): nested classes / class intersections, backreferences, \G, atomic
// groups. No tokenizer.json we know uses them.
// Every rule above was checked against Hugging Face tokenizers 0.22.2 (Rust, Oniguruma) splits;
// the tests compare with @huggingface/tokenizers, whose own JS translation agrees with it.
// Reference: Oniguruma doc/RE; tiktoken's and Llama 3's pre-tokenizer patterns.

/** Oniguruma's \s: the Unicode White_Space property, as a class body. */
const SPACE_BODY = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
/** Oniguruma's \w inside a class: Unicode word characters. */
const WORD_BODY = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}";
/** ... and outside a class, where its Latin-1 table adds ² ³ ¹ ¼ ½ ¾. */
const WORD = `[${WORD_BODY}\\xb2\\xb3\\xb9\\xbc-\\xbe]`;
const NOT_WORD = `[^${WORD_BODY}\\xb2\\xb3\\xb9\\xbc-\\xbe]`;
const HEX_BODY = "0-9A-Fa-f";

/** Escapes outside a class whose JS spelling is fixed: Oniguruma letter -> JS pattern. */
const ESCAPES: Record<string, string> = {
  s: `[${SPACE_BODY}]`,
  S: `[^${SPACE_BODY}]`,
  d: "\\p{Nd}",
  D: "\\P{Nd}",
  w: WORD,
  W: NOT_WORD,
  h: `[${HEX_BODY}]`,
  H: `[^${HEX_BODY}]`,
  b: `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`,
  B: `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`,
  A: "(?<![\\s\\S])",
  z: "(?![\\s\\S])",
  Z: "(?=\\n?(?![\\s\\S]))",
};

/** How \b and \B come out: each is one test of its position, though written as an alternation. */
export const BOUNDARY_TRANSLATIONS: ReadonlySet<string> = new Set([ESCAPES.b!, ESCAPES.B!]);

/**
 * Escapes inside a class: `body` adds characters to the class; `not` is a set given by its
 * complement (\S is "not SPACE_BODY"), which a JS `u` class cannot hold (see charClass).
 */
const CLASS_ESCAPES: Record<string, { body: string } | { not: string }> = {
  s: { body: SPACE_BODY },
  S: { not: SPACE_BODY },
  d: { body: "\\p{Nd}" },
  D: { body: "\\P{Nd}" },
  w: { body: WORD_BODY },
  W: { not: WORD_BODY },
  h: { body: HEX_BODY },
  H: { not: HEX_BODY },
};

/** Letters whose Unicode case folding reaches beyond the ASCII pair. */
const EXTRA_FOLDS: Record<string, string> = { s: "ſ", k: "\u212a" };

function caseVariants(c: string): string {
  const lower = c.toLowerCase();
  const upper = c.toUpperCase();
  if (lower === upper || lower.length !== 1 || upper.length !== 1) return c;
  return lower + upper + (EXTRA_FOLDS[lower] ?? "");
}

/** Characters JS `u` mode lets you escape outside a class. */
const JS_SYNTAX = new Set("^$\\.*+?()[]{}|/");

export class RegexTranslationError extends Error {}

/** Translate one Oniguruma pattern; the result compiles with `new RegExp(out, "gu")`. */
export function translateRegex(pattern: string): string {
  let out = "";
  let i = 0;
  let atomStart = 0; // where in `out` the atom a following quantifier applies to begins
  let possessiveCount = 0;
  // One entry per open group: where it starts in `out`, and whether it is case-insensitive.
  const groups: { start: number; ci: boolean }[] = [];
  const ci = () => groups.length > 0 && groups[groups.length - 1]!.ci;

  /** Read one escape at pattern[i] === "\\"; returns its JS spelling and advances i. */
  function readEscape(inClass: boolean): string {
    const c = pattern[i + 1];
    if (c === undefined) throw new RegexTranslationError("pattern ends with a lone backslash");
    i += 2;
    if (!inClass && ESCAPES[c] !== undefined) return ESCAPES[c];
    switch (c) {
      case "p":
      case "P": {
        const end = pattern.indexOf("}", i);
        if (pattern[i] !== "{" || end < 0) throw new RegexTranslationError(`malformed \\${c} at ${i - 2}`);
        const body = pattern.slice(i, end + 1);
        i = end + 1;
        return `\\${c}${body}`;
      }
      case "x": {
        if (pattern[i] === "{") {
          const end = pattern.indexOf("}", i);
          const body = pattern.slice(i + 1, end);
          i = end + 1;
          return `\\u{${body}}`;
        }
        const hex = pattern.slice(i, i + 2);
        i += 2;
        return `\\x${hex}`;
      }
      case "u": {
        const hex = pattern.slice(i, i + 4);
        i += 4;
        return `\\u${hex}`;
      }
      case "G":
        throw new RegexTranslationError("\\G is not supported");
      default:
        if (/[0-9]/.test(c) && c !== "0") throw new RegexTranslationError("backreferences are not supported");
        if (/[A-Za-z0-9]/.test(c)) return `\\${c}`; // \n \r \t \0, and [\b] (backspace), mean the same in JS
        if (JS_SYNTAX.has(c) || (inClass && c === "-")) return `\\${c}`;
        return c; // identity escape of punctuation: \' -> '
    }
  }

  /**
   * A class [...] or [^...]. Its items are characters, ranges and escapes, collected into one JS
   * class body, plus the complement sets (\S, \W, \H) that a JS `u` class cannot hold:
   *   [A\S]   = A ∪ ¬S      -> (?:[A]|[^S])
   *   [^A\S]  = ¬A ∩ S      -> (?:(?![A])[S])     e.g. [^\S\r\n]: whitespace but not \r or \n
   */
  function charClass(): string {
    // pattern[i] === "["
    let body = "";
    const complements: string[] = [];
    i++;
    const negated = pattern[i] === "^";
    if (negated) i++;
    if (pattern[i] === "]") {
      body += "\\]";
      i++;
    }
    while (i < pattern.length && pattern[i] !== "]") {
      const c = pattern[i]!;
      if (c === "[") throw new RegexTranslationError("nested character classes are not supported");
      if (c === "&" && pattern[i + 1] === "&")
        throw new RegexTranslationError("class intersection is not supported");
      if (c === "\\") {
        const item = CLASS_ESCAPES[pattern[i + 1] ?? ""];
        if (item === undefined) body += readEscape(true);
        else {
          i += 2;
          if ("body" in item) body += item.body;
          else complements.push(item.not);
        }
      } else {
        const cp = String.fromCodePoint(pattern.codePointAt(i)!);
        i += cp.length;
        const hi = pattern[i] === "-" && pattern[i + 1] !== "]" ? pattern.codePointAt(i + 1) : undefined;
        if (hi !== undefined && pattern[i + 1] !== "\\") {
          // A range: keep it, and under (?i:) add the other case of every character in it.
          i += 1 + String.fromCodePoint(hi).length;
          body += `${cp}-${String.fromCodePoint(hi)}`;
          if (ci()) {
            for (let c = cp.codePointAt(0)!; c <= hi && c < 0x3000; c++) {
              body += caseVariants(String.fromCodePoint(c))
                .slice(1)
                .replace(/[\\\]^-]/g, "\\$&");
            }
          }
        } else body += ci() ? caseVariants(cp) : cp;
      }
    }
    if (pattern[i] !== "]") throw new RegexTranslationError("unterminated character class");
    i++;
    if (complements.length === 0) return `[${negated ? "^" : ""}${body}]`;
    if (!negated) {
      const union = [...(body === "" ? [] : [`[${body}]`]), ...complements.map((set) => `[^${set}]`)];
      return `(?:${union.join("|")})`;
    }
    // ¬(A ∪ ¬S1 ∪ ¬S2) = ¬A ∩ S1 ∩ S2: lookaheads test one code point without consuming it.
    const last = complements.pop()!;
    const tests = [...(body === "" ? [] : [`(?![${body}])`]), ...complements.map((set) => `(?=[${set}])`)];
    return `(?:${tests.join("")}[${last}])`;
  }

  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "(") {
      groups.push({ start: out.length, ci: ci() });
      if (pattern.startsWith("(?i:", i)) {
        groups[groups.length - 1]!.ci = true;
        out += "(?:";
        i += 4;
      } else if (pattern.startsWith("(?-i:", i)) {
        groups[groups.length - 1]!.ci = false;
        out += "(?:";
        i += 5;
      } else if (pattern.startsWith("(?>", i)) {
        throw new RegexTranslationError("atomic groups are not supported");
      } else {
        out += "(";
        i++;
      }
    } else if (c === ")") {
      const group = groups.pop();
      if (!group) throw new RegexTranslationError(`unbalanced ")" at ${i}`);
      out += ")";
      i++;
      atomStart = group.start;
    } else if (c === "?" || c === "*" || c === "+" || c === "{") {
      let quant = c;
      if (c === "{") {
        const end = pattern.indexOf("}", i);
        if (end < 0 || !/^\{\d*,?\d*\}$/.test(pattern.slice(i, end + 1))) {
          // A literal brace, as in Oniguruma.
          atomStart = out.length;
          out += "\\{";
          i++;
          continue;
        }
        quant = pattern.slice(i, end + 1);
        i = end + 1;
      } else {
        i++;
      }
      if (pattern[i] === "?") {
        quant += "?"; // lazy, same in JS
        i++;
      }
      const atom = out.slice(atomStart);
      if (pattern[i] === "+") {
        i++;
        if (c === "{") {
          out = `${out.slice(0, atomStart)}(?:${atom}${quant})+`;
        } else {
          const name = `possessive${possessiveCount++}`;
          out = `${out.slice(0, atomStart)}(?=(?<${name}>${atom}${quant}))\\k<${name}>`;
        }
      } else {
        out += quant;
      }
    } else {
      atomStart = out.length;
      if (c === "\\") out += readEscape(false);
      else if (c === "[") out += charClass();
      else if (c === ".") {
        out += "[^\\n]";
        i++;
      } else if (c === "|") {
        out += c;
        i++;
      } else if (c === "^" || c === "$") {
        out += c === "^" ? "(?<=^|\\n)" : "(?=\\n|$)"; // Oniguruma's ^ and $ are line anchors
        i++;
      } else {
        const cp = String.fromCodePoint(pattern.codePointAt(i)!);
        const variants = ci() ? caseVariants(cp) : cp;
        out += variants.length > 1 ? `[${variants}]` : cp === "/" ? "\\/" : cp;
        i += cp.length;
      }
    }
  }
  if (groups.length > 0) throw new RegexTranslationError("unterminated group");
  return out;
}

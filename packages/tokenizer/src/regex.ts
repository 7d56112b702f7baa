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
//   \d             Oniguruma (Unicode): any decimal digit, \p{Nd}; JS: only 0-9.
//   .              Oniguruma excludes only "\n"; JS also excludes "\r", U+2028, U+2029.
//   ^  $           Oniguruma: start / end of any line ("\n"); JS without `m`: of the input.
//   \'  \-  ...    identity escapes of punctuation; JS `u` mode rejects most of them.
// Not supported (throws): nested classes / class intersections, backreferences, \G, \S inside
// a class. No tokenizer.json we know uses them.
// Reference: Oniguruma doc/RE; tiktoken's and Llama 3's pre-tokenizer patterns.

/** Oniguruma's \s: the Unicode White_Space property, as a class body. */
const SPACE_BODY = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

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
    switch (c) {
      case "s":
        return inClass ? SPACE_BODY : `[${SPACE_BODY}]`;
      case "S":
        if (inClass) throw new RegexTranslationError("\\S inside a character class is not supported");
        return `[^${SPACE_BODY}]`;
      case "d":
        return "\\p{Nd}";
      case "D":
        if (inClass) throw new RegexTranslationError("\\D inside a character class is not supported");
        return "\\P{Nd}";
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
        if (/[A-Za-z0-9]/.test(c)) return `\\${c}`; // \n \r \t \w \b \0 ... mean the same in JS
        if (JS_SYNTAX.has(c) || (inClass && c === "-")) return `\\${c}`;
        return c; // identity escape of punctuation: \' -> '
    }
  }

  function charClass(): string {
    // pattern[i] === "["
    let body = "";
    i++;
    if (pattern[i] === "^") {
      body += "^";
      i++;
    }
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
        body += readEscape(true);
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
    return `[${body}]`;
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

/** @module The scalars of plain-yaml.ts: YAML 1.2 core-schema resolution and one-line quoted strings, as `yaml` reads them. */

/**
 * A plain (unquoted) scalar's value under the YAML 1.2 core schema, tested in the order the `yaml` package's
 * core schema lists its tags (null, bool, octal, decimal and hex int, .inf/.nan, exponent float, float) and
 * resolved as it resolves them (parseInt, parseFloat): `port: 8080` is a number, `on` and `0b1` stay strings.
 */
export function resolvePlain(text: string): unknown {
  const first = text.charCodeAt(0);
  // Most values are names (EXPORT, orcl, HR_): of those beginning with a letter, only null, true and false are not text.
  if (isLetter(first)) {
    if (text.length > 5) return text;
    if (NULL.test(text)) return null;
    return BOOL.test(text) ? first === 0x74 || first === 0x54 : text; // t or T
  }
  if (NULL.test(text)) return null;
  if (INT_OCT.test(text)) return parseInt(text.substring(2), 8);
  if (INT.test(text)) return parseInt(text, 10);
  if (INT_HEX.test(text)) return parseInt(text.substring(2), 16);
  if (FLOAT_NAN.test(text)) {
    if (text.slice(-3).toLowerCase() === 'nan') return NaN;
    return text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (FLOAT_EXP.test(text) || FLOAT.test(text)) return parseFloat(text);
  return text;
}

// The `test` patterns of yaml/dist/schema/core (yaml 2.x): changing one changes what a config means.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** A quoted scalar that ends on its own line: its value and the index just after its closing quote. */
interface Quoted {
  readonly value: string;
  readonly end: number;
}

/**
 * `"…"` from `start` (the opening quote) to its closing quote before `end` (the end of its line). Escapes are read
 * by JSON.parse: JSON's escapes mean the same in YAML 1.2; one that only YAML has (`\x41`, `\ `) makes this undefined.
 */
export function readDoubleQuoted(text: string, start: number, end: number): Quoted | undefined {
  let from = start + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    if (close < 0 || close >= end) return undefined; // goes on to the next line: folding is left to the full parser
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 1) {
      from = close + 1;
      continue;
    }
    const raw = text.slice(start, close + 1);
    if (!raw.includes('\\')) return { value: raw.slice(1, -1), end: close + 1 };
    try {
      return { value: JSON.parse(raw) as string, end: close + 1 };
    } catch {
      return undefined;
    }
  }
}

/** `'…'` from `start` to its closing quote before `end`, `''` standing for one quote. */
export function readSingleQuoted(text: string, start: number, end: number): Quoted | undefined {
  let from = start + 1;
  for (;;) {
    const close = text.indexOf("'", from);
    if (close < 0 || close >= end) return undefined;
    if (close + 1 < end && text[close + 1] === "'") {
      from = close + 2;
      continue;
    }
    return { value: text.slice(start + 1, close).replaceAll("''", "'"), end: close + 1 };
  }
}

/** @module A config written as JSON (which is YAML too) read with JSON.parse, when that reads it exactly as `yaml` would. */

/**
 * The value of `text` when it is a JSON object with no key twice in one object; `undefined` otherwise (not
 * JSON, or a duplicate key, which YAML refuses and JSON.parse would silently resolve to the last one), for the
 * caller to read with `yaml` and report the problem at its line and column.
 *
 * Any JSON text is YAML 1.2 meaning the same: strings, numbers (`yaml` reads them with parseInt and parseFloat,
 * which round as JSON.parse does), true, false, null; a key "__proto__" is an own property either way.
 */
export function parsePlainJson(text: string): unknown {
  let start = 0;
  while (start < text.length && JSON_WHITESPACE.includes(text[start]!)) start++;
  if (text[start] !== '{') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return hasDuplicateKey(text, start) ? undefined : value;
}

const JSON_WHITESPACE = ' \t\n\r';

/** Walks text JSON.parse accepted, keeping the keys of each open object: true at the first key seen twice. */
function hasDuplicateKey(text: string, start: number): boolean {
  // One entry per open object (its keys so far) or array (null).
  const open: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = closingQuote(text, i);
      if (expectKey) {
        const raw = text.slice(i, end + 1);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        const keys = open.at(-1)!;
        if (keys.has(key)) return true;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      open.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      open.push(null);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = open.at(-1) != null;
    }
  }
  return false;
}

/** The index of the quote closing the string that opens at `open` (the text is valid JSON). */
function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return close;
    from = close + 1;
  }
}

/** @module The legacy 19.1 `filter` field: accepted only as a comma-separated list of uppercase names, converted to `IN (…)`. */
import type { Expression } from './expression.js';
import { MAX_NAME_BYTES } from './names.js';

export type FilterResult =
  | { readonly ok: true; readonly expression: Expression }
  | { readonly ok: false; readonly position: number; readonly reason: string };

/*
 * ORDS does not document how it turns `filter` into a Data Pump filter, so the gateway never forwards it: a
 * plain list of names (`HR`, `HR, SALES`) becomes the equivalent `IN ('HR','SALES')`, and anything else is
 * refused rather than guessed at.
 */
export function parseLegacyFilter(text: string, maxListNames: number): FilterResult {
  const names: string[] = [];
  const seen = new Set<string>();
  let count = 0;
  let at = 0;
  const fail = (position: number, reason: string): FilterResult => ({ ok: false, position: position + 1, reason });
  for (;;) {
    while (text[at] === ' ') at += 1;
    const start = at;
    while (at < text.length && /[A-Za-z0-9_$#]/.test(text[at] ?? '')) at += 1;
    const name = text.slice(start, at);
    if (name.length === 0) {
      if (at >= text.length)
        return fail(at, text.trim() === '' ? 'the filter is empty' : 'a name is missing after ","');
      if (text[at] === ',') return fail(at, 'a name is missing before ","');
      return fail(at, 'the filter accepts only a comma-separated list of uppercase names');
    }
    if (!/^[A-Z]/.test(name)) return fail(start, 'a name must start with an uppercase letter');
    if (/[a-z]/.test(name)) {
      return fail(
        start + name.search(/[a-z]/),
        'lowercase letters are not accepted: Oracle stores non-quoted names in uppercase and compares them exactly',
      );
    }
    if (name.length > MAX_NAME_BYTES) return fail(start, `a name may be at most ${MAX_NAME_BYTES} bytes long`);
    if (count === maxListNames) return fail(start, `the filter may hold at most ${maxListNames} names`);
    count += 1;
    if (!seen.has(name)) {
      seen.add(name);
      names.push(name);
    }
    while (text[at] === ' ') at += 1;
    if (at >= text.length) return { ok: true, expression: { kind: 'in', negated: false, names } };
    if (text[at] !== ',') return fail(at, 'the filter accepts only a comma-separated list of uppercase names');
    at += 1;
  }
}

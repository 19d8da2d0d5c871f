/** @module Oracle name rules, grant look-ups and the short, sanitised quotes a violation may carry. */

/** Non-quoted identifiers as the dictionary stores them: uppercase ASCII only, so no case-folding surprises (ß, ı). */
const ORACLE_NAME = /^[A-Z][A-Z0-9_$#]*$/;
export const MAX_NAME_BYTES = 128;
/** Tablespaces (like PDBs and rollback segments) keep the pre-12.2 limit of 30 bytes. */
export const MAX_TABLESPACE_BYTES = 30;

export function isOracleName(value: unknown, maxBytes = MAX_NAME_BYTES): value is string {
  // ASCII-only, so characters and bytes are the same count.
  return typeof value === 'string' && value.length >= 1 && value.length <= maxBytes && ORACLE_NAME.test(value);
}

export const isWildcard = (granted: readonly string[]): boolean => granted.includes('*');

/** Whether `value` is granted: listed exactly, or the list is `['*']`. Comparison is exact, as Oracle's is. */
export function granted(list: readonly string[], value: string): boolean {
  return isWildcard(list) || list.includes(value);
}

/** Keeps details short and printable: attacker text never reaches a problem body or a log line whole. */
export function sanitize(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** A quoted name for a detail; names are validated identifiers, long ones are cut. */
export function quoteName(name: string): string {
  const short = name.length > 30 ? `${name.slice(0, 30)}…` : name;
  return `'${sanitize(short)}'`;
}

/** At most 20 characters around a 1-based position, for "near …" in a detail. */
export function near(text: string, position: number): string {
  const start = Math.max(0, position - 1 - 5);
  const slice = text.slice(start, start + 20);
  return `"${start > 0 ? '…' : ''}${sanitize(slice)}${start + 20 < text.length ? '…' : ''}"`;
}

/** A list of names for a detail: the first few, then a count. */
export function someNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).map(quoteName).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

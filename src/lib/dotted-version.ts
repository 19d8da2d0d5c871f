/**
 * @module Dotted release numbers (`19.4`, `22.3.1`, `24.4.0.345.1601`): parsed into their numeric parts and
 * compared part by part, a missing part counting as 0 (`22.3` = `22.3.0`; `22.10` > `22.9`, unlike a string
 * comparison). Knows nothing of what any release can do.
 */

/** One release number: one to five dot-separated decimal parts (no sign, no leading `v`, no suffix). */
export const DOTTED_VERSION = /^[0-9]{1,9}(\.[0-9]{1,9}){0,4}$/;

export type DottedVersion = readonly number[];

/** The parts of `text`, or undefined when it is not a dotted release number. */
export function parseDottedVersion(text: string): DottedVersion | undefined {
  if (!DOTTED_VERSION.test(text)) return undefined;
  return Object.freeze(text.split('.').map(Number));
}

/** Negative when `a` is older than `b`, 0 when they are the same release, positive when `a` is newer. */
export function compareVersions(a: DottedVersion, b: DottedVersion): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Whether `version` is `since` or newer. */
export function isAtLeast(version: DottedVersion, since: DottedVersion): boolean {
  return compareVersions(version, since) >= 0;
}

/** Parses a release number the program itself wrote (a table, a default): a malformed one is a bug. */
export function dottedVersion(text: string): DottedVersion {
  const parsed = parseDottedVersion(text);
  if (!parsed) throw new TypeError(`not a dotted release number: ${JSON.stringify(text)}`);
  return parsed;
}

/** @module The admin commands' argument rules: times, limits, decisions, tenant ids, intent ids, `OWNER,NAME`, reasons. */
import type { AuditEvent } from '../gateway/store/types.js';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const no = (message: string): Parsed<never> => ({ ok: false, message });

/** A date, or a date and time with its zone (a time without one would be read in the operator's local zone). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const RELATIVE = /^(\d{1,6})(s|m|h|d|w)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `2025-01-15`, `2025-01-15T08:00:00Z`, `…+02:00`, or a time ago: `90m`, `24h`, `7d`, `2w`. As ISO 8601 UTC. */
export function parseTime(text: string, now: Date): Parsed<string> {
  const relative = RELATIVE.exec(text);
  if (relative) {
    const [, amount, unit] = relative as unknown as [string, string, keyof typeof UNIT_MS];
    return ok(new Date(now.getTime() - Number(amount) * UNIT_MS[unit]).toISOString());
  }
  const ms = ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
  // Date.parse accepts 2025-02-30 by rolling over; the round trip of the date part refuses it.
  if (Number.isNaN(ms) || new Date(Date.parse(text.slice(0, 10))).toISOString().slice(0, 10) !== text.slice(0, 10))
    return no(
      `"${printable(text)}" is not a time: write ISO 8601 (2025-01-15, 2025-01-15T08:00:00Z) or an age (24h, 7d)`,
    );
  return ok(new Date(ms).toISOString());
}

export const MAX_LIMIT = 10_000;

export function parseLimit(text: string): Parsed<number> {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT)
    return no(`--limit must be a whole number from 1 to ${MAX_LIMIT}, got "${printable(text)}"`);
  return ok(Number(text));
}

/** `allow`/`deny` (and the stored words `allowed`/`refused`, and `failed`). */
const DECISIONS: ReadonlyMap<string, AuditEvent['decision']> = new Map([
  ['allow', 'allowed'],
  ['allowed', 'allowed'],
  ['deny', 'refused'],
  ['refused', 'refused'],
  ['failed', 'failed'],
]);

export function parseDecision(text: string): Parsed<AuditEvent['decision']> {
  const decision = DECISIONS.get(text);
  return decision ? ok(decision) : no(`--decision must be allow, deny or failed, got "${printable(text)}"`);
}

/** The config schema's rule for tenant ids. */
const TENANT_ID = /^[a-z][a-z0-9-]{0,62}$/;

export function parseTenant(text: string): Parsed<string> {
  return TENANT_ID.test(text) ? ok(text) : no(`--tenant "${printable(text)}" is not a tenant id`);
}

export function parseState(text: string): Parsed<'in-doubt' | 'quarantined'> {
  return text === 'in-doubt' || text === 'quarantined'
    ? ok(text)
    : no(`--state must be in-doubt or quarantined, got "${printable(text)}"`);
}

/** Intent ids are the gateway's own (UUIDs); anything printable up to 200 characters is looked up. */
export function parseIntentId(text: string): Parsed<string> {
  return /^[\x21-\x7e]{1,200}$/.test(text) ? ok(text) : no(`"${printable(text)}" is not an intent id`);
}

/** The public contract's `OwnerName` and `JobName` rule: 1-128 printable, no `,` `/` `"`, spaces inside only. */
const ORDS_NAME =
  // eslint-disable-next-line no-control-regex
  /^[^\s",/\u0000-\u001F\u007F-\u009F](?:[^",/\u0000-\u001F\u007F-\u009F]*[^\s",/\u0000-\u001F\u007F-\u009F])?$/u;

export function parseJob(text: string): Parsed<{ ownerName: string; jobName: string }> {
  const parts = text.split(',');
  const [ownerName, jobName] = parts as [string, string | undefined];
  const valid = (name: string) => [...name].length <= 128 && ORDS_NAME.test(name);
  if (parts.length !== 2 || jobName === undefined || !valid(ownerName) || !valid(jobName))
    return no(
      `--job must be OWNER,NAME (each 1-128 printable characters, no ',', '/' or '"'), got "${printable(text)}"`,
    );
  return ok({ ownerName, jobName });
}

export function parseReason(text: string): Parsed<string> {
  // eslint-disable-next-line no-control-regex
  if (text.trim() === '' || text.length > 1000 || /[\u0000-\u001f\u007f-\u009f]/.test(text))
    return no('--reason must be 1-1000 printable characters on one line');
  return ok(text);
}

/** A value as it may be echoed in a message: control characters (a terminal's escape sequences) shown escaped. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

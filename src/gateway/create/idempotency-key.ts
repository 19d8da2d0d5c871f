/** @module The Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header) and the request's fingerprint. */
import { createHash } from 'node:crypto';

/**
 * The key as the client meant it: the draft's quoted sf-string (`"abc"`) and a bare token (what `curl`
 * users type) name the same key. The contract's pattern has already checked the characters.
 */
export function idempotencyKey(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  return header.length >= 2 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header;
}

/** JSON with object keys sorted, so two equal requests always serialise (and hash) alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 of what the key is about: the database and the canonical request (after policy). Two bodies
 * that mean the same job (`IN ( 'HR' )` and `in ('HR')`) share a fingerprint; anything else does not.
 */
export function requestFingerprint(database: string, canonicalRequest: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ database, request: canonicalRequest }))
    .digest('hex');
}

/** @module The gateway's own entity tag of a job answer: a strong validator of the public body it describes. */
import { createHash } from 'node:crypto';

/**
 * `"<base64url SHA-256 of the body's JSON>"`: the same body gives the same tag on every replica and over time
 * (the 201, its replays, GET); any change of state, outcome or links gives another.
 */
export function bodyEtag(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url')}"`;
}

/** RFC 9110 §13.1.2 `If-None-Match`: `*` or a list of tags, compared weakly (a `W/` prefix is ignored). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** @module What an API key is and how it is stored: random bytes in base64url, kept only as SHA-256 hex. */
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes: as strong as the hash that stores them, so no key is easier to guess than to reverse. */
export const API_KEY_BYTES = 32;

export function generateApiKey(random: (size: number) => Buffer = randomBytes): string {
  return random(API_KEY_BYTES).toString('base64url');
}

/** Lower-case hex SHA-256 of the key's UTF-8 bytes: the form `api_keys[].sha256` holds. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What an `api_keys[].id` may be: it is logged and becomes a /metrics label, so short and plain. */
export const API_KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The id of a key written without one: `key-` and the first 8 hex digits of its hash. Stable (the same hash
 * always gives it), so logs and /metrics name an old config's keys the same way from one start to the next.
 */
export function derivedApiKeyId(sha256: string): string {
  return `key-${sha256.slice(0, 8)}`;
}

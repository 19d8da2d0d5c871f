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

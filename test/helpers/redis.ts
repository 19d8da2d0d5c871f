// Redis for tests: the server's URL and a key prefix unique to the caller, so test files running in parallel never collide.
import { randomBytes } from 'node:crypto';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Every prefix starts with this, so a stray test's keys can be found with SCAN MATCH dpg_test:*. */
export const TEST_REDIS_PREFIX = 'dpg_test:';

/** A fresh prefix such as `dpg_test:rate_limits:5be0c1a2f3d4:`; call once per test file (or per test). */
export function redisKeyPrefix(label = ''): string {
  const tag = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 20);
  return `${TEST_REDIS_PREFIX}${tag ? `${tag}:` : ''}${randomBytes(6).toString('hex')}:`;
}

// Redis for tests: the server's URL and a key prefix unique to the caller, so test files running in parallel never collide.
import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const redacted = (url: string) => url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');

/** Fails (never skips) with a message saying how to get a server, like requirePostgres: its absence is a real failure. */
export async function requireRedis(url = TEST_REDIS_URL): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let socketError: Error | undefined; // connect() itself only says "Connection is closed."
  client.on('error', (err: Error) => (socketError = err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const why = (socketError ?? (err as Error)).message;
    throw new Error(
      `Redis is not reachable at ${redacted(url)} (${why}). ` +
        'Start it (make test starts a private one) or point TEST_REDIS_URL at one; these tests do not skip.',
      { cause: err },
    );
  } finally {
    client.disconnect();
  }
}

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

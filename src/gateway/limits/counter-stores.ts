/** @module Where rate-limit counters live: this process, or Redis shared by every replica, with chosen failure modes. */
import { type ClientRateLimitInfo, MemoryStore, type Options, type Store } from 'express-rate-limit';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type RedisReply, RedisStore } from 'rate-limit-redis';

import { GatewayError } from '../problems/gateway-error.js';

export type LimitClass = 'create' | 'read';

export interface CounterStores {
  /** A fresh store for one limiter (express-rate-limit calls `init` on it with the window). */
  storeFor(kind: LimitClass, windowMs: number): Store;
  /** Resolves when the counters can be reached (always, in memory). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface CounterStoreOptions {
  readonly redisUrl: string | null;
  readonly keyPrefix: string;
  readonly logger: Logger;
  /** Called each time a read falls back to this process's counters because Redis failed. */
  readonly onFallback?: (kind: LimitClass) => void;
  /** Called each time a create is refused because Redis failed. */
  readonly onFailClosed?: (kind: LimitClass) => void;
}

export function createCounterStores({
  redisUrl,
  keyPrefix,
  logger,
  onFallback,
  onFailClosed,
}: CounterStoreOptions): CounterStores {
  if (!redisUrl) {
    return { storeFor: () => new MemoryStore(), ping: async () => {}, close: async () => {} };
  }
  // Fail fast: a command waits for at most one reconnect attempt and one second, never for Redis to come
  // back. (The offline queue stays on so that the first requests after start-up wait for the connection.)
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 1_000 });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'rate-limit store (Redis) error'));
  const sendCommand = (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>;
  return {
    storeFor(kind, windowMs) {
      const prefix = `${keyPrefix}:rl:${kind}:${windowMs}:`;
      const shared = new RebuildingRedisStore(() => new RedisStore({ prefix, sendCommand }));
      // Creates fail closed (503): an export is expensive and moves data. Reads are cheap and are served,
      // counted per process until Redis answers again.
      return kind === 'create'
        ? new FailClosedStore(shared, () => onFailClosed?.(kind))
        : new FallbackStore(shared, new MemoryStore(), (err) => {
            onFallback?.(kind);
            logger.warn({ err: String(err) }, 'rate-limit store failed: reads counted in this process');
          });
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      redis.disconnect();
    },
  };
}

/**
 * rate-limit-redis loads its Lua script once and keeps the promise: if Redis was down at that moment,
 * every later call fails even after Redis is back. After any failure this store starts afresh.
 */
class RebuildingRedisStore implements Store {
  private store: RedisStore | undefined;
  private options: Options | undefined;
  constructor(private readonly make: () => RedisStore) {}
  init(options: Options): void {
    this.options = options;
  }
  private current(): RedisStore {
    if (!this.store) {
      this.store = this.make();
      // init() loads the Lua scripts and rejects when Redis is down. The next increment awaits the same load
      // and fails (and is handled) there; left unhandled here, the rejection would crash the process.
      if (this.options) Promise.resolve(this.store.init(this.options)).catch(() => {});
    }
    return this.store;
  }
  private async guard<T>(fn: (s: RedisStore) => Promise<T>): Promise<T> {
    try {
      return await fn(this.current());
    } catch (err) {
      this.store = undefined;
      throw err;
    }
  }
  increment(key: string): Promise<ClientRateLimitInfo> {
    return this.guard((s) => s.increment(key));
  }
  async decrement(key: string): Promise<void> {
    await this.guard((s) => s.decrement(key));
  }
  async resetKey(key: string): Promise<void> {
    await this.guard((s) => s.resetKey(key));
  }
}

class FailClosedStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly onFailure: () => void,
  ) {}
  // Returned, not dropped: express-rate-limit handles (logs) a rejected init; a wrapper that dropped it would
  // leave an unhandled rejection, which ends the process.
  init(options: Options): void | Promise<void> {
    return this.inner.init?.(options);
  }
  async increment(key: string): Promise<ClientRateLimitInfo> {
    try {
      return await this.inner.increment(key);
    } catch (cause) {
      this.onFailure();
      throw new GatewayError('store-unavailable', {
        detail: 'The rate-limit store is unavailable, so no job can be created right now.',
        headers: { 'Retry-After': '5' },
        cause,
      });
    }
  }
  async decrement(key: string): Promise<void> {
    await Promise.resolve(this.inner.decrement(key)).catch(() => {});
  }
  async resetKey(key: string): Promise<void> {
    await this.inner.resetKey(key);
  }
}

class FallbackStore implements Store {
  constructor(
    private readonly primary: Store,
    private readonly fallback: Store,
    private readonly onFallback: (err: unknown) => void,
  ) {}
  async init(options: Options): Promise<void> {
    // Both are initialised, whatever the other does; the first failure reaches express-rate-limit's handler.
    const [primary, fallback] = await Promise.allSettled([this.primary.init?.(options), this.fallback.init?.(options)]);
    for (const result of [primary, fallback]) if (result.status === 'rejected') throw result.reason;
  }
  async increment(key: string): Promise<ClientRateLimitInfo> {
    try {
      return await this.primary.increment(key);
    } catch (err) {
      this.onFallback(err);
      return this.fallback.increment(key);
    }
  }
  async decrement(key: string): Promise<void> {
    await Promise.resolve(this.primary.decrement(key)).catch(() => this.fallback.decrement(key));
  }
  async resetKey(key: string): Promise<void> {
    await Promise.allSettled([this.primary.resetKey(key), this.fallback.resetKey(key)]);
  }
}

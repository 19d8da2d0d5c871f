// Builds a gateway in-process through the composition root, for supertest, with ORDS behind an undici
// MockAgent or a real URL.
import { pino } from 'pino';
import type { Dispatcher } from 'undici';

import type { JwtVerifier } from '../../src/gateway/auth/jwt-verifier.js';
import { composeGateway } from '../../src/gateway/compose.js';
import type { GatewayConfig } from '../../src/gateway/config/types.js';
import { createMemoryStore } from '../../src/gateway/store/memory.js';
import type { StateStore } from '../../src/gateway/store/types.js';
import { deepFreeze } from '../../src/lib/deep-freeze.js';
import { testConfig } from './gateway-config.js';

export interface TestGatewayOptions {
  readonly config?: GatewayConfig;
  readonly dispatcher?: Dispatcher;
  readonly store?: StateStore;
  readonly now?: () => Date;
  readonly logStream?: { write(line: string): void };
  readonly jwt?: JwtVerifier;
  /** Rate-limit counters in Redis at this URL (else in memory). */
  readonly redisUrl?: string;
  readonly redisKeyPrefix?: string;
}

export function testGateway(options: TestGatewayOptions = {}) {
  const base = options.config ?? testConfig();
  const config: GatewayConfig =
    options.redisUrl || options.redisKeyPrefix
      ? deepFreeze({
          ...base,
          limits: { redisUrl: options.redisUrl ?? null, keyPrefix: options.redisKeyPrefix ?? base.limits.keyPrefix },
        })
      : base;
  const logger = options.logStream ? pino({ level: 'info' }, options.logStream) : pino({ level: 'silent' });
  const store = options.store ?? createMemoryStore();
  const gateway = composeGateway({
    config: { current: () => config },
    logger,
    store,
    defaultMetrics: false,
    holder: 'test',
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.jwt ? { jwt: options.jwt } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const { metrics, upstreams, counters, lifecycle } = gateway.parts;
  return {
    app: gateway.app,
    /** The store as given (unguarded), so tests can read what the gateway wrote. */
    store,
    reconciler: gateway.parts.reconciler,
    /** The job watcher, for a test to run its rounds itself (`runOnce`): no background loop runs here. */
    watcher: gateway.parts.watcher,
    /** The shared reads and waiting long-polls (watch/job-views.ts). */
    views: gateway.parts.views,
    metrics,
    upstreams,
    counters,
    lifecycle,
    // The store is the test's (it may outlive this gateway): only the pools and counters are closed.
    close: async () => {
      await upstreams.close();
      await counters.close();
    },
  };
}

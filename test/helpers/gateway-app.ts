// Builds a gateway app in-process for supertest, with ORDS behind an undici MockAgent or a real URL.
import { pino } from 'pino';
import type { Dispatcher } from 'undici';

import { loadContract } from '../../src/contract/documents.js';
import { createApp } from '../../src/gateway/app.js';
import type { GatewayConfig } from '../../src/gateway/config/types.js';
import { createMemoryJobStore } from '../../src/gateway/jobs/memory-store.js';
import type { JobStore } from '../../src/gateway/jobs/store.js';
import { type CounterStores, createCounterStores } from '../../src/gateway/limits/counter-stores.js';
import { createMetrics } from '../../src/gateway/ops/metrics.js';
import { createUpstreamRegistry } from '../../src/gateway/upstream/registry.js';
import { testConfig } from './gateway-config.js';

export interface TestGatewayOptions {
  readonly config?: GatewayConfig;
  readonly dispatcher?: Dispatcher;
  readonly jobs?: JobStore;
  readonly now?: () => Date;
  readonly logStream?: { write(line: string): void };
  readonly jwt?: import('../../src/gateway/auth/jwt-verifier.js').JwtVerifier;
  /** Rate-limit counters in Redis at this URL (else in memory). */
  readonly redisUrl?: string;
  readonly redisKeyPrefix?: string;
}

const contracts = { public: loadContract('public'), ords: loadContract('ords') };

export function testGateway(options: TestGatewayOptions = {}) {
  const config = options.config ?? testConfig();
  const source = { current: () => config };
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = options.logStream ? pino({ level: 'info' }, options.logStream) : pino({ level: 'silent' });
  const upstreams = createUpstreamRegistry({
    config: source,
    metrics,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const jobs = options.jobs ?? createMemoryJobStore();
  const counters: CounterStores = createCounterStores({
    redisUrl: options.redisUrl ?? null,
    keyPrefix: options.redisKeyPrefix ?? 'dpg-test',
    logger,
    onFallback: (c) => metrics.limitStoreFailures.inc({ class: c, outcome: 'fallback' }),
    onFailClosed: (c) => metrics.limitStoreFailures.inc({ class: c, outcome: 'refused' }),
  });
  const app = createApp({
    config: source,
    logger,
    upstreams,
    jobs,
    metrics,
    contracts,
    counters,
    ...(options.jwt ? { jwt: options.jwt } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    app,
    jobs,
    metrics,
    upstreams,
    counters,
    close: async () => {
      await upstreams.close();
      await counters.close();
    },
  };
}

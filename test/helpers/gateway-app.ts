// Builds a gateway app in-process for supertest, with ORDS behind an undici MockAgent or a real URL.
import { pino } from 'pino';
import type { Dispatcher } from 'undici';
import { loadContract } from '../../src/contract/documents.js';
import { createApp } from '../../src/gateway/app.js';
import type { GatewayConfig } from '../../src/gateway/config/types.js';
import { createMemoryJobStore } from '../../src/gateway/jobs/memory-store.js';
import type { JobStore } from '../../src/gateway/jobs/store.js';
import { createMetrics } from '../../src/gateway/ops/metrics.js';
import { createUpstreamRegistry } from '../../src/gateway/upstream/registry.js';
import { testConfig } from './gateway-config.js';

export interface TestGatewayOptions {
  readonly config?: GatewayConfig;
  readonly dispatcher?: Dispatcher;
  readonly jobs?: JobStore;
  readonly now?: () => Date;
  readonly logStream?: { write(line: string): void };
}

const contracts = { public: loadContract('public'), ords: loadContract('ords') };

export function testGateway(options: TestGatewayOptions = {}) {
  const config = options.config ?? testConfig();
  const source = { current: () => config };
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = options.logStream ? pino({ level: 'info' }, options.logStream) : pino({ level: 'silent' });
  const upstreams = createUpstreamRegistry({ config: source, metrics, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });
  const jobs = options.jobs ?? createMemoryJobStore();
  const app = createApp({ config: source, logger, upstreams, jobs, metrics, contracts, ...(options.now ? { now: options.now } : {}) });
  return { app, jobs, metrics, upstreams, close: () => upstreams.close() };
}

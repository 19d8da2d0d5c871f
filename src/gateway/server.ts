/** @module Starts the gateway: loads nothing itself; takes a validated config, builds the app, listens, shuts down cleanly. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { loadContract } from '../contract/documents.js';
import { createApp, createMetricsApp } from './app.js';
import { createConfigSource } from './config/source.js';
import type { GatewayConfig } from './config/types.js';
import { openJobStore } from './jobs/open-store.js';
import { startRetentionPurge } from './jobs/retention.js';
import type { JobStore } from './jobs/store.js';
import { createCounterStores } from './limits/counter-stores.js';
import { REDACT_PATHS } from './middleware/access-log.js';
import { createMetrics } from './ops/metrics.js';
import { createUpstreamRegistry } from './upstream/registry.js';

export interface StartGatewayOptions {
  readonly config: GatewayConfig;
  readonly logger?: Logger;
  /** Overrides the configured store (tests). */
  readonly jobs?: JobStore;
  /** How long in-flight requests may take to finish on shutdown. */
  readonly shutdownGraceMs?: number;
}

export interface RunningGateway {
  readonly url: string;
  readonly metricsUrl: string | undefined;
  readonly logger: Logger;
  close(): Promise<void>;
}

export function createLogger(level: GatewayConfig['logLevel']): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'datapump-gateway' } });
}

export async function startGateway({ config, logger = createLogger(config.logLevel), jobs: given, shutdownGraceMs = 10_000 }: StartGatewayOptions): Promise<RunningGateway> {
  const source = createConfigSource(config);
  const metrics = createMetrics();
  // Opening the store applies its migrations: a gateway that cannot record jobs does not start.
  const jobs = given ?? await openJobStore(config.store.backend, {
    onConnectionError: (err: Error) => logger.warn({ err: err.message }, 'state store connection lost'),
  });
  const purge = startRetentionPurge({
    store: jobs, retentionMs: config.store.retentionMs, intervalMs: config.store.purgeIntervalMs,
    onPurged: (counts) => logger.info(counts, 'purged records past retention'),
    onError: (err) => logger.warn({ err: String(err) }, 'retention purge failed'),
  });
  const counters = createCounterStores({
    redisUrl: config.limits.redisUrl, keyPrefix: config.limits.keyPrefix, logger,
    onFallback: (c) => metrics.limitStoreFailures.inc({ class: c, outcome: 'fallback' }),
    onFailClosed: (c) => metrics.limitStoreFailures.inc({ class: c, outcome: 'refused' }),
  });
  const upstreams = createUpstreamRegistry({ config: source, metrics });
  const contracts = { public: loadContract('public'), ords: loadContract('ords') };
  const app = createApp({ config: source, logger, upstreams, jobs, metrics, contracts, counters });

  const server = configure(createServer(app), config);
  const url = await listen(server, config.listen.host, config.listen.port);
  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  if (config.metrics.listen) {
    metricsServer = configure(createServer(createMetricsApp({ metrics, token: config.metrics.token })), config);
    metricsUrl = `${await listen(metricsServer, config.metrics.listen.host, config.metrics.listen.port)}/metrics`;
  }
  logger.info({ url, metricsUrl, databases: Object.keys(config.databases), tenants: Object.keys(config.tenants).length }, 'datapump-gateway listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    metricsUrl,
    logger,
    close() {
      closing ??= (async () => {
        await Promise.all([drain(server, shutdownGraceMs), metricsServer ? drain(metricsServer, 1_000) : undefined]);
        await purge.stop();
        await upstreams.close();
        await counters.close();
        await jobs.close();
      })();
      return closing;
    },
  };
}

function configure(server: Server, config: GatewayConfig): Server {
  // Slow-loris and idle-socket protection: Node's own defaults are far more generous.
  server.headersTimeout = config.server.headersTimeoutMs;
  server.requestTimeout = config.server.requestTimeoutMs;
  server.keepAliveTimeout = config.server.keepAliveTimeoutMs;
  return server;
}

function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shownHost}:${address.port}`);
    });
  });
}

/** Stops accepting, lets in-flight requests finish, then cuts whatever is left after the grace period. */
function drain(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => { clearTimeout(timer); resolve(); });
    server.closeIdleConnections();
  });
}

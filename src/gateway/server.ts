/** @module Starts the gateway: loads nothing itself; takes a validated config, builds the app, listens, shuts down cleanly. */
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';

import { type Logger, pino } from 'pino';

import { loadContract } from '../contract/documents.js';
import { createApp, createMetricsApp } from './app.js';
import { createConfigSource, type SwappableConfigSource } from './config/source.js';
import type { GatewayConfig } from './config/types.js';
import { createAuditTrail } from './jobs/audit.js';
import { openJobStore } from './jobs/open-store.js';
import { startRetentionPurge } from './jobs/retention.js';
import type { JobStore } from './jobs/store.js';
import { createCounterStores } from './limits/counter-stores.js';
import { REDACT_PATHS } from './middleware/access-log.js';
import { markShuttingDown } from './ops/health.js';
import { createMetrics } from './ops/metrics.js';
import { createReconciler } from './reliability/reconciler.js';
import { createOrdsContract } from './upstream/ords-contract.js';
import { createUpstreamRegistry } from './upstream/registry.js';

export interface StartGatewayOptions {
  readonly config: GatewayConfig;
  readonly logger?: Logger;
  /** Overrides the configured store (tests). */
  readonly jobs?: JobStore;
  /** Overrides `server.shutdownGraceMs` (read from the current snapshot when shutdown starts). */
  readonly shutdownGraceMs?: number;
}

export interface RunningGateway {
  readonly url: string;
  readonly metricsUrl: string | undefined;
  readonly logger: Logger;
  /** The snapshot holder the app reads from; a reload (`reloadConfig`) swaps it. */
  readonly config: SwappableConfigSource;
  /**
   * Graceful shutdown, once however often it is called: /readyz answers 503, the listeners stop
   * accepting, in-flight requests get the grace period to finish (their answers carry
   * `Connection: close`), whatever is still running is then cut, and the stores are closed. Rejects
   * (after trying every step) when a store failed to close.
   */
  close(): Promise<void>;
  /** Cuts the connections still draining now instead of at the end of the grace period (a second signal). */
  cutConnections(): void;
}

export function createLogger(level: GatewayConfig['logLevel']): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'datapump-gateway' } });
}

export async function startGateway({
  config,
  logger = createLogger(config.logLevel),
  jobs: given,
  shutdownGraceMs,
}: StartGatewayOptions): Promise<RunningGateway> {
  const source = createConfigSource(config);
  const metrics = createMetrics();
  // Opening the store applies its migrations: a gateway that cannot record jobs does not start.
  const jobs =
    given ??
    (await openJobStore(config.store.backend, {
      onConnectionError: (err: Error) => logger.warn({ err: err.message }, 'state store connection lost'),
    }));
  const purge = startRetentionPurge({
    store: jobs,
    retentionMs: config.store.retentionMs,
    intervalMs: config.store.purgeIntervalMs,
    onPurged: (counts) => logger.info(counts, 'purged records past retention'),
    onError: (err) => logger.warn({ err: String(err) }, 'retention purge failed'),
  });
  const counters = createCounterStores({
    redisUrl: config.limits.redisUrl,
    keyPrefix: config.limits.keyPrefix,
    logger,
    onFallback: (c) => metrics.limitStoreFailures.inc({ class: c, outcome: 'fallback' }),
    onFailClosed: (c) => metrics.limitStoreFailures.inc({ class: c, outcome: 'refused' }),
  });
  const upstreams = createUpstreamRegistry({ config: source, metrics });
  const contracts = { public: loadContract('public'), ords: loadContract('ords') };
  const app = createApp({ config: source, logger, upstreams, jobs, metrics, contracts, counters });

  const main = drainable(app, config);
  let metricsServer: Drainable | undefined;
  let url: string;
  let metricsUrl: string | undefined;
  try {
    url = await listen(main.server, config.listen.host, config.listen.port);
    if (config.metrics.listen) {
      metricsServer = drainable(createMetricsApp({ metrics, token: config.metrics.token }), config);
      metricsUrl = `${await listen(metricsServer.server, config.metrics.listen.host, config.metrics.listen.port)}/metrics`;
    }
  } catch (error) {
    // An address in use must not leave the pools and timers open behind it: the process could never exit.
    main.server.close();
    await Promise.allSettled([purge.stop(), upstreams.close(), counters.close()]);
    if (!given) await jobs.close().catch(() => {});
    throw error;
  }
  logger.info(
    { url, metricsUrl, databases: Object.keys(config.databases), tenants: Object.keys(config.tenants).length },
    'datapump-gateway listening',
  );
  // Settles creates left in doubt, by this process or a crashed one: at once, then every interval.
  const reconciler = createReconciler({
    config: source,
    jobs,
    upstreams,
    ordsContract: createOrdsContract(contracts.ords),
    logger,
    registry: metrics.registry,
    audit: createAuditTrail({ jobs, log: logger.child({ log: 'audit' }) }),
    now: () => new Date(),
    holder: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  }).start();

  let closing: Promise<void> | undefined;
  return {
    url,
    metricsUrl,
    logger,
    config: source,
    close() {
      closing ??= (async () => {
        markShuttingDown(app);
        const graceMs = shutdownGraceMs ?? source.current().server.shutdownGraceMs;
        const drained = Promise.all([main.drain(graceMs), metricsServer?.drain(Math.min(graceMs, 1_000))]);
        // Logged once the listeners are closed: from this line on, a new connection is refused.
        logger.info(
          { graceMs, inFlight: main.inFlight() },
          'stopped accepting connections; draining in-flight requests',
        );
        const [{ cut }] = await drained;
        logger.info(
          { cut },
          cut > 0
            ? 'cut the requests still running (grace period over, or a second signal)'
            : 'in-flight requests finished',
        );
        // Upstream pools first (a request cut above aborts its ORDS call), then the stores, each tried
        // even when one before it failed.
        const failures: unknown[] = [];
        for (const [name, step] of [
          ['reconciliation', () => reconciler.stop()],
          ['retention purge', () => purge.stop()],
          ['upstream connections', () => upstreams.close()],
          ['rate-limit counters', () => counters.close()],
          ['job store', () => jobs.close()],
        ] as const) {
          try {
            await step();
          } catch (err) {
            failures.push(err);
            logger.error({ err: err instanceof Error ? err.message : String(err) }, `closing the ${name} failed`);
          }
        }
        if (failures.length > 0) throw new AggregateError(failures, 'the gateway did not shut down cleanly');
        logger.info('datapump-gateway stopped');
      })();
      return closing;
    },
    cutConnections() {
      main.cut();
      metricsServer?.cut();
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

interface Drainable {
  readonly server: Server;
  /** Requests whose answer has not finished yet. */
  inFlight(): number;
  /**
   * Stops accepting, lets in-flight requests finish, then cuts whatever is left after `graceMs`;
   * resolves when every connection is gone, with the number of requests that were cut.
   */
  drain(graceMs: number): Promise<{ cut: number }>;
  /** Cuts every connection now (during a drain: the grace period ends early). */
  cut(): void;
}

/** An HTTP server that knows its in-flight requests, so a shutdown can close their connections behind them. */
function drainable(handler: RequestListener, config: GatewayConfig): Drainable {
  const active = new Set<ServerResponse>();
  let draining = false;
  let cutCount = 0;
  const server = configure(
    createServer((req, res) => {
      // While draining, every answer ends its connection: a keep-alive client must reconnect (elsewhere).
      if (draining) res.setHeader('Connection', 'close');
      active.add(res);
      res.once('close', () => active.delete(res));
      handler(req, res);
    }),
    config,
  );

  function cut(): void {
    cutCount += [...active].filter((res) => !res.writableFinished).length;
    server.closeAllConnections();
  }

  return {
    server,
    inFlight: () => active.size,
    cut,
    drain(graceMs) {
      draining = true;
      for (const res of active) if (!res.headersSent) res.setHeader('Connection', 'close');
      return new Promise((resolve) => {
        const timer = setTimeout(cut, graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve({ cut: cutCount });
        });
        server.closeIdleConnections();
      });
    },
  };
}

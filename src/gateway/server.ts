/**
 * @module Starts the gateway process's servers: opens the store, has the composition root (compose.ts) build
 * everything else, listens, starts the background tasks, and shuts down cleanly. Loads no configuration itself.
 */
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';

import { type Logger, pino } from 'pino';

import { listen } from '../lib/listen.js';
import { composeGateway } from './compose.js';
import { createConfigSource, type SwappableConfigSource } from './config/source.js';
import type { GatewayConfig } from './config/types.js';
import { answerClientErrors } from './http/client-errors.js';
import { REDACT_PATHS } from './middleware/access-log.js';
import { installProcessGuard } from './process-guard.js';
import { openStateStore } from './store/open.js';
import type { StateStore } from './store/types.js';
import type { Tracing } from './tracing/tracing.js';
import type { JobWatcher } from './watch/job-watcher.js';

export interface StartGatewayOptions {
  readonly config: GatewayConfig;
  readonly logger?: Logger;
  /** Overrides the configured store (tests). */
  readonly store?: StateStore;
  /** Overrides `server.shutdownGraceMs` (read from the current snapshot when shutdown starts). */
  readonly shutdownGraceMs?: number;
  /** OpenTelemetry traces (`serve` builds them from `OTEL_*`); shut down, and so flushed, by `close()`. Default: off. */
  readonly tracing?: Tracing;
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
  /**
   * Installs the last-resort handlers of unhandled errors on `process` (process-guard.ts); `onFatal` is called
   * on an uncaught exception and must shut down and exit 1. Returns what removes them.
   */
  guardProcess(onFatal: () => void): () => void;
  /** The job watcher: its loop runs in the background; `runOnce` is a round now (tests, and a caller that must not wait). */
  readonly watcher: Pick<JobWatcher, 'runOnce'>;
}

export function createLogger(level: GatewayConfig['logLevel']): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'datapump-gateway' } });
}

export async function startGateway({
  config,
  logger = createLogger(config.logLevel),
  store: given,
  shutdownGraceMs,
  tracing,
}: StartGatewayOptions): Promise<RunningGateway> {
  const source = createConfigSource(config);
  // Opening the store applies its migrations: a gateway that cannot record jobs does not start.
  const store =
    given ??
    (await openStateStore(config.store.backend, {
      onConnectionError: (err: Error) => logger.warn({ err: err.message }, 'state store connection lost'),
    }));
  const gateway = composeGateway({ config: source, logger, store, ...(tracing ? { tracing } : {}) });

  const main = drainable(gateway.app, config);
  const metricsServer = gateway.metricsApp ? drainable(gateway.metricsApp, config) : undefined;
  // Requests Node's own parser refuses (headers too large, a malformed header line) leave as problem+json too.
  const onClientError = answerClientErrors({
    logger,
    onProblem: (slug) => gateway.parts.metrics.rejections.inc({ reason: slug }),
  });
  main.server.on('clientError', onClientError);
  metricsServer?.server.on('clientError', onClientError);
  let url: string;
  let metricsUrl: string | undefined;
  try {
    url = await listen(main.server, config.listen.port, config.listen.host);
    if (metricsServer && config.metrics.listen) {
      const { host, port } = config.metrics.listen;
      metricsUrl = `${await listen(metricsServer.server, port, host)}/metrics`;
    }
  } catch (error) {
    // An address in use must not leave the pools open behind it: the process could never exit.
    main.server.close();
    metricsServer?.server.close();
    await gateway.close().catch(() => {});
    throw error;
  }
  logger.info(
    { url, metricsUrl, databases: Object.keys(config.databases), tenants: Object.keys(config.tenants).length },
    'datapump-gateway listening',
  );
  gateway.start();

  let closing: Promise<void> | undefined;
  return {
    url,
    metricsUrl,
    logger,
    config: source,
    watcher: gateway.parts.watcher,
    close() {
      closing ??= (async () => {
        gateway.parts.lifecycle.beginShutdown();
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
        await gateway.close();
        logger.info('datapump-gateway stopped');
      })();
      return closing;
    },
    cutConnections() {
      main.cut();
      metricsServer?.cut();
    },
    guardProcess(onFatal) {
      return installProcessGuard({
        process,
        logger,
        requestScope: gateway.parts.requestScope,
        counter: gateway.parts.metrics.unhandledErrors,
        onFatal,
      });
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

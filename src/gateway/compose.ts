/**
 * @module The composition root: builds the gateway's object graph once — contracts, validator, the state
 * store's roles, audit trail, intent journal, create use case, rate limits, the ORDS port, metrics,
 * lifecycle, background tasks — and hands each part what it needs. `createApp` composes the request pipeline from these parts; `startGateway` listens and
 * shuts down. Nothing else in the gateway constructs a shared part.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import type { Express, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';

import { loadContract, type OpenApiDocument } from '../contract/documents.js';
import { createApp, createMetricsApp } from './app.js';
import { createJwtVerifier, type JwtVerifier } from './auth/jwt-verifier.js';
import type { ConfigSource } from './config/types.js';
import { createIntentJournal, type IntentJournal } from './create/journal.js';
import { createReconciler, type Reconciler } from './create/reconcile.js';
import { type CreateJob, createJobUseCase } from './create/use-case.js';
import { type AuditTrail, createAuditTrail } from './jobs/audit.js';
import { type RetentionPurge, startRetentionPurge } from './jobs/retention.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { type CounterStores, createCounterStores } from './limits/counter-stores.js';
import { createDownloadLimits, type DownloadLimits } from './limits/downloads.js';
import { type TenantRateLimits, tenantRateLimits } from './limits/rate-limit.js';
import { createMetrics, type GatewayMetrics, registerApiKeyExpiry } from './ops/metrics.js';
import type { RequestScope } from './process-guard.js';
import { createEndedJobs, type EndedJobs } from './routes/ownership.js';
import { guardStore } from './store/guarded.js';
import type { StateStore } from './store/types.js';
import { TRACING_OFF } from './tracing/settings.js';
import { createTracing, type Tracing } from './tracing/tracing.js';
import { createOrdsContract } from './upstream/ords-contract.js';
import { createOrdsPort, type OrdsPort } from './upstream/ords-port.js';
import { createUpstreamRegistry, type UpstreamRegistry } from './upstream/registry.js';
import { createContractValidator } from './validation/contract-validator.js';
import { createJobViews, type JobViews } from './watch/job-views.js';
import { createJobWatcher, type JobWatcher } from './watch/job-watcher.js';

export interface ComposeOptions {
  /** The snapshot holder every part reads the configuration from (a reload swaps its snapshot). */
  readonly config: ConfigSource;
  readonly logger: Logger;
  /** The state store, already opened (opening applies migrations, which is asynchronous); closed by `close()`. */
  readonly store: StateStore;
  /** Sends every database's ORDS traffic through this dispatcher (tests: an undici MockAgent). */
  readonly dispatcher?: Dispatcher;
  /** Verifies tenants' JWTs; by default made from `jwt` (tests inject one with a fixed clock). */
  readonly jwt?: JwtVerifier;
  readonly now?: () => Date;
  readonly generateRequestId?: () => string;
  /** Where audit events are logged; by default the logger, tagged `log: "audit"`. */
  readonly auditLog?: Logger;
  /** Collect Node's default process metrics (off in tests, where many apps share one process). */
  readonly defaultMetrics?: boolean;
  /** This process's name for the reconciliation lease; by default host, pid and a random part. */
  readonly holder?: string;
  /** OpenTelemetry traces (tracing/tracing.ts), built from the `OTEL_*` variables by `serve`; default: off. */
  readonly tracing?: Tracing;
}

/** Every shared part of one gateway, built once; `createApp` and the background tasks receive these. */
export interface GatewayParts {
  readonly config: ConfigSource;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly lifecycle: Lifecycle;
  readonly contracts: { readonly public: OpenApiDocument; readonly ords: OpenApiDocument };
  /** express-openapi-validator, configured once for the public contract. */
  readonly validator: RequestHandler[];
  /** The state store's roles, guarded: any failure of it is a 503 `store-unavailable`, never a 500. */
  readonly store: StateStore;
  readonly audit: AuditTrail;
  readonly journal: IntentJournal;
  readonly createJob: CreateJob;
  readonly counters: CounterStores;
  readonly limits: TenantRateLimits;
  /** Each tenant's downloads in progress in this process (`concurrent_downloads`). */
  readonly downloads: DownloadLimits;
  /** The ORDS clients with their breakers, retries and bulkheads (readiness probes go through it). */
  readonly upstreams: UpstreamRegistry;
  /** Every Data Pump operation on ORDS, with checked results. */
  readonly ords: OrdsPort;
  readonly reconciler: Reconciler;
  /** Follows every unfinished job to its end (one replica at a time). */
  readonly watcher: JobWatcher;
  /** This replica's shared reads of jobs and the long-polls waiting on them (answered at once on shutdown). */
  readonly views: JobViews;
  /** Ended jobs' records, kept in this process. */
  readonly ended: EndedJobs;
  readonly jwt: JwtVerifier | undefined;
  readonly now: () => Date;
  readonly generateRequestId: (() => string) | undefined;
  /** The request whose code is running, for the last-resort error log (process-guard.ts). */
  readonly requestScope: AsyncLocalStorage<RequestScope>;
  /** Spans of requests, the policy, the store and ORDS calls; off (no SDK) unless `OTEL_*` asked for it. */
  readonly tracing: Tracing;
}

export interface Gateway {
  readonly parts: GatewayParts;
  /** The request pipeline; it does not listen (the server or a test does). */
  readonly app: Express;
  /** `/metrics` alone, for a separate listener (`metrics.listen`); built when configured. */
  readonly metricsApp: Express | undefined;
  /** Starts the background tasks: the retention purge and reconciliation (at once, then every interval). */
  start(): void;
  /**
   * Stops the background tasks and closes the upstream pools, the counters and the store, each tried even
   * when one before it failed; rejects with every failure (each also logged) at the end.
   */
  close(): Promise<void>;
}

export function composeGateway(options: ComposeOptions): Gateway {
  const { config, logger } = options;
  // Settings read once at start-up (a reload that changes them is logged as needing a restart).
  const settings = config.current();
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const contracts = { public: loadContract('public'), ords: loadContract('ords') };
  const store = guardStore(options.store);
  const now = options.now ?? (() => new Date());
  registerApiKeyExpiry(metrics.registry, { config, now, tenantLabel: settings.metrics.tenantLabel });
  // Rate-limit counters in Redis when `limits.redis` is set (shared by replicas), else in this process.
  const counters = createCounterStores({
    redisUrl: settings.limits.redisUrl,
    keyPrefix: settings.limits.keyPrefix,
    logger,
    onFallback: (c) => metrics.limitStoreFailures.inc({ class: c, outcome: 'fallback' }),
    onFailClosed: (c) => metrics.limitStoreFailures.inc({ class: c, outcome: 'refused' }),
  });
  const tracing = options.tracing ?? createTracing({ settings: TRACING_OFF });
  const upstreams = createUpstreamRegistry({
    config,
    metrics,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(tracing.enabled ? { tracing } : {}),
  });
  const ords = createOrdsPort({ upstreams, ordsContract: createOrdsContract(contracts), logger, metrics });
  const audit = createAuditTrail({ log: options.auditLog ?? logger.child({ log: 'audit' }), store: store.audit });
  const journal = createIntentJournal({
    intents: store.intents,
    audit,
    publicUrl: () => config.current().publicUrl,
    outcomes: metrics.createOutcomes,
    provenance: store.provenance,
    onProvenanceError: (err) => logger.error({ err: String(err) }, "an export's file name was not remembered"),
  });
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const views = createJobViews({
    registry: store.registry,
    settings: () => config.current().watch,
    clock: () => now().getTime(),
    onCheckError: (err) => logger.warn({ err: String(err) }, 'a waiting poll could not read the store; it tries again'),
  });
  const lifecycle = createLifecycle();
  lifecycle.onShutdown(() => views.close());
  const watcher = createJobWatcher({
    views,
    config,
    registry: store.registry,
    leases: store.leases,
    provenance: store.provenance,
    ords,
    logger,
    now,
    holder,
    finished: metrics.jobsFinished,
  });
  const parts: GatewayParts = {
    config,
    logger,
    metrics,
    lifecycle,
    contracts,
    validator: createContractValidator({ document: contracts.public, validateResponses: settings.validateResponses }),
    store,
    audit,
    journal,
    createJob: createJobUseCase({
      config,
      ords,
      journal,
      registry: store.registry,
      look: (records) => watcher.look(records),
      provenance: store.provenance,
      audit,
      now,
      tracing,
      logger,
    }),
    counters,
    limits: tenantRateLimits({ stores: counters }),
    downloads: createDownloadLimits(),
    upstreams,
    ords,
    reconciler: createReconciler({
      config,
      journal,
      intents: store.intents,
      registry: store.registry,
      leases: store.leases,
      ords,
      logger,
      outcomes: metrics.reconcile,
      now,
      holder,
    }),
    watcher,
    views,
    ended: createEndedJobs(),
    jwt: options.jwt ?? (settings.jwt ? createJwtVerifier(settings.jwt) : undefined),
    now,
    generateRequestId: options.generateRequestId,
    requestScope: new AsyncLocalStorage<RequestScope>(),
    tracing,
  };

  let tasks:
    | { purge: RetentionPurge; reconciliation: { stop(): Promise<void> }; watching: { stop(): Promise<void> } }
    | undefined;
  let closing: Promise<void> | undefined;

  return {
    parts,
    app: createApp(parts),
    metricsApp: settings.metrics.listen ? createMetricsApp({ metrics, token: settings.metrics.token }) : undefined,
    start() {
      if (tasks) return;
      tasks = {
        purge: startRetentionPurge({
          store: store.retention,
          provenance: { store: store.provenance, keepMs: settings.store.provenanceMs },
          retentionMs: settings.store.retentionMs,
          auditRetentionMs: settings.store.auditRetentionMs,
          intervalMs: settings.store.purgeIntervalMs,
          onPurged: (counts) => logger.info(counts, 'purged records past retention'),
          onError: (err) => logger.warn({ err: String(err) }, 'retention purge failed'),
        }),
        // Settles creates left in doubt, by this process or a crashed one.
        reconciliation: parts.reconciler.start(),
        watching: parts.watcher.start(),
      };
    },
    close() {
      closing ??= closeAll(logger, [
        ['reconciliation', () => tasks?.reconciliation.stop()],
        ['job watcher', () => tasks?.watching.stop()],
        ['retention purge', () => tasks?.purge.stop()],
        // Upstream pools before the stores: a request cut during shutdown aborts its ORDS call first.
        ['upstream connections', () => parts.upstreams.close()],
        ['rate-limit counters', () => counters.close()],
        ['state store', () => options.store.close()],
        // Last: every span has ended by now, and shutting down exports what the batch still holds.
        ['trace exporter', () => tracing.shutdown()],
      ]);
      return closing;
    },
  };
}

async function closeAll(logger: Logger, steps: ReadonlyArray<readonly [string, () => unknown]>): Promise<void> {
  const failures: unknown[] = [];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (err) {
      failures.push(err);
      logger.error({ err: err instanceof Error ? err.message : String(err) }, `closing the ${name} failed`);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'the gateway did not shut down cleanly');
}

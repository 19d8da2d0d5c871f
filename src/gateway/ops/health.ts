/**
 * @module /healthz (the process answers) and /readyz (the gateway can serve: its store answers, and each database's
 * ORDS as `readiness.ords` asks). Readiness is unauthenticated, so it must not be an amplifier: one probe at a time,
 * its result reused for `readiness.cache_ms`, however many callers there are. A database whose circuit breaker is
 * open is not called (`detail: "circuit-open"`); once the breaker's half-open time has come, the readiness probe is
 * the call that tests ORDS (see upstream/resilience.ts).
 */
import { Router } from 'express';

import type { ConfigSource } from '../config/types.js';
import type { Lifecycle } from '../lifecycle.js';
import type { CounterStores } from '../limits/counter-stores.js';
import type { StoreHealth } from '../store/types.js';
import type { UpstreamRegistry } from '../upstream/registry.js';
import { CircuitOpenError } from '../upstream/resilience.js';
import type { GatewayMetrics } from './metrics.js';

export interface HealthOptions {
  readonly config: ConfigSource;
  readonly upstreams: UpstreamRegistry;
  readonly store: StoreHealth;
  /** The rate-limit counters: reported (Redis down refuses every create), never what makes the gateway unready. */
  readonly counters?: CounterStores;
  /** Once shutdown has begun, /readyz answers 503 at once, so a load balancer stops sending. */
  readonly lifecycle: Lifecycle;
  /** `datapump_gateway_dependency_up{dependency}` is set from each probe. */
  readonly metrics?: Pick<GatewayMetrics, 'dependencyUp'>;
  readonly now?: () => number;
}

type Check = { ok: boolean; detail?: string };

interface Readiness {
  readonly ready: boolean;
  readonly body: { status: 'ready' | 'not ready'; ords: 'all' | 'any' | 'none'; checks: Record<string, Check> };
}

export function healthRoutes(options: HealthOptions): Router {
  const { lifecycle } = options;
  const readiness = cachedReadiness(options);
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (lifecycle.shuttingDown) {
      res.status(503).json({ status: 'shutting down', checks: {} });
      return;
    }
    const { ready, body } = await readiness();
    res.status(ready ? 200 : 503).json(body);
  });
  return router;
}

/** One probe in flight at most; a finished result is reused until it is `cache_ms` old. */
function cachedReadiness(options: HealthOptions): () => Promise<Readiness> {
  const now = options.now ?? Date.now;
  let last: { at: number; result: Readiness } | undefined;
  let inFlight: Promise<Readiness> | undefined;
  return () => {
    const { cacheMs } = options.config.current().readiness;
    if (last && now() - last.at < cacheMs) return Promise.resolve(last.result);
    inFlight ??= probeAll(options)
      .then((result) => {
        last = { at: now(), result };
        return result;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

async function probeAll({ config, upstreams, store, counters, metrics }: HealthOptions): Promise<Readiness> {
  const { databases, readiness, limits } = config.current();
  const checks: Record<string, Check> = {};
  const names = Object.keys(databases);
  await Promise.all([
    ...names.map(async (name) => {
      checks[`ords:${name}`] = await probe(() => upstreams.probe(name, 'readiness'));
    }),
    (async () => {
      checks.store = await probe(() => store.ping());
    })(),
    // Redis only when the limits use it (counters in this process cannot be down).
    ...(counters && limits.redisUrl !== null
      ? [
          (async () => {
            const redis = await probe(() => counters.ping());
            // Reported, not gating: reads are counted in this process meanwhile, creates answer 503.
            checks.rate_limits = redis.ok
              ? redis
              : { ok: false, detail: 'down: creates refused, reads counted locally' };
          })(),
        ]
      : []),
  ]);
  for (const [dependency, check] of Object.entries(checks)) metrics?.dependencyUp.set({ dependency }, check.ok ? 1 : 0);
  const ordsUp = names.filter((name) => checks[`ords:${name}`]!.ok).length;
  const ordsReady =
    readiness.ords === 'none' || names.length === 0
      ? true
      : readiness.ords === 'all'
        ? ordsUp === names.length
        : ordsUp > 0;
  // The process can serve while its store answers: without it no job can be created or found.
  const ready = checks.store!.ok && ordsReady;
  return { ready, body: { status: ready ? 'ready' : 'not ready', ords: readiness.ords, checks } };
}

async function probe(fn: () => Promise<void>): Promise<Check> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    // Say what failed, not how: readiness output may be scraped by anyone who can reach it.
    if (err instanceof CircuitOpenError) return { ok: false, detail: err.reason };
    return { ok: false, detail: (err as { slug?: string }).slug ?? 'unreachable' };
  }
}

/**
 * @module /healthz (the process answers) and /readyz (every ORDS answers its metadata catalogue, stores answer).
 * A database whose circuit breaker is open is not ready (`detail: "circuit-open"`) and is not called; once the
 * breaker's half-open time has come, the readiness probe is the call that tests ORDS (see upstream/resilience.ts).
 */
import { Router } from 'express';

import type { ConfigSource } from '../config/types.js';
import type { Lifecycle } from '../lifecycle.js';
import type { CounterStores } from '../limits/counter-stores.js';
import { requestContext } from '../middleware/request-context.js';
import type { StoreHealth } from '../store/types.js';
import type { UpstreamRegistry } from '../upstream/registry.js';
import { CircuitOpenError } from '../upstream/resilience.js';

export interface HealthOptions {
  readonly config: ConfigSource;
  readonly upstreams: UpstreamRegistry;
  readonly store: StoreHealth;
  readonly counters?: CounterStores;
  /** Once shutdown has begun, /readyz answers 503 at once, so a load balancer stops sending. */
  readonly lifecycle: Lifecycle;
}

type Check = { ok: boolean; detail?: string };

export function healthRoutes({ config, upstreams, store, counters, lifecycle }: HealthOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    if (lifecycle.shuttingDown) {
      res.setHeader('Cache-Control', 'no-store');
      res.status(503).json({ status: 'shutting down', checks: {} });
      return;
    }
    const checks: Record<string, Check> = {};
    const probes = Object.keys(config.current().databases).map(async (name) => {
      checks[`ords:${name}`] = await probe(() => upstreams.probe(name, requestContext(req).requestId));
    });
    probes.push(
      (async () => {
        checks.store = await probe(() => store.ping());
      })(),
    );
    // Redis down does not make the gateway unready: reads fall back to local counters, creates answer 503.
    if (counters)
      probes.push(
        (async () => {
          const c = await probe(() => counters.ping());
          if (!c.ok) checks.rate_limits = { ok: true, detail: 'degraded: counters local to this process' };
        })(),
      );
    await Promise.all(probes);
    const ready = Object.values(checks).every((c) => c.ok);
    res.setHeader('Cache-Control', 'no-store');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  return router;
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

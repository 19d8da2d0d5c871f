/**
 * @module /healthz (the process answers) and /readyz (every ORDS answers its metadata catalogue, stores answer).
 * A database whose circuit breaker is open is not ready (`detail: "circuit-open"`) and is not called; once the
 * breaker's half-open time has come, the readiness probe is the call that tests ORDS (see upstream/resilience.ts).
 */
import { Router } from 'express';

import type { ConfigSource } from '../config/types.js';
import type { JobStore } from '../jobs/store.js';
import type { CounterStores } from '../limits/counter-stores.js';
import type { UpstreamRegistry } from '../upstream/registry.js';
import { CircuitOpenError } from '../upstream/resilience.js';

export interface HealthOptions {
  readonly config: ConfigSource;
  readonly upstreams: UpstreamRegistry;
  readonly jobs: JobStore;
  readonly counters?: CounterStores;
}

type Check = { ok: boolean; detail?: string };

/** Apps whose process is shutting down: their /readyz answers 503 at once, so a load balancer stops sending. */
const shuttingDown = new WeakSet<object>();

/** Called by the server when shutdown starts; there is no way back. */
export function markShuttingDown(app: object): void {
  shuttingDown.add(app);
}

export function healthRoutes({ config, upstreams, jobs, counters }: HealthOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    if (shuttingDown.has(req.app)) {
      res.setHeader('Cache-Control', 'no-store');
      res.status(503).json({ status: 'shutting down', checks: {} });
      return;
    }
    const checks: Record<string, Check> = {};
    const probes = Object.keys(config.current().databases).map(async (name) => {
      checks[`ords:${name}`] = await probe(() => upstreams.probe(name, String(req.headers['x-request-id'])));
    });
    probes.push(
      (async () => {
        checks.store = await probe(() => jobs.ping());
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

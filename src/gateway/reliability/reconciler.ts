/** @module Settles creates whose outcome was not known, against ORDS's job list: recover, quarantine or free. */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

import type { ConfigSource, DatabaseConfig } from '../config/types.js';
import type { AuditTrail } from '../jobs/audit.js';
import { gatewayUrls, toPublicJob } from '../jobs/public-job.js';
import type { Intent, JobStore } from '../jobs/store.js';
import type { OrdsContract, OrdsJob } from '../upstream/ords-contract.js';
import { jobKey, jobNameTime, readOrdsJobs } from '../upstream/ords-job-list.js';
import type { UpstreamRegistry } from '../upstream/registry.js';

export interface ReconcilerDeps {
  readonly config: ConfigSource;
  readonly jobs: JobStore;
  readonly upstreams: UpstreamRegistry;
  readonly ordsContract: OrdsContract;
  readonly audit: AuditTrail;
  readonly logger: Logger;
  readonly registry?: Registry;
  readonly now: () => Date;
  /** This process's name for the lease (one replica reconciles at a time). */
  readonly holder: string;
}

export interface ReconcileSummary {
  readonly skipped: boolean;
  readonly recovered: number;
  readonly quarantined: number;
  readonly orphaned: number;
  readonly unsettled: number;
}

const LEASE = 'reconcile';

export function createReconciler(deps: ReconcilerDeps) {
  const outcomes = new Counter({
    name: 'datapump_gateway_reconcile_total',
    help: 'Creates settled by reconciliation: recovered (job found and given to its tenant), quarantined (ambiguous: left for an operator), orphaned (no job: key freed).',
    labelNames: ['outcome'],
    registers: deps.registry ? [deps.registry] : [],
  });

  async function runOnce(): Promise<ReconcileSummary> {
    const now = deps.now();
    const config = deps.config.current();
    const summary = { skipped: false, recovered: 0, quarantined: 0, orphaned: 0, unsettled: 0 };
    if (!(await deps.jobs.tryLease(LEASE, deps.holder, config.reconcile.intervalMs * 3, now.toISOString())))
      return { ...summary, skipped: true };
    try {
      // A pending intent is in flight for at most its create deadline; an older one lost its process.
      const slowest = Math.max(...Object.values(config.databases).map((d) => d.timeouts.createMs));
      // (plus a margin for the recording after the answer and for clock skew between replicas)
      const intents = [
        // Every in-doubt intent, whatever its age (even one a clock slightly ahead of ours wrote).
        ...(await deps.jobs.listIntents(['in-doubt'], '9999-12-31T23:59:59.999Z')),
        ...(await deps.jobs.listIntents(['pending'], new Date(now.getTime() - slowest - 2_000).toISOString())),
      ];
      for (const [name, group] of groupBy(intents, (i) => i.database)) {
        const database = config.databases[name];
        if (!database) {
          summary.unsettled += group.length;
          continue;
        }
        await settle(database, group, now, summary);
      }
    } finally {
      await deps.jobs.releaseLease(LEASE, deps.holder).catch(() => {});
    }
    return summary;
  }

  async function settle(
    database: DatabaseConfig,
    intents: Intent[],
    now: Date,
    summary: { recovered: number; quarantined: number; orphaned: number; unsettled: number },
  ) {
    const config = deps.config.current();
    const unowned: OrdsJob[] = [];
    for (const job of (await readOrdsJobs(deps, database, { requestId: `reconcile-${deps.holder}` })).values()) {
      if (!(await deps.jobs.find(database.name, job.owner_name, job.job_name))) unowned.push(job);
    }
    const window = config.reconcile.matchWindowMs;
    const candidates = new Map(
      intents.map((intent) => {
        const at = Date.parse(intent.createdAt);
        return [
          intent,
          unowned.filter((j) => {
            const t = jobNameTime(j.job_name);
            return (
              j.operation === intent.operation &&
              j.job_mode === intent.jobMode &&
              t !== undefined &&
              Math.abs(t - at) <= window
            );
          }),
        ];
      }),
    );
    const claimedBy = new Map<string, number>();
    for (const list of candidates.values())
      for (const j of list) claimedBy.set(key(j), (claimedBy.get(key(j)) ?? 0) + 1);

    for (const [intent, list] of candidates) {
      if (list.length === 1 && claimedBy.get(key(list[0]!)) === 1) {
        await recover(database, intent, list[0]!, now);
        summary.recovered++;
        outcomes.inc({ outcome: 'recovered' });
      } else if (list.length === 0) {
        if (now.getTime() - Date.parse(intent.createdAt) < config.reconcile.giveUpAfterMs) {
          summary.unsettled++;
          continue;
        }
        await deps.jobs.deleteIntent(intent.id);
        await report(intent, now, 'no job of this request was found in ORDS; the Idempotency-Key is free again');
        summary.orphaned++;
        outcomes.inc({ outcome: 'orphaned' });
      } else {
        // Never guess: two requests could each be the origin of the same job, or one of several.
        await deps.jobs.updateIntent(intent.id, { state: 'quarantined', updatedAt: now.toISOString() });
        await report(
          intent,
          now,
          `quarantined: ${list.length} ORDS jobs could be this request's (${list.map((j) => j.job_name).join(', ')}); an operator must decide`,
        );
        deps.logger.warn({ intent: intent.id, tenant: intent.tenant, candidates: list.map(key) }, 'create quarantined');
        summary.quarantined++;
        outcomes.inc({ outcome: 'quarantined' });
      }
    }
  }

  async function recover(database: DatabaseConfig, intent: Intent, job: OrdsJob, now: Date) {
    const seen = now.toISOString();
    await deps.jobs.record({
      tenant: intent.tenant,
      database: database.name,
      ownerName: job.owner_name,
      jobName: job.job_name,
      operation: job.operation,
      jobMode: job.job_mode,
      principal: intent.principal,
      requestId: intent.requestId,
      canonicalRequest: intent.canonicalRequest,
      createdAt: intent.createdAt,
      lastState: job.state,
      lastSeenAt: seen,
    });
    const urls = gatewayUrls(deps.config.current().publicUrl, database.name);
    const location = urls.job(job.owner_name, job.job_name);
    const answer = {
      status: 201,
      headers: { Location: location, 'Content-Location': location, 'Cache-Control': 'no-store' },
      body: toPublicJob(job, urls),
    };
    await deps.jobs.updateIntent(intent.id, {
      state: 'created',
      updatedAt: seen,
      job: { ownerName: job.owner_name, jobName: job.job_name },
      answer,
    });
    await deps.audit.write({
      at: seen,
      tenant: intent.tenant,
      principal: intent.principal,
      database: database.name,
      requestId: intent.requestId,
      decision: 'allowed',
      status: 201,
      request: intent.canonicalRequest,
      job: { ownerName: job.owner_name, jobName: job.job_name },
    });
    deps.logger.info({ intent: intent.id, tenant: intent.tenant, job: key(job) }, 'create recovered by reconciliation');
  }

  async function report(intent: Intent, now: Date, detail: string) {
    await deps.audit.write({
      at: now.toISOString(),
      tenant: intent.tenant,
      principal: intent.principal,
      database: intent.database,
      requestId: intent.requestId,
      decision: 'failed',
      status: 0,
      request: intent.canonicalRequest,
      violations: [{ detail }],
    });
  }

  /** Runs now, then every interval; one failed round is logged and the next one tries again. */
  function start(): { stop(): Promise<void> } {
    let running: Promise<unknown> = Promise.resolve();
    const tick = () => {
      running = runOnce()
        .then((s) => {
          if (s.recovered + s.quarantined + s.orphaned > 0) deps.logger.info(s, 'reconciliation round');
        })
        .catch((err) => deps.logger.warn({ err: String(err) }, 'reconciliation round failed'));
    };
    tick();
    const timer = setInterval(tick, deps.config.current().reconcile.intervalMs);
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await running;
      },
    };
  }

  return { runOnce, start };
}

const key = (j: OrdsJob) => jobKey(j.owner_name, j.job_name);

function groupBy<T>(items: readonly T[], by: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(by(item), [...(out.get(by(item)) ?? []), item]);
  return out;
}

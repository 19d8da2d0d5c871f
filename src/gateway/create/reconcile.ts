/**
 * @module Reconciliation of creates whose outcome the gateway could not see (in doubt, or pending after their
 * process died): a job is given to a tenant only on evidence unique to that tenant's intent, never guessed.
 *
 * For each such intent: the candidates are ORDS's jobs that no registry record owns, of the intent's
 * operation, owned by the ORDS user the gateway creates jobs as, and named no earlier than the intent (less
 * the match window). Each candidate is read and searched for the intent's evidence token (its dump file
 * names, then its log). Exactly one job showing it → recovered. Several → quarantined. An intent that can
 * have no evidence (an import, a file name the client chose), or for which no job shows it before
 * `give_up_after_ms`, is quarantined too — never freed: Data Pump drops a successful job's control table, so
 * a job that can no longer be seen may still have run, and freeing the key could start it twice.
 */
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';

import type { ConfigSource, DatabaseConfig } from '../config/types.js';
import type { Intent, JobRegistry, Leases } from '../store/types.js';
import { jobNameTime } from '../upstream/job-names.js';
import type { OrdsJob } from '../upstream/ords-contract.js';
import type { CallMeta, OrdsPort } from '../upstream/ords-port.js';
import { type Evidence, findEvidence } from './evidence.js';
import type { IntentJournal } from './journal.js';

export interface ReconcilerDeps {
  readonly config: ConfigSource;
  readonly journal: IntentJournal;
  /** The intents to settle: in doubt, and pending ones older than the slowest create deadline. */
  readonly intents: { list(states: readonly Intent['state'][], createdBefore: string): Promise<readonly Intent[]> };
  readonly registry: JobRegistry;
  readonly leases: Leases;
  readonly ords: OrdsPort;
  readonly logger: Logger;
  /** `datapump_gateway_reconcile_total{outcome}`. */
  readonly outcomes?: Counter<'outcome'>;
  readonly now: () => Date;
  /** This process's name for the lease (one replica reconciles at a time). */
  readonly holder: string;
}

export interface ReconcileSummary {
  readonly skipped: boolean;
  readonly recovered: number;
  readonly quarantined: number;
  readonly unsettled: number;
}

const LEASE = 'reconcile';
/** How much of a candidate's log is searched for the token: a real log ends with the dump file set. */
const MAX_LOG_BYTES = 16 * 1024 * 1024;

export interface Reconciler {
  runOnce(): Promise<ReconcileSummary>;
  /** Runs now, then every interval; one failed round is logged and the next one tries again. */
  start(): { stop(): Promise<void> };
}

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  async function runOnce(): Promise<ReconcileSummary> {
    const now = deps.now();
    const config = deps.config.current();
    const summary = { skipped: false, recovered: 0, quarantined: 0, unsettled: 0 };
    if (!(await deps.leases.tryLease(LEASE, deps.holder, config.reconcile.intervalMs * 3, now.toISOString())))
      return { ...summary, skipped: true };
    try {
      // A pending intent is in flight for at most its create deadline (plus a margin for the recording after
      // the answer and for clock skew between replicas); an older one lost its process.
      const slowest = Math.max(...Object.values(config.databases).map((d) => d.timeouts.createMs));
      const intents = [
        // Every in-doubt intent, whatever its age (even one a clock slightly ahead of ours wrote).
        ...(await deps.intents.list(['in-doubt'], '9999-12-31T23:59:59.999Z')),
        ...(await deps.intents.list(['pending'], new Date(now.getTime() - slowest - 2_000).toISOString())),
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
      await deps.leases.releaseLease(LEASE, deps.holder).catch(() => {});
    }
    return summary;
  }

  async function settle(
    database: DatabaseConfig,
    intents: Intent[],
    now: Date,
    summary: Omit<ReconcileSummary, 'skipped'> & { recovered: number; quarantined: number; unsettled: number },
  ) {
    const config = deps.config.current();
    const meta: CallMeta = { requestId: `reconcile-${deps.holder}` };
    const owners = await gatewayOwners(deps.registry, database);
    const unowned: OrdsJob[] = [];
    for (const job of (await deps.ords.listJobs(database, meta)).values()) {
      if (!(await deps.registry.find(database.name, job.owner_name, job.job_name))) unowned.push(job);
    }
    const quarantine = async (intent: Intent, why: string) => {
      await deps.journal.quarantined(intent, why, 0, now);
      deps.logger.warn({ intent: intent.id, tenant: intent.tenant, why }, 'create quarantined');
      deps.outcomes?.inc({ outcome: 'quarantined' });
      summary.quarantined++;
    };

    for (const intent of intents) {
      if (intent.evidenceToken === null) {
        await quarantine(
          intent,
          'nothing ORDS shows of a job can tie it to this request (an import, or a file name the client chose)',
        );
        continue;
      }
      if (owners.size === 0) {
        await quarantine(
          intent,
          'the gateway does not know which ORDS user it creates jobs as, so no job can be matched',
        );
        continue;
      }
      const earliest = Date.parse(intent.createdAt) - config.reconcile.matchWindowMs;
      const candidates = unowned.filter((job) => {
        const time = jobNameTime(job.job_name, database.timeZone);
        return (
          job.operation.trim() === intent.operation &&
          owners.has(job.owner_name) &&
          (time === undefined || time >= earliest)
        );
      });
      const found: Evidence[] = [];
      for (const job of candidates) {
        const evidence = await findEvidence(
          { ords: deps.ords, database, meta, maxLogBytes: MAX_LOG_BYTES },
          job,
          intent.evidenceToken,
        );
        if (evidence) found.push(evidence);
      }
      if (found.length === 1) {
        const [evidence] = found as [Evidence];
        await deps.journal.recovered(
          intent,
          evidence,
          database,
          now,
          `token ${intent.evidenceToken} seen in the job's ${evidence.seenIn === 'log' ? 'log' : 'dump file names'}`,
        );
        deps.logger.info(
          { intent: intent.id, tenant: intent.tenant, job: `${evidence.job.owner_name},${evidence.job.job_name}` },
          'create recovered by reconciliation',
        );
        deps.outcomes?.inc({ outcome: 'recovered' });
        summary.recovered++;
      } else if (found.length > 1) {
        await quarantine(
          intent,
          `${found.length} ORDS jobs show this request's token (${found.map((e) => e.job.job_name).join(', ')}); an operator must decide`,
        );
      } else if (now.getTime() - Date.parse(intent.createdAt) >= config.reconcile.giveUpAfterMs) {
        await quarantine(
          intent,
          "no ORDS job showing this request's token was found; Data Pump drops a successful job, so it may have run: an operator must decide",
        );
      } else {
        summary.unsettled++;
      }
    }
  }

  return {
    runOnce,
    start() {
      let running: Promise<unknown> = Promise.resolve();
      let stopped = false;
      const tick = () => {
        running = runOnce()
          .then((s) => {
            if (s.recovered + s.quarantined > 0) deps.logger.info(s, 'reconciliation round');
          })
          .catch((err) => deps.logger.warn({ err: String(err) }, 'reconciliation round failed'));
      };
      tick();
      const timer = setInterval(() => {
        if (!stopped) tick();
      }, deps.config.current().reconcile.intervalMs);
      timer.unref();
      return {
        async stop() {
          stopped = true;
          clearInterval(timer);
          await running;
        },
      };
    },
  };
}

/**
 * The ORDS users the gateway creates jobs as on this database: the owners of the jobs it recorded, and, with
 * HTTP Basic, the user it authenticates as (Oracle folds an unquoted user name to upper case).
 */
async function gatewayOwners(registry: JobRegistry, database: DatabaseConfig): Promise<Set<string>> {
  const owners = new Set(await registry.owners(database.name));
  if (database.auth.kind === 'basic') owners.add(database.auth.username.toUpperCase());
  return owners;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

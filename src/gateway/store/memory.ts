/**
 * @module Every role of the state store held in process memory (tests, single-process demos). Each method does
 * its reads and writes without an `await` between them, so every step is atomic within the process.
 */
import {
  type AuditEvent,
  type ClaimResult,
  compareJobs,
  type Intent,
  type IntentState,
  IntentStateConflictError,
  type JobOutcome,
  JobOwnedElsewhereError,
  type JobRecord,
  type QuotaRequest,
  RESERVING_STATES,
  type StateStore,
  TERMINAL_STATES,
  type UnfinishedCursor,
} from './types.js';

const jobKey = (database: string, owner: string, job: string) => `${database}\u0000${owner}\u0000${job}`;

interface StoredEvent {
  readonly seq: number;
  readonly event: AuditEvent;
  readonly aggregateKey: string | null;
  count: number;
}

/** Oldest first, then by job name, then owner (the job watcher's order; ties as in `compareJobs`). */
const oldestFirst = (a: UnfinishedCursor, b: UnfinishedCursor) =>
  a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : compareJobs(a, b);

/** The outcome as the SQL backends give it back: the known keys, an absent optional one absent (not undefined). */
const copyOutcome = ({ result, source, errors, finishedAt }: JobOutcome): JobOutcome => ({
  result,
  source,
  ...(errors === undefined ? {} : { errors }),
  ...(finishedAt === undefined ? {} : { finishedAt }),
});

/** A name's start before its first substitution variable: what any file it can stand for begins with. */
const literalStart = (name: string) => name.split('%')[0]!;

export function createMemoryStore(): StateStore {
  const exported = new Map<string, { tenant: string; database: string; name: string; at: string }>();
  const jobs = new Map<string, JobRecord>();
  const intents = new Map<string, Intent>();
  let audit: StoredEvent[] = [];
  const aggregated = new Map<string, StoredEvent>();
  const leases = new Map<string, { holder: string; until: number }>();
  let seq = 0;

  const byKey = (tenant: string, k: string) =>
    [...intents.values()].find((i) => i.tenant === tenant && i.idempotencyKey === k);
  const unfinished = (j: JobRecord) => !TERMINAL_STATES.has(j.lastState);
  const reserving = (i: Intent, now: string) => RESERVING_STATES.includes(i.state) && i.expiresAt > now;
  const count = <T>(items: Iterable<T>, keep: (item: T) => boolean) => {
    let n = 0;
    for (const item of items) if (keep(item)) n++;
    return n;
  };
  /** Throws unless the intent is in one of `from` (no `from`: anything goes, even no intent). */
  const expectState = (intentId: string, from: readonly IntentState[] | undefined) => {
    if (from === undefined) return;
    const found = intents.get(intentId)?.state;
    if (found === undefined || !from.includes(found)) throw new IntentStateConflictError(intentId, found, from);
  };
  const appendEvent = ({ count: _ignored, ...event }: AuditEvent, aggregateKey: string | null) => {
    // An appended event stands for one attempt whatever it says; only appendAggregated counts more.
    const stored: StoredEvent = { seq: seq++, event, aggregateKey, count: 1 };
    audit.push(stored);
    if (aggregateKey !== null) aggregated.set(aggregateKey, stored);
  };

  /** The first quota the claim would exceed, with what is already held; undefined when it fits. */
  function overQuota(intent: Intent, quota: QuotaRequest): ClaimResult | undefined {
    const { tenant, database } = intent;
    const { now, dayStart } = quota;
    const concurrent =
      count(jobs.values(), (j) => j.tenant === tenant && unfinished(j)) +
      count(intents.values(), (i) => i.tenant === tenant && reserving(i, now));
    if (concurrent >= quota.concurrentJobs)
      return { outcome: 'over-quota', quota: 'concurrent_jobs', count: concurrent };
    const daily =
      count(jobs.values(), (j) => j.tenant === tenant && j.createdAt >= dayStart) +
      count(intents.values(), (i) => i.tenant === tenant && reserving(i, now) && i.createdAt >= dayStart);
    if (daily >= quota.jobsPerDay) return { outcome: 'over-quota', quota: 'daily_jobs', count: daily };
    if (quota.databaseRunningJobs === undefined) return undefined;
    const running =
      count(jobs.values(), (j) => j.database === database && unfinished(j)) +
      count(intents.values(), (i) => i.database === database && reserving(i, now));
    if (running >= quota.databaseRunningJobs)
      return { outcome: 'over-quota', quota: 'database_running_jobs', count: running };
    return undefined;
  }

  return {
    registry: {
      async find(database, owner, job) {
        return jobs.get(jobKey(database, owner, job));
      },
      async listForTenant(tenant, database, { limit, offset }) {
        const mine = [...jobs.values()].filter((j) => j.tenant === tenant && j.database === database).sort(compareJobs);
        return { items: mine.slice(offset, offset + limit), total: mine.length };
      },
      async listForDatabase(database, limit) {
        return [...jobs.values()]
          .filter((j) => j.database === database)
          .sort(compareJobs)
          .slice(0, limit);
      },
      async updateState(database, owner, job, state, seenAt) {
        const k = jobKey(database, owner, job);
        const current = jobs.get(k);
        if (current && current.outcome === null) jobs.set(k, { ...current, lastState: state, lastSeenAt: seenAt });
      },
      async observe(database, owner, job, { state, files, logTail, at }) {
        const k = jobKey(database, owner, job);
        const current = jobs.get(k);
        // A job with an outcome is never changed again; a null files or log tail keeps what was kept.
        if (!current || current.outcome !== null) return;
        jobs.set(k, {
          ...current,
          lastState: state,
          lastSeenAt: at,
          files: files === null ? current.files : [...files],
          logTail: logTail ?? current.logTail,
        });
      },
      async finish(database, owner, job, { state, outcome, files, logTail, at }) {
        const k = jobKey(database, owner, job);
        const current = jobs.get(k);
        if (!current || current.outcome !== null) return;
        jobs.set(k, {
          ...current,
          lastState: state,
          lastSeenAt: at,
          outcome: copyOutcome(outcome),
          files: files === null ? current.files : [...files],
          logTail: logTail ?? current.logTail,
        });
      },
      async listUnfinished(limit, after) {
        return [...jobs.values()]
          .filter((j) => j.outcome === null && (after === undefined || oldestFirst(j, after) > 0))
          .sort(oldestFirst)
          .slice(0, limit);
      },
      async owners(database) {
        const names = new Set([...jobs.values()].filter((j) => j.database === database).map((j) => j.ownerName));
        return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      },
    },

    intents: {
      async claim(intent, quota) {
        let expired: Intent | undefined;
        if (intent.idempotencyKey !== null) {
          const existing = byKey(intent.tenant, intent.idempotencyKey);
          if (existing && existing.expiresAt > intent.createdAt) return { outcome: 'existing', existing };
          expired = existing;
        }
        const refused = overQuota(intent, quota);
        if (refused) return refused;
        if (intents.has(intent.id)) throw new Error(`intent ${intent.id} already exists`);
        if (expired) intents.delete(expired.id);
        intents.set(intent.id, intent);
        return { outcome: 'claimed' };
      },
      async get(tenant, k) {
        return byKey(tenant, k);
      },
      async complete(intentId, { state, at, record, answer, audit: event, from }) {
        expectState(intentId, from);
        const k = jobKey(record.database, record.ownerName, record.jobName);
        const recorded = jobs.get(k);
        if (recorded && recorded.tenant !== record.tenant) throw new JobOwnedElsewhereError(record, recorded.tenant);
        if (!recorded)
          jobs.set(k, record.outcome === null ? record : { ...record, outcome: copyOutcome(record.outcome) });
        const current = intents.get(intentId);
        if (current) {
          const job = { ownerName: record.ownerName, jobName: record.jobName };
          intents.set(intentId, { ...current, state, job, answer, updatedAt: at });
        }
        appendEvent(event, null);
      },
      async transition(intentId, { state, at, audit: event }) {
        const current = intents.get(intentId);
        if (current) intents.set(intentId, { ...current, state, updatedAt: at });
        if (event) appendEvent(event, null);
      },
      async release(intentId, event, from) {
        expectState(intentId, from);
        intents.delete(intentId);
        if (event) appendEvent(event, null);
      },
      async list(states, createdBefore) {
        return [...intents.values()]
          .filter((i) => states.includes(i.state) && i.createdAt < createdBefore)
          .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : 1));
      },
      async find(intentId) {
        return intents.get(intentId);
      },
    },

    audit: {
      async append(event) {
        appendEvent(event, null);
      },
      async appendAggregated(event, aggregateKey) {
        const existing = aggregated.get(aggregateKey);
        if (existing) existing.count += 1;
        else appendEvent(event, aggregateKey);
      },
      async list({ tenant, since, until, decision, limit }) {
        // Newest first by time, then by append order, as the SQL backends list them.
        return audit
          .filter(
            ({ event: e }) =>
              (tenant === undefined || e.tenant === tenant) &&
              (since === undefined || e.at >= since) &&
              (until === undefined || e.at < until) &&
              (decision === undefined || e.decision === decision),
          )
          .sort((a, b) => (a.event.at === b.event.at ? b.seq - a.seq : a.event.at < b.event.at ? 1 : -1))
          .slice(0, limit)
          .map(({ event, count: n }) => (n > 1 ? { ...event, count: n } : event));
      },
    },

    leases: {
      async tryLease(name, holder, ttlMs, now) {
        const at = Date.parse(now);
        const lease = leases.get(name);
        if (lease && lease.holder !== holder && lease.until > at) return false;
        leases.set(name, { holder, until: at + ttlMs });
        return true;
      },
      async releaseLease(name, holder) {
        if (leases.get(name)?.holder === holder) leases.delete(name);
      },
    },

    retention: {
      async purgeOlderThan(cutoff, auditCutoff = cutoff) {
        let purged = 0;
        // Only finished jobs: one still running past the retention period keeps counting towards its quota.
        for (const [k, j] of jobs)
          if (j.createdAt < cutoff && !unfinished(j)) {
            jobs.delete(k);
            purged++;
          }
        const before = audit.length;
        audit = audit.filter((e) => e.event.at >= auditCutoff);
        for (const [k, e] of aggregated) if (e.event.at < auditCutoff) aggregated.delete(k);
        // Settled intents whose key has expired; reserving ones stay until settled.
        for (const [id, i] of intents)
          if ((i.state === 'created' || i.state === 'recovered') && i.expiresAt < cutoff) intents.delete(id);
        return { jobs: purged, audit: before - audit.length };
      },
    },

    provenance: {
      async record({ tenant, database, name, at }) {
        const key = `${tenant}\u0000${name}`;
        if (!exported.has(key)) exported.set(key, { tenant, database, name, at });
      },
      async candidates(tenant, fileName) {
        return [...exported.values()]
          .filter((e) => e.tenant === tenant && fileName.startsWith(literalStart(e.name)))
          .map((e) => e.name)
          .sort();
      },
      async purgeOlderThan(cutoff) {
        let n = 0;
        for (const [k, e] of exported)
          if (e.at < cutoff) {
            exported.delete(k);
            n++;
          }
        return n;
      },
    },

    health: { async ping() {} },

    async close() {
      jobs.clear();
      intents.clear();
      audit = [];
      aggregated.clear();
      leases.clear();
    },
  };
}

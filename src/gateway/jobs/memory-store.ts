/** @module The job registry held in process memory (tests, single-process demos). */
import { type AuditEvent, compareJobs, type Intent, type JobRecord, type JobStore, TERMINAL_STATES } from './store.js';

const key = (database: string, owner: string, job: string) => `${database}\u0000${owner}\u0000${job}`;

export function createMemoryJobStore(): JobStore {
  const jobs = new Map<string, JobRecord>();
  let audit: AuditEvent[] = [];
  const intents = new Map<string, Intent>();
  const leases = new Map<string, { holder: string; until: number }>();
  const byKey = (tenant: string, k: string) =>
    [...intents.values()].find((i) => i.tenant === tenant && i.idempotencyKey === k);
  return {
    async claimIntent(intent) {
      if (intent.idempotencyKey !== null) {
        const existing = byKey(intent.tenant, intent.idempotencyKey);
        if (existing && existing.expiresAt > intent.createdAt) return { claimed: false, existing };
        if (existing) intents.delete(existing.id);
      }
      intents.set(intent.id, intent);
      return { claimed: true };
    },
    async getIntent(tenant, k) {
      return byKey(tenant, k);
    },
    async updateIntent(id, patch) {
      const current = intents.get(id);
      if (current) intents.set(id, { ...current, ...patch });
    },
    async deleteIntent(id) {
      intents.delete(id);
    },
    async listIntents(states, createdBefore) {
      return [...intents.values()]
        .filter((i) => states.includes(i.state) && i.createdAt < createdBefore)
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    },
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
    async record(job) {
      jobs.set(key(job.database, job.ownerName, job.jobName), job);
    },
    async find(database, owner, job) {
      return jobs.get(key(database, owner, job));
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
      const k = key(database, owner, job);
      const current = jobs.get(k);
      if (current) jobs.set(k, { ...current, lastState: state, lastSeenAt: seenAt });
    },
    async countActiveJobs(tenant) {
      return [...jobs.values()].filter((j) => j.tenant === tenant && !TERMINAL_STATES.has(j.lastState)).length;
    },
    async countJobsCreatedSince(tenant, since) {
      return [...jobs.values()].filter((j) => j.tenant === tenant && j.createdAt >= since).length;
    },
    async appendAudit(event) {
      audit.push(event);
    },
    async listAudit({ tenant, limit }) {
      // Newest first by time, then by append order, as the SQL stores list them.
      const indexed = audit.map((e, i) => ({ e, i })).filter(({ e }) => tenant === undefined || e.tenant === tenant);
      indexed.sort((a, b) => (a.e.at === b.e.at ? b.i - a.i : a.e.at < b.e.at ? 1 : -1));
      return indexed.slice(0, limit).map(({ e }) => e);
    },
    async purgeOlderThan(cutoff) {
      let purged = 0;
      // Only finished jobs: one still running past the retention period keeps counting towards its quota.
      for (const [k, j] of jobs)
        if (j.createdAt < cutoff && TERMINAL_STATES.has(j.lastState)) {
          jobs.delete(k);
          purged++;
        }
      const before = audit.length;
      audit = audit.filter((e) => e.at >= cutoff);
      // Settled intents whose key has expired; pending, in-doubt and quarantined ones stay until settled.
      for (const [id, i] of intents) if (i.state === 'created' && i.expiresAt < cutoff) intents.delete(id);
      return { jobs: purged, audit: before - audit.length };
    },
    async ping() {},
    async close() {
      jobs.clear();
      audit = [];
    },
  };
}

/** @module The job registry held in process memory (tests, single-process demos). */
import { compareJobs, type JobRecord, type JobStore } from './store.js';

const key = (database: string, owner: string, job: string) => `${database}\u0000${owner}\u0000${job}`;

export function createMemoryJobStore(): JobStore {
  const jobs = new Map<string, JobRecord>();
  return {
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
    async updateState(database, owner, job, state, seenAt) {
      const k = key(database, owner, job);
      const current = jobs.get(k);
      if (current) jobs.set(k, { ...current, lastState: state, lastSeenAt: seenAt });
    },
    async ping() {},
    async close() { jobs.clear(); },
  };
}

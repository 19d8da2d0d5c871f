/** @module Object-level authorisation: a tenant reaches only the jobs it created, unless granted every job. */
import { LRUCache } from 'lru-cache';

import type { TenantConfig } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { JobRecord, JobRegistry } from '../store/types.js';
import { jobKeyOf } from '../watch/job-views.js';

/**
 * The record, when the tenant may see the job it describes. Throws `job-not-found` — the same answer as for a job
 * that does not exist, and before ORDS is called — when it may not.
 */
export function authorised(tenant: TenantConfig, record: JobRecord | undefined): JobRecord | undefined {
  if (tenant.grants.allJobs) return record;
  if (!record || record.tenant !== tenant.id) throw new GatewayError('job-not-found', { detail: 'No such job.' });
  return record;
}

/** The registry's record of the job when the tenant may see it (`authorised`), read from the store. */
export async function ownedJob(
  jobs: JobRegistry,
  tenant: TenantConfig,
  database: string,
  owner: string,
  job: string,
): Promise<JobRecord | undefined> {
  return authorised(tenant, await jobs.find(database, owner, job));
}

/** Ended jobs' records, kept in this process: a poll of a job that ended reads neither the store nor ORDS. */
export interface EndedJobs {
  get(database: string, owner: string, job: string): JobRecord | undefined;
  /** Kept only when it has an outcome: the registry never changes a record once it has one. */
  remember(record: JobRecord): void;
}

/**
 * Positive entries only (a job not in the registry is always looked up), bounded in number, and each for at most
 * `ttlMs`: the retention purge may delete a record, and a purged job must stop answering soon after.
 */
export function createEndedJobs({
  max = 10_000,
  ttlMs = 10 * 60_000,
}: { max?: number; ttlMs?: number } = {}): EndedJobs {
  const cache = new LRUCache<string, JobRecord>({ max, ttl: ttlMs });
  return {
    get: (database, owner, job) => cache.get(jobKeyOf(database, owner, job)),
    remember(record) {
      if (record.outcome) cache.set(jobKeyOf(record.database, record.ownerName, record.jobName), record);
    },
  };
}

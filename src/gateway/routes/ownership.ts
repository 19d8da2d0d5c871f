/** @module Object-level authorisation: a tenant reaches only the jobs it created, unless granted every job. */
import type { TenantConfig } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { JobRecord, JobRegistry } from '../store/types.js';

/**
 * The registry's record of the job when the tenant may see it. Throws `job-not-found` — the same
 * answer as for a job that does not exist, and before ORDS is called — when it may not.
 */
export async function ownedJob(
  jobs: JobRegistry,
  tenant: TenantConfig,
  database: string,
  owner: string,
  job: string,
): Promise<JobRecord | undefined> {
  const record = await jobs.find(database, owner, job);
  if (tenant.grants.allJobs) return record;
  if (!record || record.tenant !== tenant.id) throw new GatewayError('job-not-found', { detail: 'No such job.' });
  return record;
}

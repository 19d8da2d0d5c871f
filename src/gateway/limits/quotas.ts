/** @module Job quotas per tenant: jobs running at once and jobs per UTC day, counted from the registry. */
import type { TenantConfig } from '../config/types.js';
import type { JobStore } from '../jobs/store.js';
import { GatewayError } from '../problems/gateway-error.js';

export interface QuotaCheck {
  readonly tenant: TenantConfig;
  readonly jobs: JobStore;
  readonly now: Date;
  /** Brings the registry's view of the tenant's running jobs up to date from ORDS (called only when over). */
  readonly refreshActive: () => Promise<void>;
}

/** Throws `quota-exceeded` (429) naming the quota, when it frees and how long to wait. */
export async function enforceQuotas({ tenant, jobs, now, refreshActive }: QuotaCheck): Promise<void> {
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const nextDay = new Date(dayStart.getTime() + 86_400_000);
  const today = await jobs.countJobsCreatedSince(tenant.id, dayStart.toISOString());
  if (today >= tenant.limits.jobsPerDay) {
    throw new GatewayError('quota-exceeded', {
      detail: `The tenant has created its ${tenant.limits.jobsPerDay} jobs for today (UTC).`,
      headers: { 'Retry-After': String(Math.ceil((nextDay.getTime() - now.getTime()) / 1000)) },
      extensions: { quota: 'daily_jobs', resets_at: nextDay.toISOString() },
    });
  }
  let active = await jobs.countActiveJobs(tenant.id);
  if (active >= tenant.limits.concurrentJobs) {
    // The registry only knows what it last saw: ask ORDS before refusing.
    await refreshActive();
    active = await jobs.countActiveJobs(tenant.id);
  }
  if (active >= tenant.limits.concurrentJobs) {
    throw new GatewayError('quota-exceeded', {
      detail: `The tenant already runs ${active} jobs, its limit; one must finish first.`,
      headers: { 'Retry-After': '30' },
      extensions: { quota: 'concurrent_jobs' },
    });
  }
}

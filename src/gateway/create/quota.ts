/** @module The tenant's job quotas as the claim reserves them, and the 429 when a claim would exceed one. */
import type { DatabaseConfig, TenantConfig } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { ClaimResult, QuotaRequest } from '../store/types.js';

const DAY_MS = 86_400_000;

function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** What a claim must stay within: the tenant's limits and the database's cap, counted at `now` (jobs per UTC day). */
export function quotaRequest(tenant: TenantConfig, database: DatabaseConfig, now: Date): QuotaRequest {
  return {
    concurrentJobs: tenant.limits.concurrentJobs,
    jobsPerDay: tenant.limits.jobsPerDay,
    dayStart: utcDayStart(now).toISOString(),
    now: now.toISOString(),
    ...(database.maxRunningJobs !== null ? { databaseRunningJobs: database.maxRunningJobs } : {}),
  };
}

/** `429 quota-exceeded` naming the quota, when it frees and how long to wait. */
export function quotaExceeded(
  over: Extract<ClaimResult, { outcome: 'over-quota' }>,
  tenant: TenantConfig,
  now: Date,
): GatewayError {
  if (over.quota === 'daily_jobs') {
    const nextDay = new Date(utcDayStart(now).getTime() + DAY_MS);
    return new GatewayError('quota-exceeded', {
      detail: `The tenant has created its ${tenant.limits.jobsPerDay} jobs for today (UTC).`,
      headers: { 'Retry-After': String(Math.ceil((nextDay.getTime() - now.getTime()) / 1000)) },
      extensions: { quota: 'daily_jobs', resets_at: nextDay.toISOString() },
    });
  }
  if (over.quota === 'database_running_jobs') {
    return new GatewayError('quota-exceeded', {
      detail: `The database already runs ${over.count} jobs, the most all tenants together may run; one must finish first.`,
      headers: { 'Retry-After': '30' },
      extensions: { quota: 'database_running_jobs' },
    });
  }
  return new GatewayError('quota-exceeded', {
    detail: `The tenant already runs ${over.count} jobs, its limit; one must finish first.`,
    headers: { 'Retry-After': '30' },
    extensions: { quota: 'concurrent_jobs' },
  });
}

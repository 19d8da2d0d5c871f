/**
 * @module Brings the registry's view of a tenant's unfinished jobs up to date from ORDS, before a create is
 * refused for the concurrent-jobs quota. Runs outside the claim's transaction: ORDS is slow, the lock is not.
 */
import type { ConfigSource, DatabaseConfig, TenantConfig } from '../config/types.js';
import { type JobRecord, type JobRegistry, TERMINAL_STATES } from '../store/types.js';
import { type CallMeta, jobKey, type OrdsPort } from '../upstream/ords-port.js';

/** Running jobs are recent ones: the newest this many records per database are enough to look at. */
const RECENT = 500;

export interface RefreshDeps {
  readonly config: ConfigSource;
  readonly registry: JobRegistry;
  readonly ords: OrdsPort;
  readonly now: () => Date;
}

export async function refreshActiveJobs(deps: RefreshDeps, tenant: TenantConfig, meta: CallMeta): Promise<void> {
  const config = deps.config.current();
  for (const name of tenant.databases) {
    const database = config.databases[name];
    if (!database) continue;
    const page = await deps.registry.listForTenant(tenant.id, name, { limit: RECENT, offset: 0 });
    await refresh(deps, database, page.items, meta);
  }
}

/** The same for every tenant's unfinished jobs on one database (its `max_running_jobs`). */
export async function refreshDatabaseJobs(deps: RefreshDeps, database: DatabaseConfig, meta: CallMeta): Promise<void> {
  await refresh(deps, database, await deps.registry.listForDatabase(database.name, RECENT), meta);
}

async function refresh(deps: RefreshDeps, database: DatabaseConfig, records: readonly JobRecord[], meta: CallMeta) {
  const active = records.filter((r) => !TERMINAL_STATES.has(r.lastState));
  if (active.length === 0) return;
  const seenAt = deps.now().toISOString();
  const live = await deps.ords.listJobs(database, meta);
  for (const record of active) {
    // ORDS lists every job that still has a control table, running or failed (NOT RUNNING). One it no
    // longer lists has finished and had its table dropped, which Data Pump does on success.
    const state = live.get(jobKey(record.ownerName, record.jobName))?.state ?? 'COMPLETED';
    if (state !== record.lastState)
      await deps.registry.updateState(database.name, record.ownerName, record.jobName, state, seenAt);
  }
}

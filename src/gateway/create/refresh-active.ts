/**
 * @module Brings the registry's view of a tenant's unfinished jobs up to date, before a create is refused for the
 * concurrent-jobs quota (or the database's cap): each unfinished job is read from ORDS on its own (the job
 * watcher's step), never ORDS's whole list. Runs outside the claim's transaction: ORDS is slow, the lock is not.
 */
import type { ConfigSource, DatabaseConfig, TenantConfig } from '../config/types.js';
import { type JobRecord, type JobRegistry, TERMINAL_STATES } from '../store/types.js';

/** Running jobs are recent ones: the newest this many records per database are enough to look at. */
const RECENT = 500;

export interface RefreshDeps {
  readonly config: ConfigSource;
  readonly registry: JobRegistry;
  /** Reads these jobs from ORDS one by one and records what changed (the job watcher's step). */
  readonly look: (records: readonly JobRecord[]) => Promise<void>;
}

export async function refreshActiveJobs(deps: RefreshDeps, tenant: TenantConfig): Promise<void> {
  const config = deps.config.current();
  for (const name of tenant.databases) {
    if (!config.databases[name]) continue;
    const page = await deps.registry.listForTenant(tenant.id, name, { limit: RECENT, offset: 0 });
    await deps.look(page.items.filter(unfinished));
  }
}

/** The same for every tenant's unfinished jobs on one database (its `max_running_jobs`). */
export async function refreshDatabaseJobs(deps: RefreshDeps, database: DatabaseConfig): Promise<void> {
  await deps.look((await deps.registry.listForDatabase(database.name, RECENT)).filter(unfinished));
}

const unfinished = (record: JobRecord) => record.outcome === null && !TERMINAL_STATES.has(record.lastState);

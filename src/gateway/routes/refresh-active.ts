/** @module Brings the registry's view of a tenant's unfinished jobs up to date from ORDS (for the concurrent-jobs quota). */
import { TERMINAL_STATES } from '../jobs/store.js';
import type { JobScope } from '../middleware/request-context.js';
import { jobKey, readOrdsJobs } from '../upstream/ords-job-list.js';
import { callMeta, type RouteDeps } from './context.js';

/** Running jobs are recent ones: the newest this many records per database are enough to look at. */
const RECENT = 500;

export async function refreshActiveJobs(deps: RouteDeps, scope: JobScope): Promise<void> {
  const { tenant } = scope;
  const config = deps.config.current();
  const seenAt = deps.now().toISOString();
  for (const name of tenant.databases) {
    const database = config.databases[name];
    if (!database) continue;
    const page = await deps.jobs.listForTenant(tenant.id, name, { limit: RECENT, offset: 0 });
    const active = page.items.filter((r) => !TERMINAL_STATES.has(r.lastState));
    if (active.length === 0) continue;
    const live = await readOrdsJobs(deps, database, callMeta(scope));
    for (const record of active) {
      // ORDS lists every job that still has a control table, running or failed (NOT RUNNING). One it no
      // longer lists has finished and had its table dropped, which Data Pump does on success.
      const state = live.get(jobKey(record.ownerName, record.jobName))?.state ?? 'COMPLETED';
      if (state !== record.lastState)
        await deps.jobs.updateState(name, record.ownerName, record.jobName, state, seenAt);
    }
  }
}

/** @module Hands the pure policy the tenant's grants as plain data, and the time as a string it cannot read itself. */
import type { TenantConfig } from '../config/types.js';
import type { TenantPolicy } from '../policy/index.js';

export function tenantPolicy(tenant: TenantConfig): TenantPolicy {
  const g = tenant.grants;
  return {
    tenantId: tenant.id,
    operations: g.operations,
    jobModes: g.jobModes,
    schemas: g.schemas,
    tablespaces: g.tablespaces,
    remapTargets: g.remapTargets,
    maxThreads: g.maxThreads,
    directories: g.directories,
    credentials: g.credentials,
    filePrefix: g.filePrefix,
    importProvenance: g.importProvenance,
    objectStorage: g.objectStorage,
  };
}

/** `YYYYMMDDHH24MISS` in UTC, as ORDS names its jobs: used in the default export file name. */
export function policyTimestamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

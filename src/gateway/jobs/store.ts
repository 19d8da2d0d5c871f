/** @module The job registry's interface: which tenant created which ORDS job, and its last known state. */

export interface JobRecord {
  readonly tenant: string;
  readonly database: string;
  readonly ownerName: string;
  readonly jobName: string;
  readonly operation: string;
  readonly jobMode: string;
  /** Who, within the tenant, asked (the API key's tenant, or a JWT subject). */
  readonly principal: string;
  readonly requestId: string;
  /** The request as forwarded to ORDS (never holds secrets). */
  readonly canonicalRequest: unknown;
  readonly createdAt: string;
  readonly lastState: string;
  readonly lastSeenAt: string;
}

export interface JobPage {
  readonly items: readonly JobRecord[];
  readonly total: number;
}

/** One create attempt, allowed or refused, as the audit trail keeps it (never holds secrets). */
export interface AuditEvent {
  readonly at: string;
  readonly tenant: string;
  readonly principal: string;
  readonly database: string;
  readonly requestId: string;
  readonly decision: 'allowed' | 'refused' | 'failed';
  /** The HTTP status the client got. */
  readonly status: number;
  /** The canonical request forwarded to ORDS, or (refused) the request as sent, credentials removed. */
  readonly request: unknown;
  readonly violations?: readonly { pointer?: string; detail: string }[];
  readonly job?: { readonly ownerName: string; readonly jobName: string };
}

export interface JobStore {
  record(job: JobRecord): Promise<void>;
  find(database: string, ownerName: string, jobName: string): Promise<JobRecord | undefined>;
  /** The tenant's jobs on one database, newest first then by job name, so paging never skips or repeats. */
  listForTenant(tenant: string, database: string, page: { limit: number; offset: number }): Promise<JobPage>;
  updateState(database: string, ownerName: string, jobName: string, state: string, seenAt: string): Promise<void>;
  /** The tenant's jobs (all databases) whose last known state is not terminal: the concurrent-jobs quota. */
  countActiveJobs(tenant: string): Promise<number>;
  /** The tenant's jobs created at or after `since` (ISO 8601): the daily quota. */
  countJobsCreatedSince(tenant: string, since: string): Promise<number>;
  appendAudit(event: AuditEvent): Promise<void>;
  /** The newest audit events first (operators' view and tests). */
  listAudit(filter: { tenant?: string; limit: number }): Promise<readonly AuditEvent[]>;
  /** Deletes job records and audit events older than `cutoff` (ISO 8601); returns how many of each. */
  purgeOlderThan(cutoff: string): Promise<{ jobs: number; audit: number }>;
  /** Throws when the store cannot be reached (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const TERMINAL_STATES: ReadonlySet<string> = new Set(['COMPLETED', 'STOPPED', 'NOT RUNNING']);

/** Orders newest first, then by job name, then owner: a total order, so pages are stable. */
export function compareJobs(a: JobRecord, b: JobRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.jobName !== b.jobName) return a.jobName < b.jobName ? -1 : 1;
  return a.ownerName < b.ownerName ? -1 : a.ownerName > b.ownerName ? 1 : 0;
}

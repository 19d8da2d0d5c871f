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

/**
 * An intent to create a job, written before ORDS is called (the intent journal). With an Idempotency-Key it
 * is also the key's record: one per (tenant, key) while it lives.
 *  - `pending`: ORDS has been (or is about to be) asked; the outcome is not known yet.
 *  - `created`: ORDS answered with the job; `answer` is what the client got, for replays.
 *  - `in-doubt`: the request reached ORDS but no usable answer came back; reconciliation settles it.
 *  - `quarantined`: reconciliation found no unambiguous match; left for an operator.
 * A definite failure (nothing reached ORDS, or ORDS refused) deletes the intent, which frees its key.
 */
export type IntentState = 'pending' | 'created' | 'in-doubt' | 'quarantined';

export interface StoredAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface Intent {
  readonly id: string;
  readonly tenant: string;
  readonly principal: string;
  readonly database: string;
  readonly idempotencyKey: string | null;
  /** SHA-256 of the canonical request: the same key with another body is refused. */
  readonly fingerprint: string;
  readonly operation: string;
  readonly jobMode: string;
  readonly canonicalRequest: unknown;
  readonly requestId: string;
  readonly state: IntentState;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the key may be used afresh (idempotency TTL). */
  readonly expiresAt: string;
  readonly job: { readonly ownerName: string; readonly jobName: string } | null;
  readonly answer: StoredAnswer | null;
}

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly existing: Intent };

export interface IntentPatch {
  readonly state: IntentState;
  readonly updatedAt: string;
  readonly job?: Intent['job'];
  readonly answer?: StoredAnswer | null;
}

export interface JobStore {
  record(job: JobRecord): Promise<void>;
  find(database: string, ownerName: string, jobName: string): Promise<JobRecord | undefined>;
  /** The tenant's jobs on one database, newest first then by job name, so paging never skips or repeats. */
  listForTenant(tenant: string, database: string, page: { limit: number; offset: number }): Promise<JobPage>;
  updateState(database: string, ownerName: string, jobName: string, state: string, seenAt: string): Promise<void>;
  /** Every tenant's jobs on one database, newest first (the all-jobs view), at most `limit`. */
  listForDatabase(database: string, limit: number): Promise<readonly JobRecord[]>;
  /** The tenant's jobs (all databases) whose last known state is not terminal: the concurrent-jobs quota. */
  countActiveJobs(tenant: string): Promise<number>;
  /** The tenant's jobs created at or after `since` (ISO 8601): the daily quota. */
  countJobsCreatedSince(tenant: string, since: string): Promise<number>;
  appendAudit(event: AuditEvent): Promise<void>;
  /** The newest audit events first (operators' view and tests). */
  listAudit(filter: { tenant?: string; limit: number }): Promise<readonly AuditEvent[]>;
  /** Deletes job records and audit events older than `cutoff` (ISO 8601); returns how many of each. */
  purgeOlderThan(cutoff: string): Promise<{ jobs: number; audit: number }>;
  /**
   * Writes an intent. With a key, atomically: only one intent per (tenant, key) unless the existing one has
   * expired (then it is replaced); otherwise the existing intent comes back and nothing is written.
   */
  claimIntent(intent: Intent): Promise<ClaimResult>;
  getIntent(tenant: string, idempotencyKey: string): Promise<Intent | undefined>;
  updateIntent(id: string, patch: IntentPatch): Promise<void>;
  deleteIntent(id: string): Promise<void>;
  /** Intents in these states created before `createdBefore` (ISO 8601), oldest first. */
  listIntents(states: readonly IntentState[], createdBefore: string): Promise<readonly Intent[]>;
  /** Takes or renews a named lease until `now + ttlMs`; false while another holder's lease runs. */
  tryLease(name: string, holder: string, ttlMs: number, now: string): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
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

/**
 * @module The state store's roles, each a small interface sized to its callers: the job registry, the intent
 * journal's storage, the audit log, leases, retention and health. One backend (memory, SQLite, PostgreSQL)
 * implements them all as one `StateStore`; each caller is handed only the role it needs.
 */

/** How a job ended, as the job watcher found out (the public `outcome`, with camel-case keys). */
export interface JobOutcome {
  readonly result: 'running' | 'succeeded' | 'succeeded_with_errors' | 'failed' | 'stopped' | 'unknown';
  readonly source: 'ords' | 'log' | 'inferred';
  readonly errors?: number;
  /** UTC, ISO 8601. */
  readonly finishedAt?: string;
}

/** A job the gateway knows it started for a tenant. Insert-only: its tenant never changes. */
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
  /** How the job ended; null while the job watcher has not seen it end. */
  readonly outcome: JobOutcome | null;
  /** The job's files (its log and dump files) as ORDS last listed them; null until seen. */
  readonly files: readonly string[] | null;
  /** The last 64 KiB of the job's log as last read (UTF-8); null until read. */
  readonly logTail: string | null;
}

/** How a job ended, recorded once by the job watcher. */
export interface JobEnd {
  /** The terminal Data Pump state the gateway shows from now on. */
  readonly state: string;
  readonly outcome: JobOutcome;
  /** The files as last listed (null: never seen, e.g. the job vanished before a read). */
  readonly files: readonly string[] | null;
  readonly logTail: string | null;
  readonly at: string;
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
  /** The HTTP status the client got (0 for an event no client saw: reconciliation). */
  readonly status: number;
  /** The canonical request forwarded to ORDS, or (refused) the request as sent, credentials removed. */
  readonly request: unknown;
  readonly violations?: readonly { pointer?: string; detail: string }[];
  readonly job?: { readonly ownerName: string; readonly jobName: string };
  /** For an aggregated event (`AuditLog.appendAggregated`): how many attempts it stands for (1 otherwise). */
  readonly count?: number;
}

/**
 * The intent journal's states, in the order a create goes through them:
 *  - `pending` (claimed): written before ORDS is called; the outcome is not known yet.
 *  - `created`: ORDS answered with the job; it is in the registry and `answer` is what the client got.
 *  - `in-doubt`: the request may have reached ORDS but no usable answer came back; reconciliation settles it.
 *  - `quarantined`: no evidence ties exactly one ORDS job to this intent, or none can exist; an operator decides.
 *  - `recovered`: reconciliation found the job by evidence unique to this intent and recorded it.
 * `released` is not stored: a definite failure (nothing reached ORDS, or ORDS refused) deletes the intent,
 * which frees its key.
 */
export type IntentState = 'pending' | 'created' | 'in-doubt' | 'quarantined' | 'recovered';

/** States that hold quota: the job may be running and is not (yet) in the registry. */
export const RESERVING_STATES: readonly IntentState[] = ['pending', 'in-doubt', 'quarantined'];

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
  /**
   * A token the gateway put into what ORDS will show of the job (the export's dump file name), so that
   * reconciliation can tell this intent's job from any other; null when no such evidence can exist (an
   * import, a file name the client chose).
   */
  readonly evidenceToken: string | null;
  readonly state: IntentState;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the key may be used afresh (idempotency TTL); a reserving intent holds quota until then. */
  readonly expiresAt: string;
  readonly job: { readonly ownerName: string; readonly jobName: string } | null;
  readonly answer: StoredAnswer | null;
}

/** The tenant's limits the claim reserves against, with the times they are counted at. */
export interface QuotaRequest {
  readonly concurrentJobs: number;
  readonly jobsPerDay: number;
  /** Start of the current UTC day (ISO 8601): jobs and intents created since count towards `jobsPerDay`. */
  readonly dayStart: string;
  /** The current time (ISO 8601): reserving intents that expired before it hold no quota. */
  readonly now: string;
  /**
   * When set, the unfinished jobs and reserving intents of *every* tenant on the intent's database must stay
   * below it too (`databases.<name>.max_running_jobs`).
   */
  readonly databaseRunningJobs?: number;
}

export type ClaimResult =
  | { readonly outcome: 'claimed' }
  /** The key is taken by a live intent (whatever its fingerprint); nothing was written. */
  | { readonly outcome: 'existing'; readonly existing: Intent }
  /** Claiming would exceed a quota; nothing was written. `count` is what is already held. */
  | {
      readonly outcome: 'over-quota';
      readonly quota: 'concurrent_jobs' | 'daily_jobs' | 'database_running_jobs';
      readonly count: number;
    };

/** The job registry: which tenant started which ORDS job, and its last known state. */
/** Where a page of `listUnfinished` ended: the last job's place in its order. */
export type UnfinishedCursor = Pick<JobRecord, 'createdAt' | 'jobName' | 'ownerName'>;

export interface JobRegistry {
  find(database: string, ownerName: string, jobName: string): Promise<JobRecord | undefined>;
  /** The tenant's jobs on one database, newest first then by job name, so paging never skips or repeats. */
  listForTenant(tenant: string, database: string, page: { limit: number; offset: number }): Promise<JobPage>;
  /** Every tenant's jobs on one database, newest first (the all-jobs view), at most `limit`. */
  listForDatabase(database: string, limit: number): Promise<readonly JobRecord[]>;
  /** The state ORDS shows now; a finished job (it has an outcome) is not changed: the watcher has the last word. */
  updateState(database: string, ownerName: string, jobName: string, state: string, seenAt: string): Promise<void>;
  /** While a job runs: its state, files and log tail as the watcher last saw them (a finished job is not changed). */
  observe(
    database: string,
    ownerName: string,
    jobName: string,
    seen: {
      readonly state: string;
      readonly files: readonly string[] | null;
      readonly logTail: string | null;
      readonly at: string;
    },
  ): Promise<void>;
  /** Records how the job ended (state, outcome, files, log tail); a job that already has an outcome is not changed. */
  finish(database: string, ownerName: string, jobName: string, end: JobEnd): Promise<void>;
  /**
   * Every tenant's jobs without an outcome yet (the job watcher's work), oldest first, at most `limit`; after
   * `after` (a job of the previous page) when given, so a round reaches every job however many never settle.
   */
  listUnfinished(limit: number, after?: UnfinishedCursor): Promise<readonly JobRecord[]>;
  /** The distinct ORDS owners of the jobs recorded for `database`: the users the gateway creates jobs as. */
  owners(database: string): Promise<readonly string[]>;
}

/** Thrown (and the transaction rolled back) when a job to record is already another tenant's. */
export class JobOwnedElsewhereError extends Error {
  constructor(
    readonly job: { readonly database: string; readonly ownerName: string; readonly jobName: string },
    readonly owner: string,
  ) {
    super(`job ${job.database}/${job.ownerName},${job.jobName} is already recorded for another tenant`);
    this.name = 'JobOwnedElsewhereError';
  }
}

/**
 * Thrown (and the transaction rolled back) when an intent to change is not in a state the change expects (`from`),
 * or no longer exists: e.g. two operators resolving one intent at once, the second finds it settled.
 */
export class IntentStateConflictError extends Error {
  constructor(
    readonly intentId: string,
    /** The state found; undefined when there is no such intent. */
    readonly found: IntentState | undefined,
    readonly expected: readonly IntentState[],
  ) {
    super(
      found === undefined
        ? `intent ${intentId} does not exist`
        : `intent ${intentId} is ${found}, not ${expected.join(' or ')}`,
    );
    this.name = 'IntentStateConflictError';
  }
}

/** How an intent ends well: the job, recorded for the intent's tenant, with the answer replays give. */
export interface Completion {
  readonly state: 'created' | 'recovered';
  readonly at: string;
  readonly record: JobRecord;
  readonly answer: StoredAnswer;
  readonly audit: AuditEvent;
  /**
   * When set, the intent must be in one of these states (checked in the transaction, under its lock), else
   * `IntentStateConflictError` is thrown and nothing is written: an operator's resolution wins once.
   */
  readonly from?: readonly IntentState[];
}

/** What the audit log lists: every filter is optional; times are ISO 8601 (`since` inclusive, `until` exclusive). */
export interface AuditFilter {
  readonly tenant?: string;
  readonly since?: string;
  readonly until?: string;
  readonly decision?: AuditEvent['decision'];
  readonly limit: number;
}

/** The intent journal's storage; every state change of a create goes through it (see create/journal.ts). */
export interface IntentStore {
  /**
   * In one transaction: with a key, return the live (unexpired at `intent.createdAt`) intent holding it;
   * then reserve quota — the tenant's unfinished registry jobs plus its reserving intents
   * (`RESERVING_STATES`, unexpired at `quota.now`) must stay below `concurrentJobs`; its registry jobs plus
   * reserving intents created since `dayStart` below `jobsPerDay`; with `databaseRunningJobs`, the same
   * count as `concurrentJobs` over every tenant of the intent's database below it — and only then write the
   * intent (an expired intent holding the key is replaced). Checked in that order; the first exceeded is
   * reported. Claims are serialised per tenant (and per database with `databaseRunningJobs`): within the
   * process for memory and SQLite, across replicas for PostgreSQL.
   */
  claim(intent: Intent, quota: QuotaRequest): Promise<ClaimResult>;
  /** The live or expired intent holding a tenant's key. */
  get(tenant: string, idempotencyKey: string): Promise<Intent | undefined>;
  /**
   * In one transaction: insert the job record (insert-only: a record of another tenant for the same job
   * throws `JobOwnedElsewhereError` and nothing is written; one of the same tenant is kept as it is), set the
   * intent's state, job and answer, and append the audit event.
   */
  complete(intentId: string, completion: Completion): Promise<void>;
  /** In one transaction: set the intent's state and append the audit event, if any. */
  transition(
    intentId: string,
    change: { readonly state: 'in-doubt' | 'quarantined'; readonly at: string; readonly audit?: AuditEvent },
  ): Promise<void>;
  /**
   * In one transaction: delete the intent (its key is free again) and append the audit event, if any. With
   * `from`, only an intent in one of those states is deleted; else `IntentStateConflictError`, nothing written.
   */
  release(intentId: string, audit?: AuditEvent, from?: readonly IntentState[]): Promise<void>;
  /** Intents in these states created before `createdBefore` (ISO 8601), oldest first. */
  list(states: readonly IntentState[], createdBefore: string): Promise<readonly Intent[]>;
  /** One intent by its id, whatever its state (the admin commands). */
  find(intentId: string): Promise<Intent | undefined>;
}

export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /**
   * Appends the event, or — when an event with the same `aggregateKey` exists — adds one to its `count`
   * instead (the key names what is aggregated, e.g. a tenant's reused Idempotency-Key within one minute).
   */
  appendAggregated(event: AuditEvent, aggregateKey: string): Promise<void>;
  /** The newest events first (operators' view and tests). */
  list(filter: AuditFilter): Promise<readonly AuditEvent[]>;
}

export interface Leases {
  /** Takes or renews a named lease until `now + ttlMs`; false while another holder's lease runs. */
  tryLease(name: string, holder: string, ttlMs: number, now: string): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
}

export interface Retention {
  /**
   * Deletes finished job records older than `cutoff`, audit events older than `auditCutoff` (default `cutoff`:
   * the audit trail has its own retention, `store.audit_retention_days`), and settled intents (created,
   * recovered) whose key expired before `cutoff`; reserving intents stay until settled. Returns counts.
   */
  purgeOlderThan(cutoff: string, auditCutoff?: string): Promise<{ jobs: number; audit: number }>;
}

/**
 * What each tenant's exports through the gateway produced: the `file_name` they were started with (a pattern
 * with `%U`/`%L`, or an Object Storage URI) and the dump files the jobs listed. Kept for `provenance_days`,
 * independently of the job records (the files outlive the jobs). The import-provenance rule reads it.
 */
export interface Provenance {
  /** Remembers a name (or pattern) one of the tenant's exports produced; recording it again keeps the first. */
  record(entry: {
    readonly tenant: string;
    readonly database: string;
    readonly name: string;
    readonly at: string;
  }): Promise<void>;
  /**
   * The tenant's remembered names whose literal start (everything before the first `%`) begins `fileName`:
   * the only ones that can match it. Matching itself is the policy's.
   */
  candidates(tenant: string, fileName: string): Promise<readonly string[]>;
  /** Forgets names recorded before `cutoff`; returns how many. */
  purgeOlderThan(cutoff: string): Promise<number>;
}

export interface StoreHealth {
  /** Throws when the store cannot be reached (for /readyz). */
  ping(): Promise<void>;
}

/** One backend's roles, handed out one by one; `close` ends the backend. */
export interface StateStore {
  readonly registry: JobRegistry;
  readonly intents: IntentStore;
  readonly audit: AuditLog;
  readonly leases: Leases;
  readonly retention: Retention;
  readonly provenance: Provenance;
  readonly health: StoreHealth;
  close(): Promise<void>;
}

export const TERMINAL_STATES: ReadonlySet<string> = new Set(['COMPLETED', 'STOPPED', 'NOT RUNNING']);

/** Orders newest first, then by job name, then owner: a total order, so pages are stable. */
export function compareJobs(a: UnfinishedCursor, b: UnfinishedCursor): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.jobName !== b.jobName) return a.jobName < b.jobName ? -1 : 1;
  return a.ownerName < b.ownerName ? -1 : a.ownerName > b.ownerName ? 1 : 0;
}

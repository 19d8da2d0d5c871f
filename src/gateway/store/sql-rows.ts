/** @module Job and audit rows, shared by the SQL backends (SQLite and PostgreSQL use the same column names). */
import type { AuditEvent, JobOutcome, JobRecord } from './types.js';

/** A `jobs` row as both backends read it: JSON columns come back as text (PostgreSQL selects them `::text`). */
export interface JobRow {
  tenant: string;
  database_name: string;
  owner_name: string;
  job_name: string;
  operation: string;
  job_mode: string;
  principal: string;
  request_id: string;
  canonical_request: string | null;
  created_at: string;
  last_state: string;
  last_seen_at: string;
  /** JSON object, snake-case keys (`OutcomeJson`); null while the job has not ended. */
  outcome: string | null;
  /** JSON array of strings; null until the job's files were listed. */
  files: string | null;
  log_tail: string | null;
  /** When the gateway recorded the end (the `at` of `finish`, so equal to last_seen_at then); null with outcome. */
  finished_at: string | null;
}

/** The columns an appended event writes (`count` takes its default, 1). */
export interface AuditRow {
  at: string;
  tenant: string;
  principal: string;
  database_name: string;
  request_id: string;
  decision: string;
  status: number;
  request: string | null;
  violations: string | null;
  job_owner_name: string | null;
  job_name: string | null;
}

/** An `audit_events` row as read back: the event's columns and how many attempts it stands for. */
export type StoredAuditRow = AuditRow & { count: number };

export const JOB_COLUMNS = [
  'tenant',
  'database_name',
  'owner_name',
  'job_name',
  'operation',
  'job_mode',
  'principal',
  'request_id',
  'canonical_request',
  'created_at',
  'last_state',
  'last_seen_at',
  'outcome',
  'files',
  'log_tail',
  'finished_at',
] as const;

/** The columns migration 6 added to `jobs` (what the job watcher writes). */
export const JOB_WATCH_COLUMNS = ['outcome', 'files', 'log_tail', 'finished_at'] as const;

export const AUDIT_COLUMNS = [
  'at',
  'tenant',
  'principal',
  'database_name',
  'request_id',
  'decision',
  'status',
  'request',
  'violations',
  'job_owner_name',
  'job_name',
] as const;

/** The terminal ORDS states as SQL literals, matching the partial indexes on unfinished jobs so planners use them. */
export const TERMINAL_SQL = "('COMPLETED', 'STOPPED', 'NOT RUNNING')";

/** The reserving intent states as SQL literals, matching the partial indexes on reserving intents. */
export const RESERVING_SQL = "('pending', 'in-doubt', 'quarantined')";

/** The settled intent states (their job is in the registry): purged once their key has expired. */
export const SETTLED_SQL = "('created', 'recovered')";

/**
 * JSON text for a JSON column. SQL NULL stands for `undefined` (JSON cannot say it), so a payload of
 * `undefined` and one of `null` both survive the round trip.
 */
export function jsonText(value: unknown): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value) as string | undefined;
  // Functions and symbols stringify to undefined; they are not data, so they are stored as absent.
  return text ?? null;
}

export const fromJsonText = (text: string | null): unknown => (text === null ? undefined : JSON.parse(text));

/**
 * An outcome as stored: the public `outcome`'s snake-case keys, so an operator's SQL reads what clients see.
 * Only the known keys are kept; an optional one absent in the outcome is absent in the JSON.
 */
interface OutcomeJson {
  result: JobOutcome['result'];
  source: JobOutcome['source'];
  errors?: number;
  finished_at?: string;
}

export function outcomeToJson(outcome: JobOutcome): string {
  const stored: OutcomeJson = {
    result: outcome.result,
    source: outcome.source,
    ...(outcome.errors === undefined ? {} : { errors: outcome.errors }),
    ...(outcome.finishedAt === undefined ? {} : { finished_at: outcome.finishedAt }),
  };
  return JSON.stringify(stored);
}

export function outcomeFromJson(text: string): JobOutcome {
  const stored = JSON.parse(text) as OutcomeJson;
  return {
    result: stored.result,
    source: stored.source,
    ...(stored.errors === undefined ? {} : { errors: stored.errors }),
    ...(stored.finished_at === undefined ? {} : { finishedAt: stored.finished_at }),
  };
}

export const filesToJson = (files: readonly string[] | null): string | null =>
  files === null ? null : JSON.stringify(files);

export const filesFromJson = (text: string | null): readonly string[] | null =>
  text === null ? null : (JSON.parse(text) as string[]);

export function jobToRow(job: JobRecord): JobRow {
  return {
    tenant: job.tenant,
    database_name: job.database,
    owner_name: job.ownerName,
    job_name: job.jobName,
    operation: job.operation,
    job_mode: job.jobMode,
    principal: job.principal,
    request_id: job.requestId,
    canonical_request: jsonText(job.canonicalRequest),
    created_at: job.createdAt,
    last_state: job.lastState,
    last_seen_at: job.lastSeenAt,
    outcome: job.outcome === null ? null : outcomeToJson(job.outcome),
    files: filesToJson(job.files),
    log_tail: job.logTail,
    // A record inserted already ended was last seen when it ended (as `finish` writes both from its `at`).
    finished_at: job.outcome === null ? null : job.lastSeenAt,
  };
}

export function rowToJob(row: JobRow): JobRecord {
  return {
    tenant: row.tenant,
    database: row.database_name,
    ownerName: row.owner_name,
    jobName: row.job_name,
    operation: row.operation,
    jobMode: row.job_mode,
    principal: row.principal,
    requestId: row.request_id,
    canonicalRequest: fromJsonText(row.canonical_request),
    createdAt: row.created_at,
    lastState: row.last_state,
    lastSeenAt: row.last_seen_at,
    outcome: row.outcome === null ? null : outcomeFromJson(row.outcome),
    files: filesFromJson(row.files),
    logTail: row.log_tail,
  };
}

export function auditToRow(event: AuditEvent): AuditRow {
  return {
    at: event.at,
    tenant: event.tenant,
    principal: event.principal,
    database_name: event.database,
    request_id: event.requestId,
    decision: event.decision,
    status: event.status,
    request: jsonText(event.request),
    violations: event.violations === undefined ? null : jsonText(event.violations),
    job_owner_name: event.job?.ownerName ?? null,
    job_name: event.job?.jobName ?? null,
  };
}

/**
 * Optional fields absent in the row are absent (not `undefined`-valued) in the event, as they were when appended;
 * `count` is there only for an aggregated event that stands for more than one attempt.
 */
export function rowToAudit(row: StoredAuditRow): AuditEvent {
  const violations = row.violations === null ? undefined : (JSON.parse(row.violations) as AuditEvent['violations']);
  return {
    at: row.at,
    tenant: row.tenant,
    principal: row.principal,
    database: row.database_name,
    requestId: row.request_id,
    decision: row.decision as AuditEvent['decision'],
    status: row.status,
    request: fromJsonText(row.request),
    ...(violations === undefined ? {} : { violations }),
    ...(row.job_owner_name === null || row.job_name === null
      ? {}
      : { job: { ownerName: row.job_owner_name, jobName: row.job_name } }),
    ...(row.count > 1 ? { count: row.count } : {}),
  };
}

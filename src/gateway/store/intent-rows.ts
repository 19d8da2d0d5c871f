/** @module Intents to and from SQL rows (shared by the SQLite and PostgreSQL backends). */
import { fromJsonText, jsonText } from './sql-rows.js';
import type { Intent } from './types.js';

export const INTENT_COLUMNS = [
  'id',
  'tenant',
  'principal',
  'database_name',
  'idempotency_key',
  'fingerprint',
  'operation',
  'job_mode',
  'canonical_request',
  'request_id',
  'evidence_token',
  'state',
  'created_at',
  'updated_at',
  'expires_at',
  'job_owner_name',
  'job_name',
  'answer',
] as const;

export type IntentRow = Record<(typeof INTENT_COLUMNS)[number], string | null>;

export function intentToRow(i: Intent): IntentRow {
  return {
    id: i.id,
    tenant: i.tenant,
    principal: i.principal,
    database_name: i.database,
    idempotency_key: i.idempotencyKey,
    fingerprint: i.fingerprint,
    operation: i.operation,
    job_mode: i.jobMode,
    canonical_request: jsonText(i.canonicalRequest),
    request_id: i.requestId,
    evidence_token: i.evidenceToken,
    state: i.state,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    expires_at: i.expiresAt,
    job_owner_name: i.job?.ownerName ?? null,
    job_name: i.job?.jobName ?? null,
    answer: i.answer === null ? null : JSON.stringify(i.answer),
  };
}

export function rowToIntent(r: IntentRow): Intent {
  return {
    id: r.id!,
    tenant: r.tenant!,
    principal: r.principal!,
    database: r.database_name!,
    idempotencyKey: r.idempotency_key,
    fingerprint: r.fingerprint!,
    operation: r.operation!,
    jobMode: r.job_mode!,
    canonicalRequest: fromJsonText(r.canonical_request),
    requestId: r.request_id!,
    evidenceToken: r.evidence_token,
    state: r.state as Intent['state'],
    createdAt: r.created_at!,
    updatedAt: r.updated_at!,
    expiresAt: r.expires_at!,
    job: r.job_owner_name && r.job_name ? { ownerName: r.job_owner_name, jobName: r.job_name } : null,
    answer: r.answer === null ? null : JSON.parse(r.answer),
  };
}

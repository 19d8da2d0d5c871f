// Builders for state store tests: valid defaults on a fixed clock, overrides per test, and a way to put a job
// in the registry (only a completed intent does that now).
import type {
  AuditEvent,
  Completion,
  Intent,
  JobRecord,
  QuotaRequest,
  StateStore,
  StoredAnswer,
} from '../../../src/gateway/store/types.js';

const BASE = Date.UTC(2025, 0, 15, 8, 0, 0);

/** The instant `minutes` after a fixed base, in the fixed-width toISOString() form the gateway writes. */
export const at = (minutes: number, ms = 0): string => new Date(BASE + minutes * 60_000 + ms).toISOString();

export function job(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    tenant: 'hr-team',
    database: 'orcl',
    ownerName: 'HR',
    jobName: 'EXPORT_HR_1',
    operation: 'EXPORT',
    jobMode: 'SCHEMA',
    principal: 'hr-team',
    requestId: 'req-0001',
    canonicalRequest: { operation: 'EXPORT', jobMode: 'SCHEMA', schemas: ['HR'] },
    createdAt: at(0),
    lastState: 'EXECUTING',
    lastSeenAt: at(0),
    outcome: null,
    files: null,
    logTail: null,
    ...overrides,
  };
}

export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at: at(0),
    tenant: 'hr-team',
    principal: 'hr-team',
    database: 'orcl',
    requestId: 'req-0001',
    decision: 'allowed',
    status: 201,
    request: { operation: 'EXPORT', jobMode: 'SCHEMA' },
    ...overrides,
  };
}

let n = 0;
export function intent(overrides: Partial<Intent> = {}): Intent {
  n += 1;
  return {
    id: `intent-${String(n).padStart(5, '0')}-${Math.random().toString(36).slice(2)}`,
    tenant: 'hr-team',
    principal: 'hr-team',
    database: 'orcl',
    idempotencyKey: 'key-1',
    fingerprint: 'f'.repeat(64),
    operation: 'EXPORT',
    jobMode: 'SCHEMA',
    canonicalRequest: { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] },
    requestId: 'req-1',
    evidenceToken: 'DPG_7f3a9c',
    state: 'pending',
    createdAt: at(1),
    updatedAt: at(1),
    expiresAt: at(50),
    job: null,
    answer: null,
    ...overrides,
  };
}

export const ANSWER: StoredAnswer = {
  status: 201,
  headers: { ETag: '"x"', Location: '/jobs/HR,EXPORT_HR_1' },
  body: { job_name: 'EXPORT_HR_1', links: [] },
};

/** Limits no test reaches, counted at the fixed base instant. */
export const OPEN_QUOTA: QuotaRequest = {
  concurrentJobs: Number.MAX_SAFE_INTEGER,
  jobsPerDay: Number.MAX_SAFE_INTEGER,
  dayStart: at(-480),
  now: at(1),
};

export const quota = (overrides: Partial<QuotaRequest> = {}): QuotaRequest => ({ ...OPEN_QUOTA, ...overrides });

/** The completion of an intent with `record`, its audit event naming the job. */
export function completion(record: JobRecord, overrides: Partial<Completion> = {}): Completion {
  return {
    state: 'created',
    at: record.createdAt,
    record,
    answer: ANSWER,
    audit: auditEvent({
      at: record.createdAt,
      tenant: record.tenant,
      database: record.database,
      requestId: `done:${record.jobName}`,
      job: { ownerName: record.ownerName, jobName: record.jobName },
    }),
    ...overrides,
  };
}

/**
 * Puts `record` into the registry the only way there is: claim a keyless intent for it, then complete it.
 * Appends one audit event (at the record's creation, request id `done:<job name>`). Returns the intent.
 */
export async function seed(store: StateStore, record: JobRecord): Promise<Intent> {
  const i = intent({
    tenant: record.tenant,
    database: record.database,
    idempotencyKey: null,
    createdAt: record.createdAt,
    updatedAt: record.createdAt,
    expiresAt: at(60 * 24 * 365),
  });
  const claimed = await store.intents.claim(i, OPEN_QUOTA);
  if (claimed.outcome !== 'claimed') throw new Error(`seed: claim was ${claimed.outcome}`);
  await store.intents.complete(i.id, completion(record));
  return i;
}

/** A JSON payload exercising every JSON shape: nesting, arrays, unicode, numbers, booleans, null, empties. */
export const RICH_PAYLOAD = {
  operation: 'EXPORT',
  jobMode: 'SCHEMA',
  filters: [
    { name: 'SCHEMA_EXPR', value: "IN ('HR','SH')" },
    { name: 'NAME_EXPR', value: "LIKE 'EMP%'" },
  ],
  parallel: 4,
  ratio: 0.125,
  negative: -17,
  big: 9_007_199_254_740_991,
  compress: true,
  encrypt: false,
  nothing: null,
  text: 'Zoë said "✓" to 日本 \\ back\nslash 🎉',
  nested: { deep: [1, [2, [3, { four: 4 }]]], empty: {}, none: [] },
} as const;

// Builders for job records and audit events in store tests: valid defaults, fixed clock, overrides per test.
import type { AuditEvent, JobRecord } from '../../../src/gateway/jobs/store.js';

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

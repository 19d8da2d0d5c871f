/** @module The intent journal (claims with their quota, completions) and leases in the PostgreSQL state store. */
import { INTENT_COLUMNS, type IntentRow, intentToRow, rowToIntent } from './intent-rows.js';
import type { Exec } from './postgres-sql.js';
import { AUDIT_COLUMNS, auditToRow, JOB_COLUMNS, jobToRow } from './sql-rows.js';
import {
  type AuditEvent,
  type ClaimResult,
  type Intent,
  type IntentState,
  IntentStateConflictError,
  type IntentStore,
  JobOwnedElsewhereError,
  type JobRecord,
  type Leases,
  type QuotaRequest,
} from './types.js';

type Transaction = <T>(fn: (exec: Exec) => Promise<T>) => Promise<T>;

export async function appendAudit(exec: Exec, event: AuditEvent): Promise<void> {
  const row = auditToRow(event);
  await exec(
    'appendAudit',
    AUDIT_COLUMNS.map((c) => row[c]),
  );
}

/** Insert-only: a record of the same tenant is kept as it is, one of another tenant throws (and rolls back). */
async function insertOnce(exec: Exec, record: JobRecord): Promise<void> {
  const row = jobToRow(record);
  // Two rounds at most: a conflicting row purged between the insert and the look-up is inserted afresh.
  for (let round = 0; round < 2; round++) {
    const inserted = await exec(
      'insertJob',
      JOB_COLUMNS.map((c) => row[c]),
    );
    if (inserted.rowCount === 1) return;
    const { rows } = await exec<{ tenant: string }>('jobTenant', [record.database, record.ownerName, record.jobName]);
    const owner = rows[0]?.tenant;
    if (owner === undefined) continue;
    if (owner !== record.tenant) throw new JobOwnedElsewhereError(record, owner);
    return;
  }
  throw new Error(`could not record job ${record.database}/${record.ownerName},${record.jobName}`);
}

/** Locks the intent's row and throws unless it is in one of `from` (no `from`: nothing checked, nothing locked). */
async function expectState(exec: Exec, intentId: string, from: readonly IntentState[] | undefined): Promise<void> {
  if (from === undefined) return;
  const { rows } = await exec<{ state: IntentState }>('lockIntentState', [intentId]);
  const found = rows[0]?.state;
  if (found === undefined || !from.includes(found)) throw new IntentStateConflictError(intentId, found, from);
}

async function overQuota(exec: Exec, intent: Intent, quota: QuotaRequest): Promise<ClaimResult | undefined> {
  const { tenant, database } = intent;
  const count = async (name: 'concurrent' | 'daily' | 'running', values: unknown[]) =>
    (await exec<{ n: number }>(name, values)).rows[0]?.n ?? 0;
  const held = await count('concurrent', [tenant, quota.now]);
  if (held >= quota.concurrentJobs) return { outcome: 'over-quota', quota: 'concurrent_jobs', count: held };
  const today = await count('daily', [tenant, quota.now, quota.dayStart]);
  if (today >= quota.jobsPerDay) return { outcome: 'over-quota', quota: 'daily_jobs', count: today };
  if (quota.databaseRunningJobs === undefined) return undefined;
  const running = await count('running', [database, quota.now]);
  if (running >= quota.databaseRunningJobs)
    return { outcome: 'over-quota', quota: 'database_running_jobs', count: running };
  return undefined;
}

export function postgresIntents(q: Exec, tx: Transaction, schema: string): { intents: IntentStore; leases: Leases } {
  return {
    intents: {
      async claim(intent, quota) {
        return tx(async (exec) => {
          // Always the tenant's lock first, then the database's: every claim takes them in this order, so
          // two claims never wait on each other's. Held until commit, across every replica on this schema.
          await exec('lockTenant', [schema, intent.tenant]);
          if (quota.databaseRunningJobs !== undefined) await exec('lockDatabase', [schema, intent.database]);
          let expired: IntentRow | undefined;
          if (intent.idempotencyKey !== null) {
            const { rows } = await exec<IntentRow>('byKey', [intent.tenant, intent.idempotencyKey]);
            const existing = rows[0];
            if (existing && existing.expires_at! > intent.createdAt)
              return { outcome: 'existing', existing: rowToIntent(existing) };
            expired = existing;
          }
          const refused = await overQuota(exec, intent, quota);
          if (refused) return refused;
          if (expired) await exec('removeIntent', [expired.id]);
          const row = intentToRow(intent);
          await exec(
            'insertIntent',
            INTENT_COLUMNS.map((c) => row[c]),
          );
          return { outcome: 'claimed' };
        });
      },
      async get(tenant, key) {
        const { rows } = await q<IntentRow>('byKey', [tenant, key]);
        return rows[0] && rowToIntent(rows[0]);
      },
      async complete(intentId, { state, at, record, answer, audit, from }) {
        await tx(async (exec) => {
          await expectState(exec, intentId, from);
          await insertOnce(exec, record);
          await exec('settleIntent', [intentId, state, at, record.ownerName, record.jobName, JSON.stringify(answer)]);
          await appendAudit(exec, audit);
        });
      },
      async transition(intentId, { state, at, audit }) {
        await tx(async (exec) => {
          await exec('setIntentState', [intentId, state, at]);
          if (audit) await appendAudit(exec, audit);
        });
      },
      async release(intentId, audit, from) {
        await tx(async (exec) => {
          await expectState(exec, intentId, from);
          await exec('removeIntent', [intentId]);
          if (audit) await appendAudit(exec, audit);
        });
      },
      async list(states, createdBefore) {
        const { rows } = await q<IntentRow>('listIntents', [[...states], createdBefore]);
        return rows.map(rowToIntent);
      },
      async find(intentId) {
        const { rows } = await q<IntentRow>('intentById', [intentId]);
        return rows[0] && rowToIntent(rows[0]);
      },
    },
    leases: {
      async tryLease(name, holder, ttlMs, now) {
        const until = new Date(Date.parse(now) + ttlMs).toISOString();
        const { rowCount } = await q('lease', [name, holder, until, now]);
        return rowCount === 1;
      },
      async releaseLease(name, holder) {
        await q('unlease', [name, holder]);
      },
    },
  };
}

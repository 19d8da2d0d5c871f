/** @module The intent journal (claims with their quota, completions) and leases in the SQLite state store. */
import type Database from 'better-sqlite3';

import { INTENT_COLUMNS, type IntentRow, intentToRow, rowToIntent } from './intent-rows.js';
import { RESERVING_SQL, TERMINAL_SQL } from './sql-rows.js';
import type { SqliteAudit, SqliteRegistry } from './sqlite-registry.js';
import {
  type AuditEvent,
  type ClaimResult,
  type Completion,
  type Intent,
  type IntentState,
  IntentStateConflictError,
  type IntentStore,
  type Leases,
  type QuotaRequest,
} from './types.js';

type Count = { n: number };

export function sqliteIntents(
  db: Database.Database,
  registry: SqliteRegistry,
  audit: SqliteAudit,
): { intents: IntentStore; leases: Leases } {
  const cols = INTENT_COLUMNS.join(', ');
  const insert = db.prepare<IntentRow>(
    `insert into intents (${cols}) values (${INTENT_COLUMNS.map((c) => `@${c}`).join(', ')})`,
  );
  const byKey = db.prepare<[string, string], IntentRow>(
    `select ${cols} from intents where tenant = ? and idempotency_key = ?`,
  );
  const remove = db.prepare<[string]>('delete from intents where id = ?');
  const byId = db.prepare<[string], IntentRow>(`select ${cols} from intents where id = ?`);
  const stateOf = db.prepare<[string], { state: IntentState }>('select state from intents where id = ?');
  // Inside the IMMEDIATE transaction the write lock is held, so the state read cannot change before the write.
  const expectState = (id: string, from: readonly IntentState[] | undefined) => {
    if (from === undefined) return;
    const found = stateOf.get(id)?.state;
    if (found === undefined || !from.includes(found)) throw new IntentStateConflictError(id, found, from);
  };
  // What holds quota: unfinished registry jobs and unexpired reserving intents. The state lists are literals
  // matching the partial indexes jobs_active, jobs_database_active and intents_reserving_*, so the counts use them.
  const reservingIntents = `from intents where state in ${RESERVING_SQL} and expires_at > @now`;
  const concurrent = db.prepare<{ tenant: string; now: string }, Count>(
    `select (select count(*) from jobs where tenant = @tenant and last_state not in ${TERMINAL_SQL})
       + (select count(*) ${reservingIntents} and tenant = @tenant) as n`,
  );
  const daily = db.prepare<{ tenant: string; now: string; since: string }, Count>(
    `select (select count(*) from jobs where tenant = @tenant and created_at >= @since)
       + (select count(*) ${reservingIntents} and tenant = @tenant and created_at >= @since) as n`,
  );
  const running = db.prepare<{ database: string; now: string }, Count>(
    `select (select count(*) from jobs where database_name = @database and last_state not in ${TERMINAL_SQL})
       + (select count(*) ${reservingIntents} and database_name = @database) as n`,
  );
  const settle = db.prepare<[string, string, string, string, string, string]>(
    `update intents set state = ?, updated_at = ?, job_owner_name = ?, job_name = ?, answer = ? where id = ?`,
  );
  const setState = db.prepare<[string, string, string]>('update intents set state = ?, updated_at = ? where id = ?');
  const listByState = db.prepare<[string, string], IntentRow>(
    `select ${cols} from intents where state in (select value from json_each(?)) and created_at < ?
     order by created_at, id`,
  );
  // Take the lease if free, expired, or already ours; `changes` tells whether the row was written.
  const lease = db.prepare<[string, string, string, string]>(
    `insert into leases (name, holder, until) values (?, ?, ?)
     on conflict (name) do update set holder = excluded.holder, until = excluded.until
     where leases.holder = excluded.holder or leases.until <= ?`,
  );
  const unlease = db.prepare<[string, string]>('delete from leases where name = ? and holder = ?');

  const overQuota = (intent: Intent, quota: QuotaRequest): ClaimResult | undefined => {
    const { tenant, database } = intent;
    const { now, dayStart: since } = quota;
    const held = concurrent.get({ tenant, now })?.n ?? 0;
    if (held >= quota.concurrentJobs) return { outcome: 'over-quota', quota: 'concurrent_jobs', count: held };
    const today = daily.get({ tenant, now, since })?.n ?? 0;
    if (today >= quota.jobsPerDay) return { outcome: 'over-quota', quota: 'daily_jobs', count: today };
    if (quota.databaseRunningJobs === undefined) return undefined;
    const onDatabase = running.get({ database, now })?.n ?? 0;
    if (onDatabase >= quota.databaseRunningJobs)
      return { outcome: 'over-quota', quota: 'database_running_jobs', count: onDatabase };
    return undefined;
  };

  // Every write transaction is IMMEDIATE: the write lock is taken before the first read, so two processes
  // on one file cannot both see the key free or the quota unspent.
  const claim = db.transaction((intent: Intent, quota: QuotaRequest): ClaimResult => {
    let expired: IntentRow | undefined;
    if (intent.idempotencyKey !== null) {
      const existing = byKey.get(intent.tenant, intent.idempotencyKey);
      if (existing && existing.expires_at! > intent.createdAt)
        return { outcome: 'existing', existing: rowToIntent(existing) };
      expired = existing;
    }
    const refused = overQuota(intent, quota);
    if (refused) return refused;
    if (expired) remove.run(expired.id!);
    insert.run(intentToRow(intent));
    return { outcome: 'claimed' };
  });
  const complete = db.transaction((id: string, c: Completion) => {
    expectState(id, c.from);
    registry.insertOnce(c.record);
    settle.run(c.state, c.at, c.record.ownerName, c.record.jobName, JSON.stringify(c.answer), id);
    audit.append(c.audit);
  });
  const transition = db.transaction((id: string, c: Parameters<IntentStore['transition']>[1]) => {
    setState.run(c.state, c.at, id);
    if (c.audit) audit.append(c.audit);
  });
  const release = db.transaction((id: string, event: AuditEvent | undefined, from?: readonly IntentState[]) => {
    expectState(id, from);
    remove.run(id);
    if (event) audit.append(event);
  });

  return {
    intents: {
      async claim(intent, quota) {
        return claim.immediate(intent, quota);
      },
      async get(tenant, key) {
        const row = byKey.get(tenant, key);
        return row && rowToIntent(row);
      },
      async complete(intentId, completion) {
        complete.immediate(intentId, completion);
      },
      async transition(intentId, change) {
        transition.immediate(intentId, change);
      },
      async release(intentId, event, from) {
        release.immediate(intentId, event, from);
      },
      async list(states, createdBefore) {
        return listByState.all(JSON.stringify(states), createdBefore).map(rowToIntent);
      },
      async find(intentId) {
        const row = byId.get(intentId);
        return row && rowToIntent(row);
      },
    },
    leases: {
      async tryLease(name, holder, ttlMs, now) {
        const until = new Date(Date.parse(now) + ttlMs).toISOString();
        return lease.run(name, holder, until, now).changes > 0;
      },
      async releaseLease(name, holder) {
        unlease.run(name, holder);
      },
    },
  };
}

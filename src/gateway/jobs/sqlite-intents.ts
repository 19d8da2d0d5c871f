/** @module The intent journal, idempotency keys and leases in the SQLite store. */
import type Database from 'better-sqlite3';

import { INTENT_COLUMNS, type IntentRow, intentToRow, rowToIntent } from './intent-rows.js';
import type { JobStore } from './store.js';

type IntentMethods = Pick<
  JobStore,
  'claimIntent' | 'getIntent' | 'updateIntent' | 'deleteIntent' | 'listIntents' | 'tryLease' | 'releaseLease'
>;

export function sqliteIntentMethods(db: Database.Database): IntentMethods {
  const cols = INTENT_COLUMNS.join(', ');
  const insert = db.prepare<IntentRow>(
    `insert into intents (${cols}) values (${INTENT_COLUMNS.map((c) => `@${c}`).join(', ')})`,
  );
  const byKey = db.prepare<[string, string], IntentRow>(
    `select ${cols} from intents where tenant = ? and idempotency_key = ?`,
  );
  const remove = db.prepare<[string]>('delete from intents where id = ?');
  const update = db.prepare<{
    id: string;
    state: string;
    updated_at: string;
    job_owner_name: string | null;
    job_name: string | null;
    answer: string | null;
    set_job: number;
    set_answer: number;
  }>(
    `update intents set state = @state, updated_at = @updated_at,
       job_owner_name = case when @set_job = 1 then @job_owner_name else job_owner_name end,
       job_name = case when @set_job = 1 then @job_name else job_name end,
       answer = case when @set_answer = 1 then @answer else answer end
     where id = @id`,
  );
  const listByState = db.prepare<[string, string], IntentRow>(
    `select ${cols} from intents where state in (select value from json_each(?)) and created_at < ? order by created_at, id`,
  );
  // Take the lease if free, expired, or already ours; `changes` tells whether the row was written.
  const lease = db.prepare<[string, string, string, string]>(
    `insert into leases (name, holder, until) values (?, ?, ?)
     on conflict (name) do update set holder = excluded.holder, until = excluded.until
     where leases.holder = excluded.holder or leases.until <= ?`,
  );
  const unlease = db.prepare<[string, string]>('delete from leases where name = ? and holder = ?');

  // IMMEDIATE: the write lock is taken before the read, so two processes cannot both see the key free.
  const claim = db.transaction((row: IntentRow) => {
    if (row.idempotency_key !== null) {
      const existing = byKey.get(row.tenant!, row.idempotency_key);
      if (existing && existing.expires_at! > row.created_at!)
        return { claimed: false as const, existing: rowToIntent(existing) };
      if (existing) remove.run(existing.id!);
    }
    insert.run(row);
    return { claimed: true as const };
  });

  return {
    async claimIntent(intent) {
      return claim.immediate(intentToRow(intent));
    },
    async getIntent(tenant, key) {
      const row = byKey.get(tenant, key);
      return row && rowToIntent(row);
    },
    async updateIntent(id, patch) {
      update.run({
        id,
        state: patch.state,
        updated_at: patch.updatedAt,
        set_job: patch.job === undefined ? 0 : 1,
        job_owner_name: patch.job?.ownerName ?? null,
        job_name: patch.job?.jobName ?? null,
        set_answer: patch.answer === undefined ? 0 : 1,
        answer: patch.answer ? JSON.stringify(patch.answer) : null,
      });
    },
    async deleteIntent(id) {
      remove.run(id);
    },
    async listIntents(states, createdBefore) {
      return listByState.all(JSON.stringify(states), createdBefore).map(rowToIntent);
    },
    async tryLease(name, holder, ttlMs, now) {
      const until = new Date(Date.parse(now) + ttlMs).toISOString();
      return lease.run(name, holder, until, now).changes > 0;
    },
    async releaseLease(name, holder) {
      unlease.run(name, holder);
    },
  };
}

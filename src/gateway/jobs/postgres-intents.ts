/** @module The intent journal, idempotency keys and leases in the PostgreSQL store (shared by replicas). */
import type pg from 'pg';

import { INTENT_COLUMNS, type IntentRow, intentToRow, rowToIntent } from './intent-rows.js';
import type { JobStore } from './store.js';

type IntentMethods = Pick<
  JobStore,
  'claimIntent' | 'getIntent' | 'updateIntent' | 'deleteIntent' | 'listIntents' | 'tryLease' | 'releaseLease'
>;

export function postgresIntentMethods(pool: pg.Pool, s: string): IntentMethods {
  const cols = INTENT_COLUMNS.map((c) => (c === 'canonical_request' || c === 'answer' ? `${c}::text as ${c}` : c)).join(
    ', ',
  );
  const params = INTENT_COLUMNS.map((c, i) =>
    c === 'canonical_request' || c === 'answer' ? `$${i + 1}::jsonb` : `$${i + 1}`,
  ).join(', ');
  const sql = {
    // The partial unique index on (tenant, idempotency_key) makes the claim atomic across replicas.
    insert: `insert into ${s}.intents (${INTENT_COLUMNS.join(', ')}) values (${params})
      on conflict (tenant, idempotency_key) where idempotency_key is not null do nothing returning id`,
    byKey: `select ${cols} from ${s}.intents where tenant = $1 and idempotency_key = $2`,
    removeExpired: `delete from ${s}.intents where id = $1 and expires_at <= $2`,
    remove: `delete from ${s}.intents where id = $1`,
    update: `update ${s}.intents set state = $2, updated_at = $3,
      job_owner_name = case when $4 then $5 else job_owner_name end,
      job_name = case when $4 then $6 else job_name end,
      answer = case when $7 then $8::jsonb else answer end
      where id = $1`,
    list: `select ${cols} from ${s}.intents where state = any($1::text[]) and created_at < $2 order by created_at, id`,
    lease: `insert into ${s}.leases (name, holder, until) values ($1, $2, $3)
      on conflict (name) do update set holder = excluded.holder, until = excluded.until
      where ${s}.leases.holder = excluded.holder or ${s}.leases.until <= $4 returning name`,
    unlease: `delete from ${s}.leases where name = $1 and holder = $2`,
  };
  const q = <R extends pg.QueryResultRow>(name: keyof typeof sql, values: unknown[]) =>
    pool.query<R>({ name: `dpg_intent_${name}`, text: sql[name], values });

  return {
    async claimIntent(intent) {
      const row = intentToRow(intent);
      // Two rounds at most: a conflicting key that has expired is removed, then the insert is tried again.
      for (let round = 0; round < 2; round++) {
        const inserted = await q(
          'insert',
          INTENT_COLUMNS.map((c) => row[c]),
        );
        if (inserted.rowCount === 1) return { claimed: true };
        const { rows } = await q<IntentRow>('byKey', [intent.tenant, intent.idempotencyKey]);
        const existing = rows[0];
        if (!existing) continue; // it expired and was removed meanwhile: try again
        if (existing.expires_at! > intent.createdAt) return { claimed: false, existing: rowToIntent(existing) };
        await q('removeExpired', [existing.id, intent.createdAt]);
      }
      const { rows } = await q<IntentRow>('byKey', [intent.tenant, intent.idempotencyKey]);
      if (rows[0]) return { claimed: false, existing: rowToIntent(rows[0]) };
      throw new Error('could not claim the idempotency key');
    },
    async getIntent(tenant, key) {
      const { rows } = await q<IntentRow>('byKey', [tenant, key]);
      return rows[0] && rowToIntent(rows[0]);
    },
    async updateIntent(id, patch) {
      await q('update', [
        id,
        patch.state,
        patch.updatedAt,
        patch.job !== undefined,
        patch.job?.ownerName ?? null,
        patch.job?.jobName ?? null,
        patch.answer !== undefined,
        patch.answer ? JSON.stringify(patch.answer) : null,
      ]);
    },
    async deleteIntent(id) {
      await q('remove', [id]);
    },
    async listIntents(states, createdBefore) {
      const { rows } = await q<IntentRow>('list', [[...states], createdBefore]);
      return rows.map(rowToIntent);
    },
    async tryLease(name, holder, ttlMs, now) {
      const until = new Date(Date.parse(now) + ttlMs).toISOString();
      const { rowCount } = await q('lease', [name, holder, until, now]);
      return rowCount === 1;
    },
    async releaseLease(name, holder) {
      await q('unlease', [name, holder]);
    },
  };
}

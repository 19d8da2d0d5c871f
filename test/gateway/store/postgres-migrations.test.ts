// PostgreSQL migrations 4–6 on schemas made by earlier releases (rows as those releases wrote them).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { INTENT_COLUMNS, intentToRow } from '../../../src/gateway/store/intent-rows.js';
import { createPostgresStore } from '../../../src/gateway/store/postgres.js';
import { applyPostgresMigrations, POSTGRES_MIGRATIONS } from '../../../src/gateway/store/postgres-migrations.js';
import {
  AUDIT_COLUMNS,
  auditToRow,
  JOB_COLUMNS,
  JOB_WATCH_COLUMNS,
  jobToRow,
} from '../../../src/gateway/store/sql-rows.js';
import type { AuditEvent, Intent, JobRecord } from '../../../src/gateway/store/types.js';
import { pgQuery, requirePostgres, withPostgresSchema } from '../../helpers/postgres.js';
import { ANSWER, at, auditEvent, completion, intent, job, OPEN_QUOTA } from './fixtures.js';
import { APPLIED_MIGRATION_SHA256, sha256Of } from './migration-digests.js';

const s = withPostgresSchema('migrate');
beforeAll(() => requirePostgres());
afterAll(() => s.cleanup());

/** The jobs columns before migration 6 (what releases up to version 5 wrote). */
const V5_JOB_COLUMNS = JOB_COLUMNS.filter((c) => !(JOB_WATCH_COLUMNS as readonly string[]).includes(c));

/** An intent as the previous release wrote it: no evidence token (the column did not exist). */
const oldIntent = (overrides: Partial<Intent>): Intent => intent({ ...overrides, evidenceToken: null });

/** A schema at version 3 with rows in it, written the way the previous release wrote them (plain inserts). */
async function writeVersion3(rows: { job: JobRecord; intents: Intent[]; audit: AuditEvent[] }): Promise<void> {
  const client = new pg.Client({ connectionString: s.url });
  await client.connect();
  try {
    const v3 = POSTGRES_MIGRATIONS.filter((m) => m.version <= 3);
    await applyPostgresMigrations(
      client as unknown as pg.PoolClient,
      s.schema,
      v3,
      () => new Date('2024-06-01T00:00:00.000Z'),
    );
    const insert = (table: string, columns: readonly string[], row: object) =>
      client.query(
        `insert into "${s.schema}".${table} (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
        columns.map((c) => (row as Record<string, unknown>)[c]),
      );
    await insert('jobs', V5_JOB_COLUMNS, jobToRow(rows.job));
    const v3Intent = INTENT_COLUMNS.filter((c) => c !== 'evidence_token');
    for (const i of rows.intents) await insert('intents', v3Intent, intentToRow(i));
    for (const e of rows.audit) await insert('audit_events', AUDIT_COLUMNS, auditToRow(e));
  } finally {
    await client.end();
  }
}

const checks = () =>
  pgQuery<{ conname: string; def: string }>(
    `select conname, pg_get_constraintdef(oid) as def from pg_constraint
     where conrelid = $1::regclass and contype = 'c' order by conname`,
    [`"${s.schema}".intents`],
  );

describe('PostgreSQL migrations', () => {
  it('1–3 are the previous release’s, verbatim (applied databases have them); 4–6 follow', () => {
    // Pinned digests of what was released: editing an applied migration changes them and fails here.
    expect(POSTGRES_MIGRATIONS.slice(0, 3).map((m) => sha256Of(`${m.version} ${m.name}\n${m.sql('"x"')}`))).toEqual(
      APPLIED_MIGRATION_SHA256.postgres,
    );
    expect(POSTGRES_MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('upgrades a schema at version 3 with rows in it: keeps jobs, intents and audit, then allows the new', async () => {
    const record = job({ jobName: 'OLD_JOB' });
    const pending = oldIntent({ idempotencyKey: 'p' });
    const inDoubt = oldIntent({
      idempotencyKey: 'd',
      createdAt: at(2),
      canonicalRequest: undefined,
      state: 'in-doubt',
      updatedAt: at(4),
    });
    const oldJob = { ownerName: 'HR', jobName: 'OLD_JOB' };
    const created = oldIntent({
      idempotencyKey: 'c',
      createdAt: at(3),
      state: 'created',
      updatedAt: at(5),
      job: oldJob,
      answer: ANSWER,
    });
    const events = [auditEvent({ at: at(1) }), auditEvent({ at: at(2), violations: [{ detail: 'x' }], status: 403 })];
    await writeVersion3({ job: record, intents: [pending, inDoubt, created], audit: events });
    // The name migration 4 drops: PostgreSQL's default for migration 2's unnamed check.
    expect((await checks()).map((c) => c.conname)).toEqual(['intents_state_check']);

    const store = await createPostgresStore({
      url: s.url,
      schema: s.schema,
      poolSize: 2,
      now: () => new Date('2025-06-01T00:00:00.000Z'),
    });
    try {
      expect(await store.registry.find('orcl', 'HR', 'OLD_JOB')).toStrictEqual(record);
      expect(await store.intents.get('hr-team', 'p')).toStrictEqual(pending);
      expect(await store.intents.get('hr-team', 'd')).toStrictEqual(inDoubt);
      expect(await store.intents.get('hr-team', 'c')).toMatchObject({ state: 'created', answer: ANSWER });
      expect(await store.audit.list({ limit: 10 })).toStrictEqual([...events].reverse());
      expect(await store.intents.claim(intent({ idempotencyKey: 'p' }), OPEN_QUOTA)).toMatchObject({
        outcome: 'existing',
      });
      await store.intents.complete(inDoubt.id, completion(job({ jobName: 'FOUND' }), { state: 'recovered' }));
      expect((await store.intents.list(['recovered'], at(99))).map((i) => i.id)).toEqual([inDoubt.id]);
      await store.audit.appendAggregated(events[0]!, 'agg');
      await store.audit.appendAggregated(events[0]!, 'agg');
      expect((await store.audit.list({ limit: 10 })).filter((e) => e.count !== undefined)).toStrictEqual([
        { ...events[0], count: 2 },
      ]);
    } finally {
      await store.close();
    }

    const versions = await pgQuery<{ version: number; applied_at: Date }>(
      `select version, applied_at from "${s.schema}".schema_migrations order by version`,
    );
    expect(versions.map((v) => [v.version, v.applied_at.toISOString()])).toEqual([
      [1, '2024-06-01T00:00:00.000Z'],
      [2, '2024-06-01T00:00:00.000Z'],
      [3, '2024-06-01T00:00:00.000Z'],
      [4, '2025-06-01T00:00:00.000Z'],
      [5, '2025-06-01T00:00:00.000Z'],
      [6, '2025-06-01T00:00:00.000Z'],
    ]);
    const [check] = await checks();
    expect(check?.conname).toBe('intents_state_check');
    expect(check?.def).toContain('recovered');
    expect(await checks()).toHaveLength(1);
    const insertState = (state: string) =>
      pgQuery(
        `insert into "${s.schema}".intents (id, tenant, principal, database_name, fingerprint, operation, job_mode,
         request_id, state, created_at, updated_at, expires_at) values ($1, 't', 'p', 'd', 'f', 'o', 'm', 'r', $2, 'a', 'a', 'a')`,
        [`raw-${state}`, state],
      );
    await expect(insertState('released')).rejects.toThrow(/intents_state_check/);
    await expect(insertState('recovered')).resolves.toEqual([]);
    await expect(pgQuery(`update "${s.schema}".audit_events set count = 0`)).rejects.toThrow(/check constraint/);
    expect(await pgQuery(`select count(*)::int as n from "${s.schema}".intents`)).toEqual([{ n: 4 }]);
  });
  it("6 on a schema at version 5: existing jobs get nulls, are the watcher's to settle, and can be finished", async () => {
    const v5 = withPostgresSchema('migrate_v5');
    try {
      const running = job({ jobName: 'RUNNING', createdAt: at(2) });
      const stateOnly = job({ jobName: 'DONE_BY_STATE', createdAt: at(1), lastState: 'COMPLETED', lastSeenAt: at(3) });
      const client = new pg.Client({ connectionString: v5.url });
      await client.connect();
      try {
        await applyPostgresMigrations(
          client as unknown as pg.PoolClient,
          v5.schema,
          POSTGRES_MIGRATIONS.filter((m) => m.version <= 5),
          () => new Date('2025-03-01T00:00:00.000Z'),
        );
        for (const j of [running, stateOnly]) {
          const row = jobToRow(j) as unknown as Record<string, unknown>;
          await client.query(
            `insert into "${v5.schema}".jobs (${V5_JOB_COLUMNS.join(', ')})
             values (${V5_JOB_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
            V5_JOB_COLUMNS.map((c) => row[c]),
          );
        }
      } finally {
        await client.end();
      }

      const store = await createPostgresStore({
        url: v5.url,
        schema: v5.schema,
        poolSize: 2,
        now: () => new Date('2025-06-01T00:00:00.000Z'),
      });
      try {
        expect(await store.registry.find('orcl', 'HR', 'RUNNING')).toStrictEqual(running);
        expect(await store.registry.find('orcl', 'HR', 'DONE_BY_STATE')).toStrictEqual(stateOnly);
        // No outcome yet, whatever the state says: both are listed for the job watcher, oldest first.
        expect(await store.registry.listUnfinished(10)).toStrictEqual([stateOnly, running]);
        const outcome = { result: 'succeeded', source: 'inferred' } as const;
        await store.registry.finish('orcl', 'HR', 'DONE_BY_STATE', {
          state: 'COMPLETED',
          outcome,
          files: null,
          logTail: null,
          at: at(9),
        });
        expect(await store.registry.find('orcl', 'HR', 'DONE_BY_STATE')).toStrictEqual({
          ...stateOnly,
          lastSeenAt: at(9),
          outcome,
        });
        expect(await store.registry.listUnfinished(10)).toStrictEqual([running]);
      } finally {
        await store.close();
      }

      const t = `"${v5.schema}".jobs`;
      expect(await pgQuery(`select version from "${v5.schema}".schema_migrations where version = 6`)).toEqual([
        { version: 6 },
      ]);
      expect(await pgQuery(`select outcome, finished_at from ${t} where job_name = 'DONE_BY_STATE'`)).toEqual([
        { outcome: { result: 'succeeded', source: 'inferred' }, finished_at: at(9) },
      ]);
      const set = (assignments: string) => pgQuery(`update ${t} set ${assignments} where job_name = 'RUNNING'`);
      await expect(set(`files = '{"a":1}'`)).rejects.toThrow(/jobs_files_check/);
      await expect(set(`outcome = '["x"]', finished_at = 'x'`)).rejects.toThrow(/jobs_outcome_check/);
      await expect(set(`outcome = '{"result":"failed","source":"ords"}'`)).rejects.toThrow(/jobs_finished_check/);
      await expect(set(`finished_at = 'x'`)).rejects.toThrow(/jobs_finished_check/);
      await expect(set(`files = '[]', log_tail = ''`)).resolves.toEqual([]);
    } finally {
      await v5.cleanup();
    }
  });
});

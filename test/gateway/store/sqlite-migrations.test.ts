// SQLite migrations 4–6 on databases made by earlier releases (rows as those releases wrote them).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { INTENT_COLUMNS, intentToRow } from '../../../src/gateway/store/intent-rows.js';
import {
  AUDIT_COLUMNS,
  auditToRow,
  JOB_COLUMNS,
  JOB_WATCH_COLUMNS,
  jobToRow,
} from '../../../src/gateway/store/sql-rows.js';
import { createSqliteStore } from '../../../src/gateway/store/sqlite.js';
import { applySqliteMigrations, SQLITE_MIGRATIONS } from '../../../src/gateway/store/sqlite-migrations.js';
import type { AuditEvent, Intent, JobRecord } from '../../../src/gateway/store/types.js';
import { ANSWER, at, auditEvent, completion, intent, job, OPEN_QUOTA } from './fixtures.js';
import { APPLIED_MIGRATION_SHA256, sha256Of } from './migration-digests.js';

const dir = mkdtempSync(join(tmpdir(), 'dpg-store-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The jobs columns before migration 6 (what releases up to version 5 wrote). */
const V5_JOB_COLUMNS = JOB_COLUMNS.filter((c) => !(JOB_WATCH_COLUMNS as readonly string[]).includes(c));

/** An intent as the previous release wrote it: no evidence token (the column did not exist). */
const oldIntent = (overrides: Partial<Intent>): Intent => intent({ ...overrides, evidenceToken: null });

/** A database at version 3 with rows in it, written the way the previous release wrote them (plain inserts). */
function writeVersion3(path: string, rows: { job: JobRecord; intents: Intent[]; audit: AuditEvent[] }): void {
  const db = new Database(path);
  try {
    applySqliteMigrations(
      db,
      SQLITE_MIGRATIONS.filter((m) => m.version <= 3),
      () => new Date('2024-06-01T00:00:00.000Z'),
    );
    const insert = (table: string, columns: readonly string[], row: object) =>
      db
        .prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`)
        .run(row);
    insert('jobs', V5_JOB_COLUMNS, jobToRow(rows.job));
    const v3Intent = INTENT_COLUMNS.filter((c) => c !== 'evidence_token');
    for (const i of rows.intents) insert('intents', v3Intent, intentToRow(i));
    for (const e of rows.audit) insert('audit_events', AUDIT_COLUMNS, auditToRow(e));
  } finally {
    db.close();
  }
}

describe('SQLite migrations', () => {
  it('1–3 are the previous release’s, verbatim (applied databases have them); 4–6 follow', () => {
    // Pinned digests of what was released: editing an applied migration changes them and fails here.
    expect(SQLITE_MIGRATIONS.slice(0, 3).map((m) => sha256Of(`${m.version} ${m.name}\n${m.sql}`))).toEqual(
      APPLIED_MIGRATION_SHA256.sqlite,
    );
    expect(SQLITE_MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('upgrades a database at version 3 with rows in it: keeps jobs, intents and audit, then allows the new', async () => {
    const path = join(dir, 'v3.db');
    const record = job({ jobName: 'OLD_JOB' });
    const pending = oldIntent({ idempotencyKey: 'p' });
    const inDoubt = oldIntent({
      idempotencyKey: 'd',
      createdAt: at(2),
      canonicalRequest: undefined,
      state: 'in-doubt',
      updatedAt: at(4),
    });
    const job2 = { ownerName: 'HR', jobName: 'OLD_JOB' };
    const created = oldIntent({
      idempotencyKey: 'c',
      createdAt: at(3),
      state: 'created',
      updatedAt: at(5),
      job: job2,
      answer: ANSWER,
    });
    const events = [auditEvent({ at: at(1) }), auditEvent({ at: at(2), violations: [{ detail: 'x' }], status: 403 })];
    writeVersion3(path, { job: record, intents: [pending, inDoubt, created], audit: events });

    const store = createSqliteStore({ path, now: () => new Date('2025-06-01T00:00:00.000Z') });
    try {
      expect(await store.registry.find('orcl', 'HR', 'OLD_JOB')).toStrictEqual(record);
      expect(await store.intents.get('hr-team', 'p')).toStrictEqual(pending);
      expect(await store.intents.get('hr-team', 'd')).toStrictEqual(inDoubt);
      expect(await store.intents.get('hr-team', 'c')).toMatchObject({ state: 'created', job: job2, answer: ANSWER });
      expect(await store.audit.list({ limit: 10 })).toStrictEqual([...events].reverse());
      // The rebuilt table still has its unique key and its state check, now with 'recovered'.
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

    const db = new Database(path);
    try {
      expect(db.prepare('select version, applied_at from schema_migrations order by version').all()).toEqual([
        { version: 1, applied_at: '2024-06-01T00:00:00.000Z' },
        { version: 2, applied_at: '2024-06-01T00:00:00.000Z' },
        { version: 3, applied_at: '2024-06-01T00:00:00.000Z' },
        { version: 4, applied_at: '2025-06-01T00:00:00.000Z' },
        { version: 5, applied_at: '2025-06-01T00:00:00.000Z' },
        { version: 6, applied_at: '2025-06-01T00:00:00.000Z' },
      ]);
      const insertState = (state: string) =>
        db
          .prepare(
            `insert into intents (id, tenant, principal, database_name, fingerprint, operation, job_mode, request_id,
             state, created_at, updated_at, expires_at) values (?, 't', 'p', 'd', 'f', 'o', 'm', 'r', ?, 'a', 'a', 'a')`,
          )
          .run(`raw-${state}`, state);
      expect(() => insertState('released')).toThrow(/CHECK constraint failed/);
      expect(() => insertState('recovered')).not.toThrow();
      expect(() => db.prepare("update audit_events set count = 0 where aggregate_key = 'agg'").run()).toThrow(/CHECK/);
      expect(db.prepare('select count(*) as n from intents').get()).toEqual({ n: 4 });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
  it("6 on a database at version 5: existing jobs get nulls, are the watcher's to settle, and can be finished", async () => {
    const path = join(dir, 'v5.db');
    const running = job({ jobName: 'RUNNING', createdAt: at(2) });
    const stateOnly = job({ jobName: 'DONE_BY_STATE', createdAt: at(1), lastState: 'COMPLETED', lastSeenAt: at(3) });
    const db = new Database(path);
    try {
      applySqliteMigrations(
        db,
        SQLITE_MIGRATIONS.filter((m) => m.version <= 5),
        () => new Date('2025-03-01T00:00:00.000Z'),
      );
      const cols = V5_JOB_COLUMNS.join(', ');
      const insert = db.prepare(`insert into jobs (${cols}) values (${V5_JOB_COLUMNS.map((c) => `@${c}`).join(', ')})`);
      for (const j of [running, stateOnly]) {
        const row = jobToRow(j) as unknown as Record<string, unknown>;
        insert.run(Object.fromEntries(V5_JOB_COLUMNS.map((c) => [c, row[c]])));
      }
    } finally {
      db.close();
    }

    const store = createSqliteStore({ path, now: () => new Date('2025-06-01T00:00:00.000Z') });
    try {
      expect(await store.registry.find('orcl', 'HR', 'RUNNING')).toStrictEqual(running);
      expect(await store.registry.find('orcl', 'HR', 'DONE_BY_STATE')).toStrictEqual(stateOnly);
      // No outcome yet, whatever the state says: both are listed for the job watcher, oldest first.
      expect(await store.registry.listUnfinished(10)).toStrictEqual([stateOnly, running]);
      const outcome = { result: 'succeeded', source: 'inferred' } as const;
      const end = { state: 'COMPLETED', outcome, files: null, logTail: null, at: at(9) };
      await store.registry.finish('orcl', 'HR', 'DONE_BY_STATE', end);
      expect(await store.registry.find('orcl', 'HR', 'DONE_BY_STATE')).toStrictEqual({
        ...stateOnly,
        lastSeenAt: at(9),
        outcome,
      });
      expect(await store.registry.listUnfinished(10)).toStrictEqual([running]);
    } finally {
      await store.close();
    }

    const after = new Database(path);
    try {
      expect(after.prepare('select version from schema_migrations where version = 6').get()).toEqual({ version: 6 });
      expect(after.prepare("select outcome, finished_at from jobs where job_name = 'DONE_BY_STATE'").get()).toEqual({
        outcome: '{"result":"succeeded","source":"inferred"}',
        finished_at: at(9),
      });
      const set = (assignments: string) =>
        after.prepare(`update jobs set ${assignments} where job_name = 'RUNNING'`).run();
      expect(() => set(`files = '{"a":1}'`)).toThrow(/CHECK constraint failed/);
      expect(() => set(`files = 'not json'`)).toThrow(/CHECK constraint failed/);
      expect(() => set(`outcome = '["x"]', finished_at = 'x'`)).toThrow(/CHECK constraint failed/);
      expect(() => set(`outcome = '{"result":"failed","source":"ords"}'`)).toThrow(/CHECK constraint failed/);
      expect(() => set(`finished_at = 'x'`)).toThrow(/CHECK constraint failed/);
      expect(() => set(`files = '[]', log_tail = ''`)).not.toThrow();
      expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      after.close();
    }
  });
});

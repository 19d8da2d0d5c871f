// The SQLite state store: the shared contract on a file and in memory, plus files, WAL, indexes and two connections.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { JOB_COLUMNS } from '../../../src/gateway/store/sql-rows.js';
import { createSqliteStore } from '../../../src/gateway/store/sqlite.js';
import { SQLITE_MIGRATIONS } from '../../../src/gateway/store/sqlite-migrations.js';
import type { ClaimResult } from '../../../src/gateway/store/types.js';
import { intent, job, OPEN_QUOTA, quota, seed } from './fixtures.js';
import { describeStateStore } from './suite.js';

const dir = mkdtempSync(join(tmpdir(), 'dpg-store-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const freshPath = () => join(dir, `run-${files++}`, 'nested', 'gateway.db');

describeStateStore('sqlite file', async () => {
  const store = createSqliteStore({ path: freshPath() });
  return { store, cleanup: () => store.close() };
});

describeStateStore('sqlite :memory:', async () => {
  const store = createSqliteStore({ path: ':memory:' });
  return { store, cleanup: () => store.close() };
});

/** Reads the file with a second, independent connection (what an operator's sqlite3 shell would see). */
function inspect<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('SQLite state store specifics', () => {
  it('creates missing directories, uses WAL, records each migration once with the injected clock', async () => {
    const path = freshPath();
    const store = createSqliteStore({ path, now: () => new Date('2025-02-03T04:05:06.007Z') });
    await seed(store, job());
    await store.close();
    inspect(path, (db) => {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('select version, name, applied_at from schema_migrations order by version').all()).toEqual(
        SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: '2025-02-03T04:05:06.007Z' })),
      );
      expect(SQLITE_MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6]);
      const indexes = db
        .prepare("select name from sqlite_master where type = 'index' and name not like 'sqlite_%' order by name")
        .all();
      expect(indexes.map((r) => (r as { name: string }).name)).toEqual([
        'audit_aggregate',
        'audit_at',
        'audit_tenant_at',
        'export_files_created',
        'export_files_prefix',
        'intents_key',
        'intents_reserving_database',
        'intents_reserving_tenant',
        'intents_state',
        'jobs_active',
        'jobs_created',
        'jobs_database_active',
        'jobs_tenant_created',
        'jobs_tenant_listing',
        'jobs_unfinished',
      ]);
    });
  });

  it('the listing and every count of a claim are answered from indexes, without sorting or scanning a table', async () => {
    const path = freshPath();
    await createSqliteStore({ path }).close();
    inspect(path, (db) => {
      const plan = (sql: string) =>
        db
          .prepare(`explain query plan ${sql}`)
          .all()
          .map((r) => (r as { detail: string }).detail)
          .join(' | ');
      const listing = plan(
        "select * from jobs where tenant = 'a' and database_name = 'b' order by created_at desc, job_name, owner_name limit 5 offset 0",
      );
      expect(listing).toContain('jobs_tenant_listing');
      expect(listing).not.toContain('TEMP B-TREE');
      const unfinished = "last_state not in ('COMPLETED', 'STOPPED', 'NOT RUNNING')";
      const reserving = "state in ('pending', 'in-doubt', 'quarantined') and expires_at > 'x'";
      const counts: [string, RegExp][] = [
        [`select count(*) from jobs where tenant = 'a' and ${unfinished}`, /jobs_active/],
        [`select count(*) from jobs where tenant = 'a' and created_at >= 'x'`, /jobs_tenant_(created|listing)/],
        [`select count(*) from jobs where database_name = 'd' and ${unfinished}`, /jobs_database_active/],
        [`select count(*) from intents where ${reserving} and tenant = 'a'`, /intents_reserving_tenant/],
        [
          `select count(*) from intents where ${reserving} and tenant = 'a' and created_at >= 'x'`,
          /intents_reserving_tenant/,
        ],
        [`select count(*) from intents where ${reserving} and database_name = 'd'`, /intents_reserving_database/],
      ];
      for (const [sql, index] of counts) {
        expect(plan(sql), sql).toMatch(index);
        expect(plan(sql), sql).not.toMatch(/SCAN (jobs|intents)$|SCAN (jobs|intents) \|/);
      }
      expect(plan("select * from audit_events where tenant = 'a' order by at desc, id desc limit 5")).not.toContain(
        'TEMP B-TREE',
      );
    });
  });

  it("the job watcher's listUnfinished is answered from jobs_unfinished, in its order: no table scan, no sort", async () => {
    const path = freshPath();
    const store = createSqliteStore({ path });
    // Many finished jobs and a few unfinished ones, then ANALYZE: the planner must still choose the index.
    for (let i = 0; i < 60; i++)
      await seed(store, job({ jobName: `J${i}`, createdAt: `2025-01-15T08:${String(i).padStart(2, '0')}:00.000Z` }));
    for (let i = 0; i < 55; i++)
      await store.registry.finish('orcl', 'HR', `J${i}`, {
        state: 'COMPLETED',
        outcome: { result: 'succeeded', source: 'ords' },
        files: null,
        logTail: null,
        at: '2025-01-15T10:00:00.000Z',
      });
    expect((await store.registry.listUnfinished(3)).map((j) => j.jobName)).toEqual(['J55', 'J56', 'J57']);
    await store.close();
    const db = new Database(path);
    try {
      db.exec('analyze');
      // The statement as the store prepares it (every job column), limit bound.
      const detail = db
        .prepare(
          `explain query plan select ${JOB_COLUMNS.join(', ')} from jobs where outcome is null
           order by created_at, job_name, owner_name limit ?`,
        )
        .all(5)
        .map((r) => (r as { detail: string }).detail)
        .join(' | ');
      expect(detail).toContain('jobs_unfinished');
      expect(detail).not.toContain('TEMP B-TREE');
      expect(detail).not.toMatch(/SCAN jobs$|SCAN jobs \|/);
    } finally {
      db.close();
    }
  });

  it('reopening keeps the data and applies no migration twice', async () => {
    const path = freshPath();
    const first = createSqliteStore({ path, now: () => new Date('2025-01-01T00:00:00.000Z') });
    await seed(first, job());
    await first.close();
    const second = createSqliteStore({ path, now: () => new Date('2030-01-01T00:00:00.000Z') });
    expect(await second.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(job());
    await second.close();
    inspect(path, (db) => {
      expect(db.prepare('select applied_at from schema_migrations').all()).toEqual(
        SQLITE_MIGRATIONS.map(() => ({ applied_at: '2025-01-01T00:00:00.000Z' })),
      );
    });
  });

  it('two stores on one file (two processes) share the records and one quota', async () => {
    const path = freshPath();
    const a = createSqliteStore({ path });
    const b = createSqliteStore({ path });
    try {
      await Promise.all([seed(a, job({ jobName: 'FROM_A' })), seed(b, job({ jobName: 'FROM_B' }))]);
      expect((await a.registry.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(2);
      expect(await b.registry.find('orcl', 'HR', 'FROM_A')).toBeDefined();
      const limits = quota({ concurrentJobs: 12 });
      const results: ClaimResult[] = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).intents.claim(intent({ idempotencyKey: null }), limits)),
      );
      expect(results.filter((r) => r.outcome === 'claimed')).toHaveLength(10);
      expect(await a.intents.list(['pending'], '9999')).toHaveLength(10);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a path it cannot create fails at once; after close every operation rejects and close is idempotent', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    expect(() => createSqliteStore({ path: join(blocker, 'gateway.db') })).toThrow();
    const store = createSqliteStore({ path: ':memory:' });
    await store.close();
    await expect(store.health.ping()).rejects.toBeInstanceOf(Error);
    await expect(store.intents.claim(intent(), OPEN_QUOTA)).rejects.toBeInstanceOf(Error);
    await expect(store.registry.listForTenant('hr-team', 'orcl', { limit: 1, offset: 0 })).rejects.toBeInstanceOf(
      Error,
    );
    await expect(store.audit.list({ limit: 1 })).rejects.toBeInstanceOf(Error);
    await expect(store.close()).resolves.toBeUndefined();
  });
});

// The SQLite job store: the shared contract on a file and in memory, plus file handling, WAL and migrations.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { SQLITE_MIGRATIONS } from '../../../src/gateway/jobs/sqlite-migrations.js';
import { createSqliteJobStore } from '../../../src/gateway/jobs/sqlite-store.js';
import { job } from './store-fixtures.js';
import { describeJobStore } from './store-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'dpg-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const freshPath = () => join(dir, `run-${files++}`, 'nested', 'gateway.db');

describeJobStore('sqlite file', async () => {
  const store = createSqliteJobStore({ path: freshPath() });
  return { store, cleanup: () => store.close() };
});

describeJobStore('sqlite :memory:', async () => {
  const store = createSqliteJobStore({ path: ':memory:' });
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

describe('SQLite job store specifics', () => {
  it('creates missing directories, uses WAL, records each migration once with the injected clock', async () => {
    const path = freshPath();
    const store = createSqliteJobStore({ path, now: () => new Date('2025-02-03T04:05:06.007Z') });
    await store.record(job());
    await store.close();
    inspect(path, (db) => {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('select version, name, applied_at from schema_migrations order by version').all()).toEqual(
        SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: '2025-02-03T04:05:06.007Z' })),
      );
      const indexes = db
        .prepare("select name from sqlite_master where type = 'index' and name not like 'sqlite_%' order by name")
        .all();
      expect(indexes.map((r) => (r as { name: string }).name)).toEqual([
        'audit_at',
        'audit_tenant_at',
        'intents_key',
        'intents_state',
        'jobs_active',
        'jobs_created',
        'jobs_tenant_created',
        'jobs_tenant_listing',
      ]);
    });
  });

  it('the listing and the quota counts are answered from indexes, without sorting', async () => {
    const path = freshPath();
    await createSqliteJobStore({ path }).close();
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
      expect(plan("select count(*) from jobs where tenant = 'a' and created_at >= 'x'")).toMatch(
        /jobs_tenant_(created|listing)/,
      );
      // The concurrent-jobs count reads only unfinished jobs, through the partial index.
      expect(
        plan(
          "select count(*) as n from jobs where tenant = 'a' and last_state not in ('COMPLETED', 'STOPPED', 'NOT RUNNING')",
        ),
      ).toContain('jobs_active');
      expect(plan("select * from audit_events where tenant = 'a' order by at desc, id desc limit 5")).not.toContain(
        'TEMP B-TREE',
      );
    });
  });

  it('reopening keeps the data and applies no migration twice', async () => {
    const path = freshPath();
    const first = createSqliteJobStore({ path, now: () => new Date('2025-01-01T00:00:00.000Z') });
    await first.record(job());
    await first.close();
    const second = createSqliteJobStore({ path, now: () => new Date('2030-01-01T00:00:00.000Z') });
    expect(await second.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(job());
    await second.close();
    inspect(path, (db) => {
      expect(db.prepare('select applied_at from schema_migrations').all()).toEqual(
        SQLITE_MIGRATIONS.map(() => ({ applied_at: '2025-01-01T00:00:00.000Z' })),
      );
    });
  });

  it("two stores on one file (two processes) see each other's writes", async () => {
    const path = freshPath();
    const a = createSqliteJobStore({ path });
    const b = createSqliteJobStore({ path });
    await Promise.all([a.record(job({ jobName: 'FROM_A' })), b.record(job({ jobName: 'FROM_B' }))]);
    expect((await a.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(2);
    expect(await b.find('orcl', 'HR', 'FROM_A')).toBeDefined();
    await Promise.all([a.close(), b.close()]);
  });

  it('a path it cannot create fails at once; after close every operation rejects and close is idempotent', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    expect(() => createSqliteJobStore({ path: join(blocker, 'gateway.db') })).toThrow();
    const store = createSqliteJobStore({ path: ':memory:' });
    await store.close();
    await expect(store.ping()).rejects.toBeInstanceOf(Error);
    await expect(store.record(job())).rejects.toBeInstanceOf(Error);
    await expect(store.listForTenant('hr-team', 'orcl', { limit: 1, offset: 0 })).rejects.toBeInstanceOf(Error);
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('migration versions are unique and increasing', () => {
    const versions = SQLITE_MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((x, y) => x - y));
    expect(versions[0]).toBe(1);
  });
});

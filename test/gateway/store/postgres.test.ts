// The PostgreSQL state store against the real server: the shared contract, migrations, replicas and their races.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPostgresStore, type PostgresStoreOptions } from '../../../src/gateway/store/postgres.js';
import { POSTGRES_MIGRATIONS } from '../../../src/gateway/store/postgres-migrations.js';
import { statements } from '../../../src/gateway/store/postgres-sql.js';
import type { ClaimResult, StateStore } from '../../../src/gateway/store/types.js';
import { pgQuery, requirePostgres, type TestSchema, withPostgresSchema } from '../../helpers/postgres.js';
import { at, completion, intent, job, quota, seed } from './fixtures.js';
import { describeStateStore } from './suite.js';

// Every schema this file makes is remembered, so afterAll drops them even when a test failed half-way.
const schemas: TestSchema[] = [];
const newSchema = () => {
  const s = withPostgresSchema('store');
  schemas.push(s);
  return s;
};
const open = (s: TestSchema, extra: Partial<PostgresStoreOptions> = {}) =>
  createPostgresStore({ url: s.url, schema: s.schema, poolSize: 4, ...extra });

beforeAll(() => requirePostgres());
afterAll(async () => {
  await Promise.all(schemas.map((s) => s.cleanup()));
});

describeStateStore('postgres', async () => {
  const s = newSchema();
  const store = await open(s);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await s.cleanup();
    },
  };
});

/** Two stores (two pools: two replicas) on one fresh schema, closed after `fn`. */
async function twoReplicas(fn: (a: StateStore, b: StateStore) => Promise<void>): Promise<void> {
  const s = newSchema();
  const a = await open(s, { poolSize: 5 });
  const b = await open(s, { poolSize: 5 });
  try {
    await fn(a, b);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

const claimed = (results: readonly ClaimResult[]) => results.filter((r) => r.outcome === 'claimed').length;

describe('PostgreSQL state store specifics', () => {
  it('refuses schema names that are not plain lower-case identifiers, before connecting', async () => {
    for (const schema of [
      'Public',
      'a-b',
      'x"; drop schema public cascade; --',
      '',
      '1abc',
      'a'.repeat(64),
      'dpg test',
    ]) {
      await expect(createPostgresStore({ url: 'postgres://nobody@127.0.0.1:1/none', schema })).rejects.toThrow(
        /invalid PostgreSQL schema name/,
      );
    }
  });

  it('creates the schema, its tables and indexes, and records each migration once with the injected clock', async () => {
    const s = newSchema();
    await (await open(s, { now: () => new Date('2025-02-03T04:05:06.007Z') })).close();
    const migrations = await pgQuery(
      `select version, name, applied_at from "${s.schema}".schema_migrations order by version`,
    );
    expect(migrations).toEqual(
      POSTGRES_MIGRATIONS.map((m) => ({
        version: m.version,
        name: m.name,
        applied_at: new Date('2025-02-03T04:05:06.007Z'),
      })),
    );
    expect(POSTGRES_MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6]);
    const indexes = await pgQuery<{ indexname: string }>(
      "select indexname from pg_indexes where schemaname = $1 and indexname not like '%_pkey' order by indexname",
      [s.schema],
    );
    expect(indexes.map((r) => r.indexname)).toEqual([
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

  it('every count of a claim can be answered from an index', async () => {
    const s = newSchema();
    await (await open(s)).close();
    const client = new pg.Client({ connectionString: s.url });
    await client.connect();
    try {
      // The tables are empty, so the planner would scan them; forbid that to see which index it would use.
      await client.query('set enable_seqscan = off');
      const plan = async (sql: string) =>
        (await client.query<{ 'QUERY PLAN': string }>(`explain ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      const t = `"${s.schema}"`;
      const unfinished = "last_state not in ('COMPLETED', 'STOPPED', 'NOT RUNNING')";
      const reserving = "state in ('pending', 'in-doubt', 'quarantined') and expires_at > 'x'";
      const counts: [string, string][] = [
        [`select count(*) from ${t}.jobs where tenant = 'a' and ${unfinished}`, 'jobs_active'],
        [`select count(*) from ${t}.jobs where database_name = 'd' and ${unfinished}`, 'jobs_database_active'],
        [`select count(*) from ${t}.intents where ${reserving} and tenant = 'a'`, 'intents_reserving_tenant'],
        [`select count(*) from ${t}.intents where ${reserving} and database_name = 'd'`, 'intents_reserving_database'],
      ];
      for (const [sql, index] of counts) {
        const p = await plan(sql);
        expect(p, sql).toContain(index);
        expect(p, sql).not.toContain('Seq Scan');
      }
    } finally {
      await client.end();
    }
  });

  it("the job watcher's listUnfinished is answered from jobs_unfinished, in its order: no sequential scan, no sort", async () => {
    const s = newSchema();
    const store = await open(s);
    try {
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
    } finally {
      await store.close();
    }
    const client = new pg.Client({ connectionString: s.url });
    await client.connect();
    try {
      await client.query(`analyze "${s.schema}".jobs`);
      // A table this small could be scanned and sorted as cheaply; forbid that to see the plan a large one gets.
      await client.query('set enable_seqscan = off');
      await client.query('set enable_sort = off');
      const sql = statements(`"${s.schema}"`).listUnfinished.replace('$1', '5');
      const p = (await client.query<{ 'QUERY PLAN': string }>(`explain ${sql}`)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(p).toContain('jobs_unfinished');
      expect(p).not.toContain('Seq Scan');
      expect(p).not.toContain('Sort');
    } finally {
      await client.end();
    }
  });

  it('replicas starting at once on a fresh schema all succeed (advisory lock), migrate once, share records', async () => {
    const s = newSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(s, { poolSize: 2 })));
    try {
      await Promise.all(stores.map((st, i) => seed(st, job({ jobName: `REPLICA_${i}` }))));
      for (const st of stores)
        expect((await st.registry.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(4);
      expect(await stores[0]!.registry.find('orcl', 'HR', 'REPLICA_3')).toStrictEqual(job({ jobName: 'REPLICA_3' }));
      expect(await pgQuery(`select version from "${s.schema}".schema_migrations`)).toHaveLength(
        POSTGRES_MIGRATIONS.length,
      );
    } finally {
      await Promise.all(stores.map((st) => st.close()));
    }
  });

  it('reopening keeps the data and applies nothing twice; close is idempotent', async () => {
    const s = newSchema();
    const first = await open(s, { now: () => new Date('2025-01-01T00:00:00.000Z') });
    await seed(first, job());
    await first.close();
    await first.close();
    const second = await open(s, { now: () => new Date('2030-01-01T00:00:00.000Z') });
    expect(await second.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(job());
    await second.close();
    const rows = await pgQuery<{ applied_at: Date }>(`select applied_at from "${s.schema}".schema_migrations`);
    expect(rows.map((r) => r.applied_at.toISOString())).toEqual(
      POSTGRES_MIGRATIONS.map(() => '2025-01-01T00:00:00.000Z'),
    );
  });
});

describe('PostgreSQL: two replicas (two pools) on one schema', () => {
  it('40 concurrent claims split across them with concurrentJobs 10: still exactly 10', async () => {
    await twoReplicas(async (a, b) => {
      const limits = quota({ concurrentJobs: 10 });
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? a : b).intents.claim(intent({ idempotencyKey: `k${i}` }), limits),
        ),
      );
      expect(claimed(results)).toBe(10);
      for (const r of results)
        if (r.outcome !== 'claimed') expect(r).toEqual({ outcome: 'over-quota', quota: 'concurrent_jobs', count: 10 });
      expect(await a.intents.list(['pending'], at(99))).toHaveLength(10);
    });
  });

  it('40 concurrent claims split across them with jobsPerDay 10: still exactly 10', async () => {
    await twoReplicas(async (a, b) => {
      const limits = quota({ jobsPerDay: 10 });
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).intents.claim(intent({ idempotencyKey: null }), limits)),
      );
      expect(claimed(results)).toBe(10);
      expect(await b.intents.list(['pending'], at(99))).toHaveLength(10);
    });
  });

  it('40 claims of four tenants on one database, databaseRunningJobs 10, across both: exactly 10', async () => {
    await twoReplicas(async (a, b) => {
      const limits = quota({ concurrentJobs: 100, databaseRunningJobs: 10 });
      const tenants = ['t1', 't2', 't3', 't4'];
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? a : b).intents.claim(intent({ tenant: tenants[i % 4], idempotencyKey: null }), limits),
        ),
      );
      expect(claimed(results)).toBe(10);
    });
  });

  it('20 concurrent claims of one key across both: exactly one wins', async () => {
    await twoReplicas(async (a, b) => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).intents.claim(intent({ idempotencyKey: 'race' }), quota()),
        ),
      );
      expect(claimed(results)).toBe(1);
      expect(results.filter((r) => r.outcome === 'existing')).toHaveLength(19);
    });
  });

  it('two tenants completing one job on different replicas: one records it, the other is refused', async () => {
    await twoReplicas(async (a, b) => {
      const ia = intent({ tenant: 'ta' });
      const ib = intent({ tenant: 'tb' });
      await a.intents.claim(ia, quota());
      await b.intents.claim(ib, quota());
      const settled = await Promise.allSettled([
        a.intents.complete(ia.id, completion(job({ tenant: 'ta' }))),
        b.intents.complete(ib.id, completion(job({ tenant: 'tb' }))),
      ]);
      expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
      const winner = settled[0]!.status === 'fulfilled' ? 'ta' : 'tb';
      expect((await a.registry.find('orcl', 'HR', 'EXPORT_HR_1'))!.tenant).toBe(winner);
      expect(await b.audit.list({ limit: 10 })).toHaveLength(1);
    });
  });
});

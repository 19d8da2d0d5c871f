// The PostgreSQL job store against the real server: the shared contract, migrations under concurrency, outages.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { POSTGRES_MIGRATIONS } from '../../../src/gateway/jobs/postgres-migrations.js';
import { createPostgresJobStore, type PostgresJobStoreOptions } from '../../../src/gateway/jobs/postgres-store.js';
import type { JobStore } from '../../../src/gateway/jobs/store.js';
import {
  pgQuery,
  requirePostgres,
  TEST_DATABASE_URL,
  type TestSchema,
  withPostgresSchema,
} from '../../helpers/postgres.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { job } from './store-fixtures.js';
import { describeJobStore } from './store-suite.js';

// Every schema this file makes is remembered, so afterAll drops them even when a test failed half-way.
const schemas: TestSchema[] = [];
const newSchema = () => {
  const s = withPostgresSchema('jobs');
  schemas.push(s);
  return s;
};
const open = (s: TestSchema, extra: Partial<PostgresJobStoreOptions> = {}) =>
  createPostgresJobStore({ url: s.url, schema: s.schema, poolSize: 4, ...extra });

beforeAll(() => requirePostgres());
afterAll(async () => {
  await Promise.all(schemas.map((s) => s.cleanup()));
});

describeJobStore('postgres', async () => {
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

describe('PostgreSQL job store specifics', () => {
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
      await expect(createPostgresJobStore({ url: 'postgres://nobody@127.0.0.1:1/none', schema })).rejects.toThrow(
        /invalid PostgreSQL schema name/,
      );
    }
  });

  it('creates the schema, its tables and indexes, and records each migration once with the injected clock', async () => {
    const s = newSchema();
    const store = await open(s, { now: () => new Date('2025-02-03T04:05:06.007Z') });
    await store.close();
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
    const indexes = await pgQuery<{ indexname: string }>(
      'select indexname from pg_indexes where schemaname = $1 order by indexname',
      [s.schema],
    );
    expect(indexes.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'audit_at',
        'audit_tenant_at',
        'jobs_active',
        'jobs_created',
        'jobs_tenant_created',
        'jobs_tenant_listing',
      ]),
    );
  });

  it('replicas starting at once on a fresh schema all succeed (advisory lock), migrate once, share records', async () => {
    const s = newSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(s, { poolSize: 2 })));
    try {
      await Promise.all(stores.map((st, i) => st.record(job({ jobName: `REPLICA_${i}` }))));
      for (const st of stores)
        expect((await st.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(4);
      expect(await stores[0]!.find('orcl', 'HR', 'REPLICA_3')).toStrictEqual(job({ jobName: 'REPLICA_3' }));
      const rows = await pgQuery(`select version from "${s.schema}".schema_migrations`);
      expect(rows).toHaveLength(POSTGRES_MIGRATIONS.length);
    } finally {
      await Promise.all(stores.map((st) => st.close()));
    }
  });

  it('reopening keeps the data and applies nothing twice; close is idempotent', async () => {
    const s = newSchema();
    const first = await open(s, { now: () => new Date('2025-01-01T00:00:00.000Z') });
    await first.record(job());
    await first.close();
    await first.close();
    const second = await open(s, { now: () => new Date('2030-01-01T00:00:00.000Z') });
    expect(await second.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(job());
    await second.close();
    const rows = await pgQuery<{ applied_at: Date }>(`select applied_at from "${s.schema}".schema_migrations`);
    expect(rows.map((r) => r.applied_at.toISOString())).toEqual(
      POSTGRES_MIGRATIONS.map(() => '2025-01-01T00:00:00.000Z'),
    );
  });

  it('an unreachable server: start-up fails, and a running store rejects every call and ping, then recovers', async () => {
    const s = newSchema();
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const via = new URL(TEST_DATABASE_URL);
    via.hostname = '127.0.0.1';
    via.port = String(proxy.port);
    let store: JobStore | undefined;
    try {
      store = await createPostgresJobStore({
        url: via.href,
        schema: s.schema,
        poolSize: 2,
        connectionTimeoutMs: 1_000,
      });
      await store.record(job());

      await proxy.cut();
      const calls: [string, () => Promise<unknown>][] = [
        ['ping', () => store!.ping()],
        ['record', () => store!.record(job({ jobName: 'DURING_OUTAGE' }))],
        ['find', () => store!.find('orcl', 'HR', 'EXPORT_HR_1')],
        ['listForTenant', () => store!.listForTenant('hr-team', 'orcl', { limit: 5, offset: 0 })],
        ['countActiveJobs', () => store!.countActiveJobs('hr-team')],
        [
          'appendAudit',
          () =>
            store!.appendAudit({
              at: 'x',
              tenant: 't',
              principal: 'p',
              database: 'd',
              requestId: 'r',
              decision: 'allowed',
              status: 201,
              request: {},
            }),
        ],
        ['purgeOlderThan', () => store!.purgeOlderThan('2000-01-01T00:00:00.000Z')],
      ];
      for (const [name, call] of calls) await expect(call(), name).rejects.toBeInstanceOf(Error);
      await expect(
        createPostgresJobStore({ url: via.href, schema: s.schema, connectionTimeoutMs: 1_000 }),
      ).rejects.toBeInstanceOf(Error);

      await proxy.restore();
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(job());
    } finally {
      await store?.close();
      await proxy.close();
    }
  });

  it('survives the server dropping its idle connections (restart, pg_terminate_backend): the next call reconnects', async () => {
    const s = newSchema();
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const via = new URL(TEST_DATABASE_URL);
    via.hostname = '127.0.0.1';
    via.port = String(proxy.port);
    const dropped: Error[] = [];
    const store = await createPostgresJobStore({
      url: via.href,
      schema: s.schema,
      poolSize: 2,
      onConnectionError: (e) => dropped.push(e),
    });
    try {
      await Promise.all([store.record(job()), store.ping()]);
      proxy.dropConnections();
      // Let the pool hear the sockets close; an unhandled pool 'error' event would crash this process here.
      await vi.waitFor(() => expect(dropped.length).toBeGreaterThan(0));
      expect(dropped[0]).toBeInstanceOf(Error);
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(job());
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('a schema dropped under a running store: operations reject with an Error', async () => {
    const s = newSchema();
    const store = await open(s);
    try {
      await store.record(job());
      await s.cleanup();
      await expect(store.record(job({ jobName: 'AFTER_DROP' }))).rejects.toBeInstanceOf(Error);
      await expect(store.find('orcl', 'HR', 'EXPORT_HR_1')).rejects.toThrow(/does not exist/);
      await expect(store.listAudit({ limit: 5 })).rejects.toBeInstanceOf(Error);
    } finally {
      await store.close();
    }
  });

  it('migration versions are unique and increasing', () => {
    const versions = POSTGRES_MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((x, y) => x - y));
    expect(versions[0]).toBe(1);
  });
});

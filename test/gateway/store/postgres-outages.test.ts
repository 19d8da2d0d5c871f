// The PostgreSQL state store when the server goes away: start-up, calls and transactions fail, then it recovers.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createPostgresStore } from '../../../src/gateway/store/postgres.js';
import type { StateStore } from '../../../src/gateway/store/types.js';
import {
  pgQuery,
  requirePostgres,
  TEST_DATABASE_URL,
  type TestSchema,
  withPostgresSchema,
} from '../../helpers/postgres.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { at, auditEvent, completion, intent, job, OPEN_QUOTA, seed } from './fixtures.js';

const schemas: TestSchema[] = [];
const newSchema = () => {
  const s = withPostgresSchema('outage');
  schemas.push(s);
  return s;
};

beforeAll(() => requirePostgres());
afterAll(async () => {
  await Promise.all(schemas.map((s) => s.cleanup()));
});

/** A proxy in front of the test server and the URL that goes through it. */
async function proxied(): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(TEST_DATABASE_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const via = new URL(TEST_DATABASE_URL);
  via.hostname = '127.0.0.1';
  via.port = String(proxy.port);
  return { proxy, url: via.href };
}

describe('PostgreSQL state store outages', () => {
  it('an unreachable server: start-up fails, every role rejects (transactions too), then all recover', async () => {
    const s = newSchema();
    const { proxy, url } = await proxied();
    let store: StateStore | undefined;
    try {
      store = await createPostgresStore({ url, schema: s.schema, poolSize: 2, connectionTimeoutMs: 1_000 });
      const st = store;
      await seed(st, job());
      const pending = intent({ idempotencyKey: 'during' });

      await proxy.cut();
      const calls: [string, () => Promise<unknown>][] = [
        ['health.ping', () => st.health.ping()],
        ['registry.find', () => st.registry.find('orcl', 'HR', 'EXPORT_HR_1')],
        ['registry.listForTenant', () => st.registry.listForTenant('hr-team', 'orcl', { limit: 5, offset: 0 })],
        ['registry.owners', () => st.registry.owners('orcl')],
        ['intents.claim', () => st.intents.claim(pending, OPEN_QUOTA)],
        ['intents.complete', () => st.intents.complete(pending.id, completion(job({ jobName: 'X' })))],
        ['intents.transition', () => st.intents.transition(pending.id, { state: 'in-doubt', at: at(2) })],
        ['intents.release', () => st.intents.release(pending.id)],
        ['audit.append', () => st.audit.append(auditEvent())],
        ['audit.appendAggregated', () => st.audit.appendAggregated(auditEvent(), 'k')],
        ['leases.tryLease', () => st.leases.tryLease('l', 'h', 1_000, at(1))],
        ['retention.purgeOlderThan', () => st.retention.purgeOlderThan('2000-01-01T00:00:00.000Z')],
      ];
      for (const [name, call] of calls) await expect(call(), name).rejects.toBeInstanceOf(Error);
      await expect(createPostgresStore({ url, schema: s.schema, connectionTimeoutMs: 1_000 })).rejects.toBeInstanceOf(
        Error,
      );

      await proxy.restore();
      await expect(st.health.ping()).resolves.toBeUndefined();
      expect(await st.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(job());
      // Nothing of the failed claim was written, and claims (locks, transactions) work again.
      expect(await st.intents.get('hr-team', 'during')).toBeUndefined();
      expect(await st.intents.claim(pending, OPEN_QUOTA)).toEqual({ outcome: 'claimed' });
    } finally {
      await store?.close();
      await proxy.close();
    }
  });

  it("a claim waits for the tenant's lock held elsewhere (not for another tenant's) and, killed there, leaves nothing", async () => {
    const s = newSchema();
    // One connection only: the later claims run on a fresh one, the killed claim's being discarded.
    const store = await createPostgresStore({ url: s.url, schema: s.schema, poolSize: 1 });
    const other = await createPostgresStore({ url: s.url, schema: s.schema, poolSize: 1 });
    const blocker = new pg.Client({ connectionString: s.url });
    await blocker.connect();
    try {
      // Another replica mid-claim for hr-team: it holds the tenant's lock until its transaction ends.
      await blocker.query('begin');
      await blocker.query(
        "select pg_advisory_xact_lock(hashtext('datapump-gateway:claim:tenant:' || $1), hashtext($2))",
        [s.schema, 'hr-team'],
      );
      // Its outcome is taken at once, so the rejection to come is never an unhandled one.
      const blocked = store.intents.claim(intent({ idempotencyKey: 'blocked' }), OPEN_QUOTA).then(
        (r) => r,
        (e: unknown) => e,
      );
      const waiting = async () =>
        pgQuery<{ pid: number }>(
          "select pid from pg_stat_activity where application_name = 'datapump-gateway' and wait_event = 'advisory' and query like '%claim:tenant%'",
        );
      await vi.waitFor(async () => expect(await waiting()).toHaveLength(1));
      // Another tenant's claim is not held up by hr-team's lock.
      expect(await other.intents.claim(intent({ tenant: 'sales-team' }), OPEN_QUOTA)).toEqual({ outcome: 'claimed' });

      const [{ pid }] = (await waiting()) as [{ pid: number }];
      await pgQuery('select pg_terminate_backend($1)', [pid]);
      expect(await blocked).toMatchObject({ code: '57P01' }); // admin_shutdown: terminated while waiting
      await blocker.query('rollback');

      for (let i = 0; i < 3; i++)
        expect(await store.intents.claim(intent({ idempotencyKey: `after${i}` }), OPEN_QUOTA)).toEqual({
          outcome: 'claimed',
        });
      expect(await store.intents.get('hr-team', 'blocked')).toBeUndefined();
      const rows = await pgQuery<{ tenant: string; n: number }>(
        `select tenant, count(*)::int as n from "${s.schema}".intents group by tenant order by tenant`,
      );
      expect(rows).toEqual([
        { tenant: 'hr-team', n: 3 },
        { tenant: 'sales-team', n: 1 },
      ]);
    } finally {
      await blocker.end().catch(() => undefined);
      await Promise.all([store.close(), other.close()]);
    }
  });

  it('survives the server dropping its idle connections (restart, pg_terminate_backend): the next call reconnects', async () => {
    const s = newSchema();
    const { proxy, url } = await proxied();
    const dropped: Error[] = [];
    const store = await createPostgresStore({
      url,
      schema: s.schema,
      poolSize: 2,
      onConnectionError: (e) => dropped.push(e),
    });
    try {
      await Promise.all([seed(store, job()), store.health.ping()]);
      proxy.dropConnections();
      // Let the pool hear the sockets close; an unhandled pool 'error' event would crash this process here.
      await vi.waitFor(() => expect(dropped.length).toBeGreaterThan(0));
      expect(dropped[0]).toBeInstanceOf(Error);
      await expect(store.health.ping()).resolves.toBeUndefined();
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(job());
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('a schema dropped under a running store: operations reject with an Error', async () => {
    const s = newSchema();
    const store = await createPostgresStore({ url: s.url, schema: s.schema, poolSize: 2 });
    try {
      await seed(store, job());
      await s.cleanup();
      await expect(store.intents.claim(intent(), OPEN_QUOTA)).rejects.toBeInstanceOf(Error);
      await expect(store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).rejects.toThrow(/does not exist/);
      await expect(store.audit.list({ limit: 5 })).rejects.toBeInstanceOf(Error);
      await expect(store.health.ping()).rejects.toBeInstanceOf(Error);
    } finally {
      await store.close();
    }
  });
});

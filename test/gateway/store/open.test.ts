// openStateStore: each kind opens a working store of that backend.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStateStore } from '../../../src/gateway/store/open.js';
import { pgQuery, requirePostgres, withPostgresSchema } from '../../helpers/postgres.js';
import { job, seed } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'dpg-store-open-'));
const pgSchema = withPostgresSchema('store_open');
beforeAll(() => requirePostgres());
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pgSchema.cleanup();
});

describe('openStateStore', () => {
  it.each([
    ['memory', () => openStateStore({ kind: 'memory' })],
    ['sqlite', () => openStateStore({ kind: 'sqlite', path: join(dir, 'data', 'gateway.db') }, { busyTimeoutMs: 100 })],
    [
      'postgres',
      () => openStateStore({ kind: 'postgres', url: pgSchema.url, schema: pgSchema.schema }, { poolSize: 2 }),
    ],
  ])('%s: opens a store that records, finds and pings', async (_kind, open) => {
    const store = await open();
    try {
      await store.health.ping();
      await seed(store, job());
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(job());
    } finally {
      await store.close();
    }
  });

  it('postgres: the tables land in the schema asked for', async () => {
    const rows = await pgQuery<{ table_name: string }>(
      'select table_name from information_schema.tables where table_schema = $1 order by table_name',
      [pgSchema.schema],
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'audit_events',
      'export_files',
      'intents',
      'jobs',
      'leases',
      'schema_migrations',
    ]);
  });
});

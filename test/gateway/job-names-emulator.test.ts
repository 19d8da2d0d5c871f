// Jobs other tools started (expdp's names with spaces, padded rows of kept control tables, other operations), as the
// ORDS emulator shows them (POST /__emulator/jobs), through the gateway: listed, addressed and downloaded by
// percent-encoded URLs that round-trip to ORDS; a row the gateway cannot represent is skipped and counted.
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import { call } from '../emulator/helpers/client.js';
import { startTestEmulator } from '../emulator/helpers/start.js';
import { testGateway } from '../helpers/gateway-app.js';
import { testConfig, testTenants } from '../helpers/gateway-config.js';

const DBA = { 'X-API-Key': 'dba-demo-key' };
const HR = { 'X-API-Key': 'hr-demo-key' };
const LIST = '/databases/orcl/datapump/jobs/';
const SPACED = 'SYSTEM,SYS%20EXPORT%20SCHEMA%2001';

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
}

async function stack(concurrentJobs?: number) {
  const { origin, api } = await startTestEmulator();
  const tenants = testTenants();
  if (concurrentJobs !== undefined) {
    tenants['hr-team'] = { ...tenants['hr-team']!, limits: { ...tenants['hr-team']!.limits, concurrentJobs } };
  }
  const gw = testGateway({
    config: testConfig({ tenants }, { url: api.replace(/_\/db-api\/stable\/$/, '') }),
  });
  const added = await call(`${origin}/__emulator/jobs`, {
    method: 'POST',
    body: [
      {
        owner_name: 'SYSTEM',
        job_name: 'SYS EXPORT SCHEMA 01',
        operation: 'EXPORT',
        job_mode: 'SCHEMA',
        state: 'EXECUTING',
      },
      {
        owner_name: 'HR',
        job_name: 'SYS_IMPORT_FULL_01',
        operation: 'IMPORT',
        job_mode: 'FULL',
        state: 'NOT RUNNING',
        pad: true,
      },
      { owner_name: 'scott', job_name: 'sql file', operation: 'SQL_FILE', job_mode: 'TRANSPORTABLE', state: 'IDLING' },
      // Data Pump would not make it, but ORDS would list it: the gateway cannot address it.
      { owner_name: 'HR', job_name: ' LEADING SPACE', operation: 'EXPORT', job_mode: 'SCHEMA', state: 'EXECUTING' },
    ],
  });
  expect(added.status, added.text).toBe(201);
  const recorded = async () => (await call(`${origin}/__emulator/requests`)).json as Recorded[];
  const skipped = async () => (await gw.metrics.ordsRowsSkipped.get()).values[0]?.value ?? 0;
  return { gw, origin, recorded, skipped };
}

describe('job names beyond identifier rules, against the emulator', () => {
  it('lists them (padding trimmed, names with spaces as self links percent-encoded), skipping the one it cannot address', async () => {
    const { gw, skipped, recorded } = await stack();
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.items.map((j: { job_name: string }) => [j.job_name, j]));
    expect(Object.keys(byName).sort()).toEqual(['SYS EXPORT SCHEMA 01', 'SYS_IMPORT_FULL_01', 'sql file']);
    expect(byName['SYS EXPORT SCHEMA 01'].links).toContainEqual({
      rel: 'self',
      href: `http://gateway.test${LIST}${SPACED}/`,
    });
    expect(byName['SYS_IMPORT_FULL_01']).toMatchObject({ operation: 'IMPORT', job_mode: 'FULL', state: 'NOT RUNNING' });
    expect(byName['sql file'].links).toContainEqual({
      rel: 'self',
      href: `http://gateway.test${LIST}scott,sql%20file/`,
    });
    expect(await skipped()).toBe(1);
    // The list was read by ORDS's documented `limit`, never a computed offset.
    const lists = (await recorded()).filter((r) => r.path.endsWith('/datapump/jobs/'));
    expect(lists.map((r) => r.query)).toEqual([{ limit: '500' }]);
  });

  it(`GET …/jobs/${SPACED}/ reaches ORDS at …/jobs/${SPACED}/, and its log downloads by its encoded link`, async () => {
    const { gw, recorded } = await stack();
    const res = await request(gw.app).get(`${LIST}${SPACED}/`).set(DBA);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ owner_name: 'SYSTEM', job_name: 'SYS EXPORT SCHEMA 01', state: 'EXECUTING' });
    expect((await recorded()).map((r) => r.path)).toContain(
      `/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/${SPACED}/`,
    );
    const log = res.body.links.find((l: { mediaType?: string }) => l.mediaType === 'text/plain');
    expect(log.href).toBe(`http://gateway.test${LIST}${SPACED}/export.log`);
    const file = await request(gw.app).get(new URL(log.href).pathname).set(DBA);
    expect(file.status).toBe(200);
    expect(file.text).toContain('Starting "SYSTEM"."SYS EXPORT SCHEMA 01":');
    expect((await recorded()).map((r) => r.path)).toContain(
      `/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/${SPACED}/export.log`,
    );
  });

  it('a create, the tenant list, the quota refresh and the all-jobs list all work while ORDS holds those rows', async () => {
    const { gw, skipped } = await stack(1);
    const created = await request(gw.app)
      .post(LIST)
      .set(HR)
      .send({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });
    expect(created.status, created.text).toBe(201);
    expect(created.body.outcome).toEqual({ result: 'running', source: 'ords' });

    // At its concurrent_jobs limit: the refresh reads the registry, not ORDS's list, and refuses with 429, not 502.
    const second = await request(gw.app)
      .post(LIST)
      .set(HR)
      .send({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });
    expect(second.status, second.text).toBe(429);
    expect(second.body.type).toBe('https://datapump-gateway.dev/problems/quota-exceeded');

    // The tenant's list is its own job only (HR's foreign rows are not its), with the outcome.
    const mine = await request(gw.app).get(LIST).set(HR);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.items.map((j: { job_name: string }) => j.job_name)).toEqual([created.body.job_name]);
    expect(mine.body.items[0].outcome.result).toBe('running');

    const all = await request(gw.app).get(LIST).set(DBA);
    expect(all.status, all.text).toBe(200);
    expect(all.body.items.map((j: { job_name: string }) => j.job_name).sort()).toEqual(
      [created.body.job_name, 'SYS EXPORT SCHEMA 01', 'SYS_IMPORT_FULL_01', 'sql file'].sort(),
    );
    expect(await skipped()).toBe(1);
  });
});

// Quotas reserved with the claim: parallel creates (in one process, and across two replicas on PostgreSQL) can
// never start more jobs than concurrent_jobs or jobs_per_day allow, counted on the emulator's own job list.
import request from 'supertest';
import { request as httpRequest } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { TenantLimits } from '../../../src/gateway/config/types.js';
import { createSqliteStore } from '../../../src/gateway/store/sqlite.js';
import { type EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { TEST_LIMITS, testConfig, testTenants } from '../../helpers/gateway-config.js';
import {
  demoTenantsTree,
  GATEWAY_PROCESS_ENV,
  gatewayConfigTree,
  type GatewayProcess,
  killAllGatewayProcesses,
  startGatewayProcess,
  tenantTree,
} from '../../helpers/gateway-process.js';
import { requirePostgres, TEST_DATABASE_URL, withPostgresSchema } from '../../helpers/postgres.js';

const JOBS = '/databases/orcl/datapump/jobs/';
const HR = { 'X-API-Key': 'hr-demo-key' };
const EXPORT = { operation: 'EXPORT' };
const ORDS_BASIC = { authorization: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}` };

let emulator: EmulatorProcess;
beforeAll(async () => {
  // Jobs run for a minute: every job started in a test is still running when its quota is checked.
  emulator = await startEmulatorProcess({ config: { jobDurationMs: 60_000 } });
});
afterAll(async () => {
  await killAllGatewayProcesses();
  await emulator?.stop();
});
beforeEach(async () => {
  await emulator.clearJobs();
});

const emulatorJobs = async () =>
  (
    (await (await fetch(`${emulator.apiUrl}database/datapump/jobs/?limit=1000`, { headers: ORDS_BASIC })).json()) as {
      items: unknown[];
    }
  ).items.length;

function gatewayWith(limits: Partial<TenantLimits>) {
  const tenants = testTenants();
  tenants['hr-team'] = { ...tenants['hr-team']!, limits: { ...TEST_LIMITS, ...limits } };
  return testGateway({
    config: testConfig({ tenants }, { url: emulator.ordsUrl }),
    store: createSqliteStore({ path: ':memory:' }),
  });
}

describe('quotas under concurrency, one process', () => {
  it('40 parallel creates against concurrent_jobs 10 start exactly 10 jobs; the rest are 429 concurrent_jobs', async () => {
    const gw = gatewayWith({ concurrentJobs: 10 });
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => request(gw.app).post(JOBS).set(HR).send(EXPORT)),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    for (const refused of answers.filter((r) => r.status === 429)) expect(refused.body.quota).toBe('concurrent_jobs');
    expect(await emulatorJobs()).toBe(10);
    await gw.close();
  });

  it('two bursts against jobs_per_day 15 start exactly 15 jobs; the rest are 429 daily_jobs', async () => {
    const gw = gatewayWith({ jobsPerDay: 15 });
    const burst = () => Promise.all(Array.from({ length: 10 }, () => request(gw.app).post(JOBS).set(HR).send(EXPORT)));
    const answers = [...(await burst()), ...(await burst())];
    expect(answers.filter((r) => r.status === 201)).toHaveLength(15);
    for (const refused of answers.filter((r) => r.status === 429)) expect(refused.body.quota).toBe('daily_jobs');
    expect(await emulatorJobs()).toBe(15);
    await gw.close();
  });
});

describe('a database protected as a whole (max_running_jobs), one process', () => {
  it('40 parallel creates of two tenants against max_running_jobs 5 start exactly 5 jobs; the rest are 429 database_running_jobs', async () => {
    const gw = testGateway({
      config: testConfig({}, { url: emulator.ordsUrl, maxRunningJobs: 5 }),
      store: createSqliteStore({ path: ':memory:' }),
    });
    const SALES = { 'X-API-Key': 'sales-demo-key' };
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        request(gw.app)
          .post(JOBS)
          .set(i % 2 === 0 ? HR : SALES)
          .send(EXPORT),
      ),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = answers.filter((r) => r.status === 429);
    expect(refused).toHaveLength(35);
    for (const r of refused)
      expect(r.body).toMatchObject({ type: expect.stringMatching(/quota-exceeded$/), quota: 'database_running_jobs' });
    expect(await emulatorJobs()).toBe(5);
    await gw.close();
  });
});

describe('quotas under concurrency, two replicas sharing PostgreSQL', () => {
  const pg = withPostgresSchema('quota_race');
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    await requirePostgres();
    const config = gatewayConfigTree({
      ordsUrl: emulator.ordsUrl,
      overrides: {
        store: { postgres: { url: '${DATABASE_URL}', schema: pg.schema } },
        tenants: {
          ...demoTenantsTree(),
          'race-team': tenantTree(
            'race-key',
            {
              operations: ['EXPORT'],
              job_modes: ['SCHEMA'],
              schemas: ['HR'],
              max_threads: 1,
              directories: ['DATA_PUMP_DIR'],
              file_prefix: 'RACE_',
            },
            { concurrent_jobs: 10, jobs_per_day: 10000 },
          ),
          'day-team': tenantTree(
            'day-key',
            {
              operations: ['EXPORT'],
              job_modes: ['SCHEMA'],
              schemas: ['HR'],
              max_threads: 1,
              directories: ['DATA_PUMP_DIR'],
              file_prefix: 'DAY_',
            },
            { concurrent_jobs: 1000, jobs_per_day: 15 },
          ),
        },
      },
    });
    const env = { ...GATEWAY_PROCESS_ENV, DATABASE_URL: TEST_DATABASE_URL };
    [a, b] = await Promise.all([startGatewayProcess({ config, env }), startGatewayProcess({ config, env })]);
  });
  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await pg.cleanup();
  });

  const post = async (gw: GatewayProcess, key: string) => {
    const res = await httpRequest(`${gw.url}${JOBS}`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(EXPORT),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: JSON.parse(text) as { quota?: string } };
  };

  /**
   * The property: never more jobs than the quota. Exactly that many are created unless some creates failed
   * otherwise (on a loaded machine a create can time out: its intent is then in doubt and holds its quota).
   */
  function expectQuotaHeld(
    answers: Array<{ status: number; json: { quota?: string } }>,
    limit: number,
    quota: string,
    jobs: number,
  ) {
    const detail = JSON.stringify(answers.map((r) => [r.status, r.json.quota]));
    const created = answers.filter((r) => r.status === 201).length;
    const refused = answers.filter((r) => r.status === 429 && r.json.quota === quota).length;
    const failed = answers.filter((r) => r.status >= 500).length;
    expect(created + refused + failed, detail).toBe(answers.length);
    expect(created, detail).toBeLessThanOrEqual(limit);
    expect(created + failed, detail).toBeGreaterThanOrEqual(limit);
    expect(jobs, detail).toBeLessThanOrEqual(limit);
    expect(jobs, detail).toBeGreaterThanOrEqual(created);
  }

  it('40 parallel creates split across both replicas against concurrent_jobs 10 start at most 10 jobs', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i % 2 === 0 ? a : b, 'race-key')));
    expectQuotaHeld(answers, 10, 'concurrent_jobs', await emulatorJobs());
  });

  it('two bursts across both replicas against jobs_per_day 15 start at most 15 jobs', async () => {
    const burst = () => Promise.all(Array.from({ length: 10 }, (_, i) => post(i % 2 === 0 ? a : b, 'day-key')));
    const answers = [...(await burst()), ...(await burst())];
    expectQuotaHeld(answers, 15, 'daily_jobs', await emulatorJobs());
  });
});

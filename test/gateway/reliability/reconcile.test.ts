// Reconciliation of creates the gateway could not see through: recovered, quarantined, orphaned — never a guess, never a second job.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { loadContract } from '../../../src/contract/documents.js';
import { createAuditTrail } from '../../../src/gateway/jobs/audit.js';
import { createMemoryJobStore } from '../../../src/gateway/jobs/memory-store.js';
import { createReconciler } from '../../../src/gateway/reliability/reconciler.js';
import { createOrdsContract } from '../../../src/gateway/upstream/ords-contract.js';
import { jobNameTime } from '../../../src/gateway/upstream/ords-job-list.js';
import { type EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { testConfig } from '../../helpers/gateway-config.js';

const JOBS = '/databases/orcl/datapump/jobs/';
const HR = { 'X-API-Key': 'hr-demo-key' };
const SALES = { 'X-API-Key': 'sales-demo-key' };
const EXPORT = { operation: 'EXPORT' };

describe('reconciliation against the emulator', () => {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({ config: { jobDurationMs: 60_000 } });
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  beforeEach(async () => {
    await emulator.clearFaults();
    await emulator.clearJobs();
  });

  function setup(
    reconcile = { intervalMs: 30_000, matchWindowMs: 120_000, giveUpAfterMs: 900_000 },
    now = () => new Date(),
  ) {
    const config = testConfig(
      { reconcile },
      { url: emulator.ordsUrl, timeouts: { connectMs: 1_000, createMs: 1_000, readMs: 2_000, fileIdleMs: 2_000 } },
    );
    const jobs = createMemoryJobStore();
    const gw = testGateway({ config, jobs });
    const registry = new Registry();
    const reconciler = createReconciler({
      config: { current: () => config },
      jobs,
      upstreams: gw.upstreams,
      ordsContract: createOrdsContract(loadContract('ords')),
      audit: createAuditTrail({ jobs, log: pino({ level: 'silent' }) }),
      logger: pino({ level: 'silent' }),
      registry,
      now,
      holder: 'test',
    });
    return { gw, jobs, reconciler, registry };
  }
  const emulatorJobs = async () =>
    (await (
      await fetch(`${emulator.apiUrl}database/datapump/jobs/?limit=1000`, {
        headers: { authorization: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}` },
      })
    ).json()) as { items: Array<{ job_name: string }> };

  it("recovers a job created just before the connection was reset: the retry gets it, and it is the tenant's", async () => {
    const { gw, reconciler } = setup();
    await emulator.setFaults([{ route: 'create', kind: 'create-then-reset', count: 1 }]);
    const lost = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'r-1').send(EXPORT);
    expect(lost.status).toBe(503);
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'r-1').send(EXPORT)).status).toBe(409);

    expect(await reconciler.runOnce()).toMatchObject({ skipped: false, recovered: 1, quarantined: 0, orphaned: 0 });
    const retry = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'r-1').send(EXPORT);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const [job] = (await emulatorJobs()).items;
    expect((await emulatorJobs()).items).toHaveLength(1); // exactly one job, never two
    expect(retry.body.job_name).toBe(job!.job_name);
    const list = await request(gw.app).get(JOBS).set(HR);
    expect(list.body.items.map((j: { job_name: string }) => j.job_name)).toEqual([job!.job_name]);
    expect((await request(gw.app).get(JOBS).set(SALES)).body.items).toEqual([]);
  });

  it('recovers the job of a create whose answer never came (timeout), even without an Idempotency-Key', async () => {
    const { gw, reconciler, jobs } = setup();
    await emulator.setFaults([{ route: 'create', kind: 'create-then-hang', count: 1 }]);
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(504);
    expect(await reconciler.runOnce()).toMatchObject({ recovered: 1 });
    expect((await jobs.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(1);
  });

  it('quarantines two in-doubt creates that could each own either job, and reports them', async () => {
    const { gw, reconciler, jobs, registry } = setup();
    await emulator.setFaults([{ route: 'create', kind: 'create-then-reset', count: 2 }]);
    await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'q-1').send(EXPORT);
    await request(gw.app).post(JOBS).set(SALES).set('Idempotency-Key', 'q-2').send(EXPORT);
    expect(await reconciler.runOnce()).toMatchObject({ recovered: 0, quarantined: 2 });
    // Neither job was handed to anyone.
    expect((await jobs.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(0);
    expect((await jobs.listForTenant('sales-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(0);
    const retry = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'q-1').send(EXPORT);
    expect(retry.status).toBe(409);
    expect(retry.body.detail).toMatch(/operators/);
    const audit = await jobs.listAudit({ tenant: 'hr-team', limit: 10 });
    expect(audit[0]).toMatchObject({
      decision: 'failed',
      violations: [{ detail: expect.stringMatching(/^quarantined: 2 ORDS jobs/) }],
    });
    expect(await registry.metrics()).toMatch(/datapump_gateway_reconcile_total\{outcome="quarantined"\} 2/);
    // A quarantined create is not looked at again: an operator decides.
    expect(await reconciler.runOnce()).toMatchObject({ quarantined: 0, recovered: 0 });
  });

  it('frees the key of an in-doubt create that left no job, once the give-up time has passed', async () => {
    let now = new Date();
    const { gw, reconciler } = setup({ intervalMs: 30_000, matchWindowMs: 120_000, giveUpAfterMs: 60_000 }, () => now);
    await emulator.setFaults([{ route: 'create', kind: 'reset', count: 1 }]);
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'o-1').send(EXPORT)).status).toBe(503);
    expect(await reconciler.runOnce()).toMatchObject({ unsettled: 1, orphaned: 0 });
    now = new Date(now.getTime() + 61_000);
    expect(await reconciler.runOnce()).toMatchObject({ orphaned: 1 });
    const retry = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'o-1').send(EXPORT);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect((await emulatorJobs()).items).toHaveLength(1);
  });

  it('lets only one replica reconcile at a time', async () => {
    const { jobs } = setup();
    expect(await jobs.tryLease('reconcile', 'other-replica', 60_000, new Date().toISOString())).toBe(true);
    const { reconciler } = (() => {
      const config = testConfig({}, { url: emulator.ordsUrl });
      const gw = testGateway({ config, jobs });
      return {
        reconciler: createReconciler({
          config: { current: () => config },
          jobs,
          upstreams: gw.upstreams,
          ordsContract: createOrdsContract(loadContract('ords')),
          audit: createAuditTrail({ jobs, log: pino({ level: 'silent' }) }),
          logger: pino({ level: 'silent' }),
          now: () => new Date(),
          holder: 'me',
        }),
      };
    })();
    expect(await reconciler.runOnce()).toMatchObject({ skipped: true });
  });
});

describe('job name times', () => {
  it.each([
    ['DATAPUMP_REST_EXPORT_20190906155736', Date.UTC(2019, 8, 6, 15, 57, 36)],
    ['DATAPUMP_REST_IMPORT_20190906155736_2', Date.UTC(2019, 8, 6, 15, 57, 36)],
    ['SYS_EXPORT_SCHEMA_01', undefined],
  ])('%s', (name, expected) => {
    expect(jobNameTime(name)).toBe(expected);
  });
});

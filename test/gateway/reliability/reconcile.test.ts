// Reconciliation of creates the gateway could not see through: a job goes to a tenant only on evidence unique
// to that tenant's intent (its token in the dump file name ORDS shows); anything else is quarantined, never guessed.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { evidenceToken } from '../../../src/gateway/create/evidence.js';
import type { StateStore } from '../../../src/gateway/store/types.js';
import { jobNameTime } from '../../../src/gateway/upstream/job-names.js';
import { type EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { testConfig } from '../../helpers/gateway-config.js';

const JOBS = '/databases/orcl/datapump/jobs/';
const HR = { 'X-API-Key': 'hr-demo-key' };
const SALES = { 'X-API-Key': 'sales-demo-key' };
const DBA = { 'X-API-Key': 'dba-demo-key' };
const EXPORT = { operation: 'EXPORT' };
const ORDS_BASIC = { authorization: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}` };

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

  function setup(giveUpAfterMs = 900_000) {
    let now = Date.now();
    const config = testConfig(
      { reconcile: { intervalMs: 30_000, matchWindowMs: 120_000, giveUpAfterMs } },
      {
        url: emulator.ordsUrl,
        timeouts: { connectMs: 1_000, createMs: 1_000, readMs: 2_000, fileIdleMs: 2_000, fileMinBytesPerSecond: 0 },
      },
    );
    const gw = testGateway({ config, now: () => new Date(now) });
    return { gw, store: gw.store, reconciler: gw.reconciler, later: (ms: number) => (now += ms) };
  }

  const emulatorJobs = async () =>
    (
      (await (await fetch(`${emulator.apiUrl}database/datapump/jobs/?limit=1000`, { headers: ORDS_BASIC })).json()) as {
        items: Array<{ job_name: string; owner_name: string }>;
      }
    ).items;

  /** A job started on ORDS directly (Database Actions, expdp, another client), not through the gateway. */
  const createDirectly = async (body: Record<string, unknown>) => {
    const res = await fetch(`${emulator.apiUrl}database/datapump/jobs/`, {
      method: 'POST',
      headers: { ...ORDS_BASIC, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { job_name: string };
  };

  const owned = async (store: StateStore, tenant: string) =>
    (await store.registry.listForTenant(tenant, 'orcl', { limit: 100, offset: 0 })).items.map((r) => r.jobName);

  const intentOf = async (store: StateStore, state: 'in-doubt' | 'pending' | 'quarantined' | 'recovered') =>
    (await store.intents.list([state], '9999-12-31T23:59:59.999Z'))[0];

  it("recovers a job created just before the connection was reset: the retry gets it, with the live answer's headers", async () => {
    const { gw, reconciler, store } = setup();
    await emulator.setFaults([{ route: 'create', kind: 'create-then-reset', count: 1 }]);
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'r-1').send(EXPORT)).status).toBe(503);
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'r-1').send(EXPORT)).status).toBe(409);

    expect(await reconciler.runOnce()).toMatchObject({ skipped: false, recovered: 1, quarantined: 0 });
    const retry = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'r-1').send(EXPORT);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    // Built by the same code as a live 201: Location, Content-Location and ORDS's ETag.
    expect(retry.headers.etag).toMatch(/^"/);
    expect(retry.headers.location).toBe(retry.headers['content-location']);
    const jobs = await emulatorJobs();
    expect(jobs).toHaveLength(1); // exactly one job, never two
    expect(retry.body.job_name).toBe(jobs[0]!.job_name);
    expect(await owned(store, 'hr-team')).toEqual([jobs[0]!.job_name]);
    expect(await owned(store, 'sales-team')).toEqual([]);
  });

  it('recovers the job of a create whose answer never came (timeout), even without an Idempotency-Key', async () => {
    const { gw, reconciler, store } = setup();
    await emulator.setFaults([{ route: 'create', kind: 'create-then-hang', count: 1 }]);
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(504);
    expect(await reconciler.runOnce()).toMatchObject({ recovered: 1 });
    expect(await owned(store, 'hr-team')).toHaveLength(1);
  });

  it('never gives a tenant a job started outside the gateway while its create is in doubt', async () => {
    const { gw, reconciler, store, later } = setup(60_000);
    // ORDS answers 500 and starts nothing; meanwhile someone starts an export of the same kind directly.
    await emulator.setFaults([{ route: 'create', kind: 'status', status: 500, count: 1 }]);
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'x-1').send(EXPORT)).status).toBe(502);
    const outsider = await createDirectly({ operation: 'EXPORT', job_mode: 'SCHEMA' });
    expect(await reconciler.runOnce()).toMatchObject({ recovered: 0, unsettled: 1 });
    later(61_000);
    // Past the give-up time the key is not freed (the job may have run and been dropped): quarantined.
    expect(await reconciler.runOnce()).toMatchObject({ recovered: 0, quarantined: 1 });
    expect(await owned(store, 'hr-team')).toEqual([]);
    expect(await store.registry.find('orcl', 'PDBADMIN', outsider.job_name)).toBeUndefined();
    const retry = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'x-1').send(EXPORT);
    expect(retry.status).toBe(409);
    expect(retry.body.detail).toMatch(/operators have been told/);
    // The outsider's job is not reachable through the gateway by hr-team.
    expect((await request(gw.app).get(`${JOBS}PDBADMIN,${outsider.job_name}/`).set(HR)).status).toBe(404);
    expect(await emulatorJobs()).toHaveLength(1);
  });

  it.each(['recorded before', 'not yet recorded when'])(
    "keeps tenant B's job B's when it was %s reconciliation settles tenant A's doubtful create",
    async (order) => {
      const { gw, reconciler, store } = setup();
      await emulator.setFaults([{ route: 'create', kind: 'status', status: 500, count: 1 }]);
      expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'a-1').send(EXPORT)).status).toBe(502);
      if (order === 'recorded before') {
        expect((await request(gw.app).post(JOBS).set(SALES).send(EXPORT)).status).toBe(201);
      } else {
        // B's job exists on ORDS, but B's create is itself still without an answer.
        await emulator.setFaults([{ route: 'create', kind: 'create-then-hang', count: 1 }]);
        expect((await request(gw.app).post(JOBS).set(SALES).send(EXPORT)).status).toBe(504);
      }
      const summary = await reconciler.runOnce();
      expect(summary.recovered).toBe(order === 'recorded before' ? 0 : 1); // B's own, by B's own token
      const [bJob] = await emulatorJobs();
      expect(await owned(store, 'sales-team')).toEqual([bJob!.job_name]);
      expect(await owned(store, 'hr-team')).toEqual([]);
      expect(await intentOf(store, 'in-doubt')).toMatchObject({ tenant: 'hr-team' });
    },
  );

  it('settles two doubtful creates of two tenants each with its own job, never crossed', async () => {
    const { gw, reconciler, store } = setup();
    await emulator.setFaults([{ route: 'create', kind: 'create-then-reset', count: 2 }]);
    await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'q-1').send(EXPORT);
    await request(gw.app).post(JOBS).set(SALES).set('Idempotency-Key', 'q-2').send(EXPORT);
    expect(await reconciler.runOnce()).toMatchObject({ recovered: 2, quarantined: 0 });
    const [hr] = await store.registry.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 }).then((p) => p.items);
    const [sales] = await store.registry
      .listForTenant('sales-team', 'orcl', { limit: 10, offset: 0 })
      .then((p) => p.items);
    // Each job's dump file carries its own tenant's prefix: the evidence matched each to its own request.
    const file = async (tenantKey: typeof HR, job: string) =>
      (await request(gw.app).get(`${JOBS}PDBADMIN,${job}/`).set(tenantKey)).body.links as Array<{ href: string }>;
    const hrLog = (await file(HR, hr!.jobName)).find((l) => l.href.endsWith('.LOG'))!;
    const hrText = await request(gw.app).get(new URL(hrLog.href).pathname).set(HR);
    expect(hrText.text).toMatch(/file_name: HR_/);
    expect(sales!.jobName).not.toBe(hr!.jobName);
  });

  it('quarantines when two ORDS jobs show the same token, and reports it in the audit trail and /metrics', async () => {
    const { gw, reconciler, store } = setup();
    await emulator.setFaults([{ route: 'create', kind: 'create-then-reset', count: 1 }]);
    await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'd-1').send(EXPORT);
    const intent = await intentOf(store, 'in-doubt');
    // Someone on ORDS directly names a dump file with the same token.
    await createDirectly({ operation: 'EXPORT', file_name: `COPY_${intent!.evidenceToken}_%U.DMP` });
    expect(await reconciler.runOnce()).toMatchObject({ recovered: 0, quarantined: 1 });
    expect(await owned(store, 'hr-team')).toEqual([]);
    const audit = await store.audit.list({ tenant: 'hr-team', limit: 10 });
    expect(audit[0]).toMatchObject({
      decision: 'failed',
      violations: [{ detail: expect.stringMatching(/^quarantined: 2 ORDS jobs show this request's token/) }],
    });
    expect(await gw.metrics.registry.metrics()).toMatch(/datapump_gateway_reconcile_total\{outcome="quarantined"\} 1/);
    // A quarantined create is not looked at again: an operator decides.
    expect(await reconciler.runOnce()).toMatchObject({ quarantined: 0, recovered: 0 });
    const retry = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'd-1').send(EXPORT);
    expect(retry.status).toBe(409);
  });

  it.each([
    ['an import', HR, { operation: 'IMPORT', file_name: 'HR_EXPDAT01.DMP' }],
    ['an export whose file name the client chose', HR, { operation: 'EXPORT', file_name: 'HR_MINE_%U.DMP' }],
    ['an export of a tenant without a file prefix (ORDS names the file)', DBA, EXPORT],
  ])('quarantines at once %s: no evidence can tie a job to it', async (_what, who, body) => {
    const { gw, reconciler, store } = setup();
    await emulator.setFaults([{ route: 'create', kind: 'create-then-reset', count: 1 }]);
    expect((await request(gw.app).post(JOBS).set(who).set('Idempotency-Key', 'n-1').send(body)).status).toBe(503);
    expect((await intentOf(store, 'in-doubt'))!.evidenceToken).toBeNull();
    expect(await reconciler.runOnce()).toMatchObject({ recovered: 0, quarantined: 1 });
    expect(await store.registry.listForDatabase('orcl', 10)).toEqual([]);
    expect((await request(gw.app).post(JOBS).set(who).set('Idempotency-Key', 'n-1').send(body)).status).toBe(409);
  });

  it('never frees the key of a create whose job can no longer be seen: it is quarantined, so a retry cannot run it twice', async () => {
    const { gw, reconciler, store, later } = setup(60_000);
    await emulator.setFaults([{ route: 'create', kind: 'create-then-reset', count: 1 }]);
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'v-1').send(EXPORT)).status).toBe(503);
    await emulator.clearJobs(); // Data Pump finished the job and dropped its control table
    expect(await reconciler.runOnce()).toMatchObject({ unsettled: 1 });
    later(61_000);
    expect(await reconciler.runOnce()).toMatchObject({ quarantined: 1 });
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'v-1').send(EXPORT)).status).toBe(409);
    expect(await emulatorJobs()).toHaveLength(0);
    expect(await intentOf(store, 'quarantined')).toMatchObject({ tenant: 'hr-team', idempotencyKey: 'v-1' });
  });

  it('lets only one replica reconcile at a time', async () => {
    const { store, reconciler } = setup();
    expect(await store.leases.tryLease('reconcile', 'other-replica', 60_000, new Date().toISOString())).toBe(true);
    expect(await reconciler.runOnce()).toMatchObject({ skipped: true });
  });
});

describe('evidence tokens', () => {
  it('are 12 upper-case letters and digits, stable per intent and distinct across intents', () => {
    const tokens = new Set(Array.from({ length: 10_000 }, (_, i) => evidenceToken(`intent-${i}`)));
    expect(tokens.size).toBe(10_000);
    for (const token of [...tokens].slice(0, 100)) expect(token).toMatch(/^[0-9A-Z]{12}$/);
    expect(evidenceToken('same')).toBe(evidenceToken('same'));
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

// The failure catalogue: each ORDS fault during a create with an Idempotency-Key, the client's retries, and
// the same proof every time — no duplicate job, no orphaned job, no job with the wrong tenant.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { type EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { testConfig } from '../../helpers/gateway-config.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';

const JOBS = '/databases/orcl/datapump/jobs/';
const HR = { 'X-API-Key': 'hr-demo-key' };
const EXPORT = { operation: 'EXPORT' };
const problem = (slug: string) => `https://datapump-gateway.dev/problems/${slug}`;

describe('failure catalogue', () => {
  let emulator: EmulatorProcess;
  let proxy: TcpProxy;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({ config: { jobDurationMs: 60_000 } });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: emulator.port });
  });
  afterAll(async () => {
    await proxy?.close();
    await emulator?.stop();
  });
  beforeEach(async () => {
    await emulator.clearFaults();
    await emulator.clearJobs();
    await proxy.restore().catch(() => {});
  });

  /** A gateway reaching ORDS through the cuttable proxy, its store, and a reconciler with a clock the test moves. */
  function setup() {
    let now = Date.now();
    const config = testConfig(
      { reconcile: { intervalMs: 30_000, matchWindowMs: 120_000, giveUpAfterMs: 60_000 } },
      {
        url: `http://127.0.0.1:${proxy.port}/ords/orcl/pdbadmin/`,
        timeouts: { connectMs: 1_000, createMs: 800, readMs: 2_000, fileIdleMs: 2_000, fileMinBytesPerSecond: 0 },
      },
    );
    const gw = testGateway({ config, now: () => new Date(now) });
    const { reconciler } = gw;
    const create = () => request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'catalogue').send(EXPORT);
    /** Reconciles now, and again once the give-up time has passed, as the running gateway would over time. */
    const settle = async () => {
      await reconciler.runOnce();
      now += 61_000;
      await reconciler.runOnce();
    };
    return { gw, store: gw.store, create, settle };
  }

  const ordsJobs = async () =>
    (
      (await (
        await fetch(`${emulator.apiUrl}database/datapump/jobs/?limit=100`, {
          headers: { authorization: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}` },
        })
      ).json()) as { items: Array<{ job_name: string }> }
    ).items;
  async function ordsHasJobs(n: number) {
    for (const until = Date.now() + 5_000; Date.now() < until;) {
      if ((await ordsJobs()).length >= n) return;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error(`ORDS never showed ${n} job(s)`);
  }

  /** Every job ORDS has is the tenant's, exactly once, and the key now answers with that very job. */
  async function nothingLost(s: ReturnType<typeof setup>) {
    const retry = await s.create();
    expect(retry.status).toBe(201);
    const ords = await ordsJobs();
    expect(ords).toHaveLength(1);
    expect(retry.body.job_name).toBe(ords[0]!.job_name);
    const owned = await s.store.registry.listForDatabase('orcl', 100);
    expect(owned.map((j) => [j.tenant, j.jobName])).toEqual([['hr-team', ords[0]!.job_name]]);
    const again = await s.create();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.job_name).toBe(ords[0]!.job_name);
  }

  it('ORDS refusing connections: 503 with Retry-After, the key is free, the retry creates the one job', async () => {
    const s = setup();
    await proxy.cut();
    const res = await s.create();
    expect(res.status).toBe(503);
    expect(res.body.type).toBe(problem('upstream-unavailable'));
    expect(res.headers['retry-after']).toBeDefined();
    await proxy.restore();
    await nothingLost(s);
  });

  it('ORDS slow beyond the deadline: 504; the key is held until settled; then one job', async () => {
    const s = setup();
    await emulator.setFaults([{ route: 'create', kind: 'latency', ms: 1_500, count: 1 }]);
    const res = await s.create();
    expect(res.status).toBe(504);
    expect(res.body.type).toBe(problem('upstream-timeout'));
    expect((await s.create()).status).toBe(409);
    await ordsHasJobs(1); // the slow create finishes on ORDS's side after the gateway gave up
    await s.settle();
    await nothingLost(s);
  });

  it('ORDS resetting the connection after creating the job: 503; reconciliation hands the job to its tenant', async () => {
    const s = setup();
    await emulator.setFaults([{ route: 'create', kind: 'create-then-reset', count: 1 }]);
    expect((await s.create()).status).toBe(503);
    expect((await s.create()).status).toBe(409);
    await s.settle();
    await nothingLost(s);
  });

  it('ORDS answering 503: the client gets 503; the key is free at once and the retry creates the one job', async () => {
    const s = setup();
    await emulator.setFaults([{ route: 'create', kind: 'status', status: 503, count: 1 }]);
    const res = await s.create();
    expect(res.status).toBe(503);
    expect(res.body.type).toBe(problem('upstream-unavailable'));
    await nothingLost(s);
  });

  it('ORDS answering 500 and starting nothing: 502; held in doubt, then quarantined, never freed or doubled', async () => {
    const s = setup();
    await emulator.setFaults([{ route: 'create', kind: 'status', status: 500, count: 1 }]);
    const res = await s.create();
    expect(res.status).toBe(502);
    expect(res.body.type).toBe(problem('upstream-error'));
    await s.settle();
    // No job shows the intent's token, and a job that ran could have been dropped: an operator decides.
    const retry = await s.create();
    expect(retry.status).toBe(409);
    expect(retry.body.detail).toMatch(/operators have been told/);
    expect(await ordsJobs()).toHaveLength(0);
    expect(await s.store.registry.listForDatabase('orcl', 100)).toEqual([]);
  });

  it('ORDS answering a malformed body: 502 upstream-invalid-response; settled without a second job', async () => {
    const s = setup();
    await emulator.setFaults([{ route: 'create', kind: 'malformed', count: 1 }]);
    const res = await s.create();
    expect(res.status).toBe(502);
    expect(res.body.type).toBe(problem('upstream-invalid-response'));
    await s.settle();
    await nothingLost(s);
  });

  it('ORDS answering with a redirect: 502, not followed; the retry creates the one job', async () => {
    const s = setup();
    await emulator.setFaults([{ route: 'create', kind: 'redirect', count: 1 }]);
    const res = await s.create();
    expect(res.status).toBe(502);
    expect(res.body.type).toBe(problem('upstream-error'));
    await nothingLost(s);
  });
});

// The gateway against the real emulator process playing one ORDS release each (`ordsVersion`), with
// `databases.<name>.ords_version` set to match: what the release cannot take on any create endpoint is refused with
// 422 ords-version-unsupported before ORDS is called; what one endpoint cannot take and the other can goes to the
// other (an IMPORT on 19.x to POST import, an export's file_name on 19.x to POST jobs/, so its dump files carry
// the evidence token); keep_master reaches a 25.4 ORDS and keeps the job; an unset ords_version changes nothing.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseConfig } from '../../src/gateway/config/types.js';
import { type EmulatorProcess, type RecordedRequest, startEmulatorProcess } from '../helpers/emulator-process.js';
import { testGateway } from '../helpers/gateway-app.js';
import { testConfig, testTenants } from '../helpers/gateway-config.js';

const HR = { 'X-API-Key': 'hr-demo-key' };
const DBA = { 'X-API-Key': 'dba-demo-key' };
const JOBS = '/databases/orcl/datapump/jobs/';
const BUCKET_URI = 'https://objectstorage.eu-frankfurt-1.oraclecloud.com/n/acme/b/dumps/o/DBA_%U.DMP';
const DURATION_MS = 2_000;

const posts = (seen: RecordedRequest[]) =>
  seen.filter((r) => r.method === 'POST').map((r) => ({ path: r.path.replace(/^.*\/datapump\//, ''), body: r.body }));

/** One emulator playing `ordsVersion`, shared by the tests of a release (its requests and jobs cleared before each). */
function release(ordsVersion: string, config: Record<string, unknown> = {}) {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({
      clock: 'manual',
      config: { ordsVersion, jobDurationMs: DURATION_MS, lifecycle: 'dropped', completedVisibleMs: 60_000, ...config },
    });
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  const fresh = async () => {
    await emulator.clearRequests();
    await emulator.clearJobs();
    return emulator;
  };
  const gateway = (database: Partial<DatabaseConfig> = {}, logStream?: { write(line: string): void }) => {
    const base = testConfig({}, { url: emulator.ordsUrl, ordsVersion, ...database });
    // dba-team may use one Object Storage bucket, for the credential_name cases.
    const tenants = testTenants(['orcl']);
    const dba = tenants['dba-team']!;
    return testGateway({
      ...(logStream ? { logStream } : {}),
      config: {
        ...base,
        tenants: {
          ...tenants,
          'dba-team': { ...dba, grants: { ...dba.grants, objectStorage: [{ namespace: 'acme', bucket: 'dumps' }] } },
        },
      },
    });
  };
  return { fresh, gateway, emulator: () => emulator };
}

describe('ORDS 19.4', () => {
  const ords = release('19.4');

  it('an IMPORT goes to POST import (its POST jobs/ takes only EXPORT), whichever create_endpoint; a reroute is logged', async () => {
    for (const createEndpoint of ['jobs', 'rpc'] as const) {
      const emulator = await ords.fresh();
      const lines: Array<Record<string, unknown>> = [];
      const gw = ords.gateway({ createEndpoint }, { write: (line) => lines.push(JSON.parse(line) as never) });
      const res = await request(gw.app)
        .post(JOBS)
        .set(HR)
        .send({ operation: 'IMPORT', file_name: 'HR_NIGHTLY_01.DMP' });
      expect(res.status, res.text).toBe(201);
      expect(res.body.operation).toBe('IMPORT');
      expect(posts(await emulator.requests())).toEqual([
        { path: 'import', body: expect.objectContaining({ file_name: 'HR_NIGHTLY_01.DMP' }) },
      ]);
      expect(posts(await emulator.requests())[0]!.body).not.toHaveProperty('operation');
      // Sent elsewhere than configured: one line says where and why; sent where configured: none.
      const rerouted = lines.filter((l) => l.msg === 'create sent to the other ORDS endpoint for its release');
      if (createEndpoint === 'jobs') {
        expect(rerouted).toEqual([
          expect.objectContaining({
            requestId: res.headers['x-request-id'],
            tenant: 'hr-team',
            database: 'orcl',
            ordsVersion: '19.4',
            configured: 'jobs',
            endpoint: 'rpc',
            why: expect.stringMatching(/^ORDS 19\.4's POST jobs\/ cannot take /),
          }),
        ]);
      } else expect(rerouted).toEqual([]);
      await gw.close();
    }
  });

  it('without ords_version the gateway sends that IMPORT to POST jobs/ and the 19.4 ORDS refuses it (why the rule exists)', async () => {
    const emulator = await ords.fresh();
    const gw = ords.gateway({ ordsVersion: undefined });
    const res = await request(gw.app).post(JOBS).set(HR).send({ operation: 'IMPORT', file_name: 'HR_NIGHTLY_01.DMP' });
    expect(res.status, res.text).toBe(422);
    expect(res.body.type).toBe('https://datapump-gateway.dev/problems/upstream-rejected');
    expect(posts(await emulator.requests()).map((p) => p.path)).toEqual(['jobs/']);
    await gw.close();
  });

  it.each([
    ['keep_master', HR, { operation: 'EXPORT', keep_master: 1 }, ['/keep_master']],
    [
      'credential_name (object storage)',
      DBA,
      { operation: 'IMPORT', credential_name: 'DUMPS_CRED', file_name: BUCKET_URI, job_mode: 'FULL' },
      ['/credential_name'],
    ],
  ])('%s is refused with ords-version-unsupported; ORDS is not called', async (_what, who, body, pointers) => {
    const emulator = await ords.fresh();
    const gw = ords.gateway();
    const res = await request(gw.app).post(JOBS).set(who).set('Idempotency-Key', `v19-${pointers[0]}`).send(body);
    expect(res.status, res.text).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'https://datapump-gateway.dev/problems/ords-version-unsupported',
      title: 'Not supported by this ORDS release',
      status: 422,
    });
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(pointers);
    expect(res.body.errors[0].detail).toMatch(/\(19\.4\)/);
    expect(posts(await emulator.requests())).toEqual([]);
    // Its type URI has a page on every gateway.
    const page = await request(gw.app).get('/problems/ords-version-unsupported');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Not supported by this ORDS release');
    // Nothing was claimed: the same key with a body the release takes creates the job.
    const { keep_master: _k, credential_name: _c, ...rest } = body as Record<string, unknown>;
    const ok = await request(gw.app)
      .post(JOBS)
      .set(who)
      .set('Idempotency-Key', `v19-${pointers[0]}`)
      .send(rest.operation === 'IMPORT' ? { ...rest, file_name: 'DBA_01.DMP' } : rest);
    expect(ok.status, ok.text).toBe(201);
    await gw.close();
  });

  it('with create_endpoint rpc an export goes via POST jobs/ (POST export has no file_name): its dump carries the evidence token', async () => {
    const emulator = await ords.fresh();
    const gw = ords.gateway({ createEndpoint: 'rpc' });
    const created = await request(gw.app).post(JOBS).set(HR).send({ operation: 'EXPORT' });
    expect(created.status, created.text).toBe(201);
    const sent = posts(await emulator.requests());
    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe('jobs/');
    const fileName = (sent[0]!.body as { operation: string; file_name: string }).file_name;
    expect(sent[0]!.body).toMatchObject({ operation: 'EXPORT' });
    // The tenant's prefix, the time, then the intent's evidence token (create/evidence.ts).
    expect(fileName).toMatch(/^HR_\d{14}_[0-9A-Z]{12}_%U\.DMP$/);
    const token = /_([0-9A-Z]{12})_%U/.exec(fileName)![1]!;
    await emulator.advanceClock(DURATION_MS);
    const url = `${JOBS}${created.body.owner_name},${created.body.job_name}/`;
    const ended = await request(gw.app).get(url).set(HR);
    expect(ended.status, ended.text).toBe(200);
    const dumps = (ended.body.links as Array<{ href: string; mediaType?: string }>)
      .filter((l) => l.mediaType === 'application/octet-stream')
      .map((l) => l.href.split('/').pop()!);
    expect(dumps).toEqual([fileName.replace('%U', '01')]);
    expect(dumps[0]).toContain(token);
    await gw.close();
  });

  it('without ords_version (today) the same export goes to POST export, which drops file_name: the token is lost', async () => {
    const emulator = await ords.fresh();
    const gw = ords.gateway({ createEndpoint: 'rpc', ordsVersion: undefined });
    const created = await request(gw.app).post(JOBS).set(HR).send({ operation: 'EXPORT' });
    expect(created.status, created.text).toBe(201);
    expect(posts(await emulator.requests()).map((p) => p.path)).toEqual(['export']);
    await emulator.advanceClock(DURATION_MS);
    const ended = await request(gw.app).get(`${JOBS}${created.body.owner_name},${created.body.job_name}/`).set(HR);
    const dumps = (ended.body.links as Array<{ href: string; mediaType?: string }>)
      .filter((l) => l.mediaType === 'application/octet-stream')
      .map((l) => l.href.split('/').pop()!);
    expect(dumps).toHaveLength(1);
    expect(dumps[0]).toMatch(/^EXPDAT01-/); // ORDS's default name: nothing ties it to the intent
    await gw.close();
  });
});

describe('ORDS 24.4', () => {
  const ords = release('24.4');

  it.each(['jobs', 'rpc'] as const)(
    'create_endpoint %s: keep_master is refused before ORDS is called',
    async (createEndpoint) => {
      const emulator = await ords.fresh();
      const gw = ords.gateway({ createEndpoint });
      const res = await request(gw.app).post(JOBS).set(HR).send({ operation: 'EXPORT', keep_master: 0 });
      expect(res.status, res.text).toBe(422);
      expect(res.body.type).toBe('https://datapump-gateway.dev/problems/ords-version-unsupported');
      expect(res.body.errors).toEqual([
        {
          pointer: '/keep_master',
          detail:
            "This database's ORDS release (24.4) cannot take keep_master on an EXPORT: Oracle documents it on POST export from ORDS 25.4.",
        },
      ]);
      expect(posts(await emulator.requests())).toEqual([]);
      await gw.close();
    },
  );

  it('an IMPORT through POST jobs/ and an export with its file_name through POST export are as configured', async () => {
    const emulator = await ords.fresh();
    const jobsGw = ords.gateway({ createEndpoint: 'jobs' });
    const rpcGw = ords.gateway({ createEndpoint: 'rpc' });
    expect(
      (await request(jobsGw.app).post(JOBS).set(HR).send({ operation: 'IMPORT', file_name: 'HR_1.DMP' })).status,
    ).toBe(201);
    expect((await request(rpcGw.app).post(JOBS).set(HR).send({ operation: 'EXPORT' })).status).toBe(201);
    expect(posts(await emulator.requests()).map((p) => p.path)).toEqual(['jobs/', 'export']);
    await Promise.all([jobsGw.close(), rpcGw.close()]);
  });
});

describe('ORDS 25.4 (lifecycle dropped)', () => {
  const ords = release('25.4', { completedVisibleMs: 1_000 });

  it.each(['jobs', 'rpc'] as const)(
    'create_endpoint %s: keep_master 1 reaches POST export and the job stays NOT RUNNING once it ended',
    async (createEndpoint) => {
      const emulator = await ords.fresh();
      const gw = ords.gateway({ createEndpoint });
      const created = await request(gw.app).post(JOBS).set(HR).send({ operation: 'EXPORT', keep_master: 1 });
      expect(created.status, created.text).toBe(201);
      // Documented on POST export (25.4), not on POST jobs/: it goes where it is honoured.
      expect(posts(await emulator.requests())).toEqual([
        { path: 'export', body: expect.objectContaining({ keep_master: 1 }) },
      ]);
      await emulator.advanceClock(DURATION_MS + 5_000);
      const url = `${JOBS}${created.body.owner_name},${created.body.job_name}/`;
      const ended = await request(gw.app).get(url).set(HR);
      expect(ended.status, ended.text).toBe(200);
      expect(ended.body.state).toBe('NOT RUNNING');
      await gw.close();
    },
  );

  it('without keep_master the same job is dropped (ORDS forgets it once it completed)', async () => {
    const emulator = await ords.fresh();
    const gw = ords.gateway();
    const created = await request(gw.app).post(JOBS).set(HR).send({ operation: 'EXPORT' });
    expect(created.status).toBe(201);
    expect(posts(await emulator.requests()).map((p) => p.path)).toEqual(['jobs/']);
    await emulator.advanceClock(DURATION_MS + 5_000);
    const ended = await request(gw.app).get(`${JOBS}${created.body.owner_name},${created.body.job_name}/`).set(HR);
    expect(ended.body.state).toBe('COMPLETED');
    expect(ended.body.outcome.result).toBe('succeeded');
    await gw.close();
  });

  it('metadata-catalog/openapi.json says the release', async () => {
    const res = await fetch(`${ords.emulator().apiUrl}metadata-catalog/openapi.json`, {
      headers: { authorization: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}` },
    });
    expect(((await res.json()) as { info: { version: string } }).info.version).toBe('25.4');
  });
});

describe('ords_version unset: today', () => {
  const ords = release('25.4');

  it('every create goes to create_endpoint as it is, keep_master included', async () => {
    const emulator = await ords.fresh();
    const jobsGw = ords.gateway({ ordsVersion: undefined, createEndpoint: 'jobs' });
    const rpcGw = ords.gateway({ ordsVersion: undefined, createEndpoint: 'rpc' });
    const bodies = [
      { operation: 'EXPORT', keep_master: 1 },
      { operation: 'IMPORT', file_name: 'HR_1.DMP' },
    ];
    for (const gw of [jobsGw, rpcGw])
      for (const body of bodies) expect((await request(gw.app).post(JOBS).set(HR).send(body)).status).toBe(201);
    expect(posts(await emulator.requests()).map((p) => p.path)).toEqual(['jobs/', 'jobs/', 'export', 'import']);
    expect(posts(await emulator.requests())[0]!.body).toMatchObject({ operation: 'EXPORT', keep_master: 1 });
    await Promise.all([jobsGw.close(), rpcGw.close()]);
  });
});

// Oracle's own URLs on the gateway: every operation on ORDS's path shape (/ords/{db}/{schema}/_/db-api/{version}/
// database/datapump/…) with the same authentication, policy, limits and answers, `Location` and links in the shape
// the request used (replays included); and ORDS's RPC forms, …/export and …/import, on both shapes.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { testGateway } from '../helpers/gateway-app.js';
import { testConfig, testDatabase, testTenants } from '../helpers/gateway-config.js';

const HR = { 'X-API-Key': 'hr-demo-key' };
const SALES = { 'X-API-Key': 'sales-demo-key' };
const ORDS = '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/';
const OWN = '/databases/orcl/datapump/';
const PUBLIC = 'http://gateway.test';
// The ORDS reference's export body, exactly as Oracle's curl example sends it.
const ORACLE_EXPORT = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ( 'HR' )" }] };
const problem = (slug: string) => `https://datapump-gateway.dev/problems/${slug}`;

let emulator: EmulatorProcess;
beforeAll(async () => {
  emulator = await startEmulatorProcess({ clock: 'manual', config: { jobDurationMs: 1_000, lifecycle: 'kept' } });
});
afterAll(async () => {
  await emulator?.stop();
});

const gateway = (overrides: Parameters<typeof testConfig>[0] = {}) =>
  testGateway({ config: testConfig(overrides, { url: emulator.ordsUrl }) });

/** Every URL of an answer: its Location, Content-Location and links. */
function urlsOf(res: request.Response): string[] {
  const links = ((res.body as { links?: Array<{ href: string }> }).links ?? []).map((l) => l.href);
  return [res.headers.location, res.headers['content-location'], ...links].filter((u): u is string => !!u);
}

describe("ORDS's own path shape", () => {
  it("takes Oracle's curl example with only host and credentials changed; the job reads back on that path", async () => {
    const gw = gateway();
    const created = await request(gw.app)
      .post(`${ORDS}jobs/`)
      .auth('hr-team', 'hr-demo-key') // curl -u
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(ORACLE_EXPORT));
    expect(created.status, created.text).toBe(201);
    const location = created.headers.location as string;
    expect(location).toBe(`${PUBLIC}${ORDS}jobs/${created.body.owner_name},${created.body.job_name}/`);
    for (const url of urlsOf(created)) expect(url.startsWith(`${PUBLIC}${ORDS}`), url).toBe(true);

    await emulator.advanceClock(1_000);
    const path = new URL(location).pathname;
    const polled = await request(gw.app).get(path).auth('hr-team', 'hr-demo-key');
    expect(polled.status).toBe(200);
    expect(polled.body.outcome.result).toBe('succeeded');
    for (const url of urlsOf(polled)) expect(url.startsWith(`${PUBLIC}${ORDS}`), url).toBe(true);
    // Without the trailing slash too, as on the gateway's own shape.
    expect((await request(gw.app).get(path.slice(0, -1)).set(HR)).status).toBe(200);

    const log = (polled.body.links as Array<{ href: string; mediaType?: string }>).find(
      (l) => l.mediaType === 'text/plain',
    )!;
    const file = await request(gw.app).get(new URL(log.href).pathname).set(HR);
    expect(file.status).toBe(200);
    expect(file.text).toMatch(/successfully completed/);
    expect((await request(gw.app).head(new URL(log.href).pathname).set(HR)).status).toBe(200);

    const list = await request(gw.app).get(`${ORDS}jobs/`).set(HR);
    expect(list.status).toBe(200);
    expect(list.body.items.map((j: { job_name: string }) => j.job_name)).toContain(created.body.job_name);
    for (const link of list.body.links as Array<{ href: string }>)
      expect(link.href.startsWith(`${PUBLIC}${ORDS}`)).toBe(true);
    expect((await request(gw.app).get(`${ORDS}jobs`).set(HR)).status).toBe(200);
  });

  it('keeps the version segment the client used (latest) in every URL', async () => {
    const gw = gateway();
    const latest = ORDS.replace('/stable/', '/latest/');
    const created = await request(gw.app).post(`${latest}jobs/`).set(HR).send(ORACLE_EXPORT);
    expect(created.status, created.text).toBe(201);
    for (const url of urlsOf(created)) expect(url.startsWith(`${PUBLIC}${latest}`), url).toBe(true);
  });

  it('meets the same policy, authentication and validation as the gateway path', async () => {
    const gw = gateway();
    const sales = await request(gw.app)
      .post(`${ORDS}jobs/`)
      .set(HR)
      .send({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('SALES')" }] });
    expect(sales.status).toBe(403);
    expect(sales.body.type).toBe(problem('not-granted'));
    const anonymous = await request(gw.app).post(`${ORDS}jobs/`).send(ORACLE_EXPORT);
    expect(anonymous.status).toBe(401);
    const version = await request(gw.app)
      .get(ORDS.replace('/stable/', '/v1/') + 'jobs/')
      .set(HR);
    expect(version.status).toBe(400);
    expect(JSON.stringify(version.body.errors)).toContain('api_version');
    const unknownMember = await request(gw.app)
      .post(`${ORDS}jobs/`)
      .set(HR)
      .send({ ...ORACLE_EXPORT, job_name: 'MINE' });
    expect(unknownMember.status).toBe(400);
  });

  it('answers 404 for an alias no database has, and for a database the tenant is not granted, as for none', async () => {
    const tenants = testTenants(['orcl', 'test']);
    tenants['sales-team'] = { ...tenants['sales-team']!, databases: ['orcl'] };
    const gw = testGateway({
      config: testConfig({
        databases: {
          orcl: testDatabase({ url: emulator.ordsUrl }),
          test: testDatabase({ name: 'test', url: emulator.ordsUrl, ordsPath: 'test/pdbadmin' }),
        },
        tenants,
      }),
    });
    const unknown = await request(gw.app).get('/ords/nope/pdbadmin/_/db-api/stable/database/datapump/jobs/').set(HR);
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe(problem('database-not-found'));
    const notGranted = await request(gw.app)
      .get('/ords/test/pdbadmin/_/db-api/stable/database/datapump/jobs/')
      .set(SALES);
    expect(notGranted.status).toBe(404);
    expect({ ...notGranted.body, request_id: undefined }).toEqual({ ...unknown.body, request_id: undefined });
    // The configured alias serves its database for a tenant granted it.
    const granted = await request(gw.app).get('/ords/test/pdbadmin/_/db-api/stable/database/datapump/jobs/').set(HR);
    expect(granted.status).toBe(200);
    // Aliases are matched exactly, as every path of the gateway.
    const cased = await request(gw.app).get('/ords/ORCL/pdbadmin/_/db-api/stable/database/datapump/jobs/').set(HR);
    expect(cased.status).toBe(404);
  });

  it("answers 404 for another tenant's job and file on ORDS's shape, as on the gateway's, without asking ORDS", async () => {
    const gw = gateway();
    const created = await request(gw.app).post(`${ORDS}jobs/`).set(HR).send(ORACLE_EXPORT);
    expect(created.status).toBe(201);
    const path = new URL(created.headers.location as string).pathname;
    await emulator.clearRequests();
    for (const target of [path, `${path}${created.body.job_name}.LOG`]) {
      const res = await request(gw.app).get(target).set(SALES);
      expect(res.status, target).toBe(404);
    }
    expect((await emulator.requests()).filter((r) => r.path.includes(created.body.job_name as string))).toEqual([]);
  });

  it.each([
    [
      'an encoded slash inside the alias',
      '/ords/orcl%2Fpdbadmin/x/_/db-api/stable/database/datapump/jobs/',
      [400, 404],
    ],
    ['a dot-dot segment', '/ords/../pdbadmin/_/db-api/stable/database/datapump/jobs/', [404]],
    [
      'an alias segment over 128 characters',
      `/ords/${'a'.repeat(129)}/pdbadmin/_/db-api/stable/database/datapump/jobs/`,
      [400],
    ],
    ['a space in the schema segment', '/ords/orcl/pdb%20admin/_/db-api/stable/database/datapump/jobs/', [400]],
    ['a version segment in another case', '/ords/orcl/pdbadmin/_/db-api/STABLE/database/datapump/jobs/', [400]],
  ])('refuses %s without reaching ORDS', async (_what, path, statuses) => {
    const gw = gateway();
    await emulator.clearRequests();
    const res = await request(gw.app).get(path).set(HR);
    expect(statuses).toContain(res.status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await emulator.requests()).toEqual([]);
  });

  it('a replay answers in the shape of the retry, with the ETag of that body; a GET in that shape agrees', async () => {
    const gw = gateway();
    const key = { 'Idempotency-Key': '"shape-replay-1"' };
    const first = await request(gw.app)
      .post(`${OWN}jobs/`)
      .set({ ...HR, ...key })
      .send(ORACLE_EXPORT);
    expect(first.status).toBe(201);
    const replay = await request(gw.app)
      .post(`${ORDS}jobs/`)
      .set({ ...HR, ...key })
      .send(ORACLE_EXPORT);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.job_name).toBe(first.body.job_name);
    for (const url of urlsOf(replay)) expect(url.startsWith(`${PUBLIC}${ORDS}`), url).toBe(true);
    expect(replay.headers.etag).not.toBe(first.headers.etag); // another body, another tag

    const get = await request(gw.app)
      .get(new URL(replay.headers.location as string).pathname)
      .set(HR);
    expect(get.headers.etag).toBe(replay.headers.etag);
    const notModified = await request(gw.app)
      .get(new URL(replay.headers.location as string).pathname)
      .set({ ...HR, 'If-None-Match': replay.headers.etag as string });
    expect(notModified.status).toBe(304);
    // And back on the gateway's own shape: the original answer, byte for byte.
    const own = await request(gw.app)
      .post(`${OWN}jobs/`)
      .set({ ...HR, ...key })
      .send(ORACLE_EXPORT);
    expect(own.headers.location).toBe(first.headers.location);
    expect(own.headers.etag).toBe(first.headers.etag);
    expect(own.body).toEqual(first.body);
  });
});

describe("ORDS's RPC forms: POST …/export and …/import", () => {
  for (const [shape, base] of [
    ['the gateway path', OWN],
    ["ORDS's path", ORDS],
  ] as const) {
    it(`on ${shape}: an export without operation creates a job, and meets the same policy (403 for a schema not granted)`, async () => {
      const gw = gateway();
      const created = await request(gw.app)
        .post(`${base}export`)
        .set(HR)
        .send({ schema_expressions: [{ expression: "IN ('HR')" }] });
      expect(created.status, created.text).toBe(201);
      expect(created.body.operation).toBe('EXPORT');
      for (const url of urlsOf(created)) expect(url.startsWith(`${PUBLIC}${base}jobs/`), url).toBe(true);
      const sent = (await emulator.requests()).filter((r) => r.method === 'POST').at(-1)!;
      expect(sent.body).toMatchObject({ operation: 'EXPORT', file_name: expect.stringMatching(/^HR_/) });

      const refused = await request(gw.app)
        .post(`${base}export`)
        .set(HR)
        .send({ schema_expressions: [{ expression: "IN ('SALES')" }] });
      expect(refused.status).toBe(403);
      expect(refused.body.type).toBe(problem('not-granted'));
    });
  }

  it('takes the endpoint operation when sent, refuses the other one and a missing import file_name', async () => {
    const gw = gateway();
    const same = await request(gw.app)
      .post(`${OWN}export`)
      .set(HR)
      .send({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });
    expect(same.status, same.text).toBe(201);
    const other = await request(gw.app)
      .post(`${OWN}export`)
      .set(HR)
      .send({ operation: 'IMPORT', file_name: 'HR_X.DMP' });
    expect(other.status).toBe(400);
    expect(JSON.stringify(other.body.errors)).toContain('/operation');
    const noFile = await request(gw.app).post(`${ORDS}import`).set(HR).send({ job_mode: 'SCHEMA' });
    expect(noFile.status).toBe(400);
    expect(JSON.stringify(noFile.body.errors)).toContain('file_name');
  });

  it('an import without operation creates an import job through ORDS', async () => {
    const gw = gateway();
    const created = await request(gw.app)
      .post(`${ORDS}import`)
      .set(HR)
      .send({ file_name: 'HR_EXPORT01.DMP', schema_expressions: [{ expression: "IN ('HR')" }] });
    expect(created.status, created.text).toBe(201);
    expect(created.body.operation).toBe('IMPORT');
    const sent = (await emulator.requests()).filter((r) => r.method === 'POST').at(-1)!;
    expect(sent.body).toMatchObject({ operation: 'IMPORT', file_name: 'HR_EXPORT01.DMP' });
  });

  it('one Idempotency-Key replays the one job whichever form made it: jobs/ with EXPORT, or export', async () => {
    const gw = gateway();
    const key = { 'Idempotency-Key': '"rpc-same-1"' };
    const body = { schema_expressions: [{ expression: "IN ('HR')" }] };
    const viaJobs = await request(gw.app)
      .post(`${OWN}jobs/`)
      .set({ ...HR, ...key })
      .send({ operation: 'EXPORT', ...body });
    expect(viaJobs.status).toBe(201);
    const viaExport = await request(gw.app)
      .post(`${OWN}export`)
      .set({ ...HR, ...key })
      .send(body);
    expect(viaExport.status).toBe(201);
    expect(viaExport.headers['idempotent-replayed']).toBe('true');
    expect(viaExport.body.job_name).toBe(viaJobs.body.job_name);
  });
});

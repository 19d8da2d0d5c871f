// What the gateway sends to ORDS, and what it hands back: its own credentials, rewritten links, no ORDS address.
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import { testGateway } from '../helpers/gateway-app.js';
import { testConfig } from '../helpers/gateway-config.js';
import { mockOrds, ORDS_API, ORDS_JOBS, ordsJob } from '../helpers/mock-ords.js';

const HR = { 'X-API-Key': 'hr-demo-key' };
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] };
const JOB = 'PDBADMIN,DATAPUMP_REST_EXPORT_20190906155736';
const basicOf = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

async function createdJob(
  gw: ReturnType<typeof testGateway>,
  ords: ReturnType<typeof mockOrds>,
  headers: Record<string, string> = HR,
) {
  ords.answer('POST', ORDS_JOBS, 201, ordsJob(), {
    etag: '"v1"',
    location: `http://127.0.0.1:8181${ORDS_JOBS}${JOB}/`,
  });
  return request(gw.app).post('/databases/orcl/datapump/jobs/').set(headers).send(EXPORT_HR);
}

describe('forwarding a create', () => {
  it("sends the body to ORDS with the gateway's own credentials and none of the client's", async () => {
    const ords = mockOrds();
    const gw = testGateway({ dispatcher: ords.agent });
    const res = await createdJob(gw, ords, {
      Authorization: basicOf('hr-team', 'hr-demo-key'),
      Cookie: 'session=abc',
      'X-Request-Id': 'req-123',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      Connection: 'keep-alive, X-Secret',
      'X-Secret': 'hop',
    });
    expect(res.status).toBe(201);
    const sent = ords.received[0]!;
    expect(sent.headers.authorization).toBe(basicOf('pdbadmin', 'oracle'));
    expect(sent.headers.cookie).toBeUndefined();
    expect(sent.headers['x-secret']).toBeUndefined();
    expect(sent.headers['x-api-key']).toBeUndefined();
    expect(sent.headers['x-request-id']).toBe('req-123');
    expect(sent.headers.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    // The canonical request: the tenant's directory and a file name inside its prefix are filled in.
    expect(sent.body).toEqual({
      operation: 'EXPORT',
      datapump_dir: 'DATA_PUMP_DIR',
      file_name: expect.stringMatching(/^HR_\d{14}_[0-9A-Z]{12}_%U\.DMP$/), // prefix, time, evidence token
      schema_expressions: [{ expression: "IN ('HR')" }],
    });
    expect(res.headers['x-request-id']).toBe('req-123');
  });

  it('answers with gateway URLs only: Location, Content-Location and links are rewritten, undescribed links dropped', async () => {
    const ords = mockOrds();
    const gw = testGateway({ dispatcher: ords.agent });
    const res = await createdJob(gw, ords);
    const self = `http://gateway.test/databases/orcl/datapump/jobs/${JOB}/`;
    expect(res.headers.location).toBe(self);
    expect(res.headers['content-location']).toBe(self);
    // The gateway's own tag of the public body (ORDS's "v1" describes ORDS's body, not this one).
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.links).toEqual([
      { rel: 'collection', href: 'http://gateway.test/databases/orcl/datapump/jobs/' },
      { rel: 'related', href: `${self}EXPDAT-2019-09-06-15_57_36.LOG`, mediaType: 'text/plain' },
      { rel: 'self', href: self },
    ]);
    expect(res.body).not.toHaveProperty('job_state');
    const everything = JSON.stringify(res.headers) + JSON.stringify(res.body);
    for (const leak of ['127.0.0.1:8181', '/ords/', 'db-api', 'metadata-catalog'])
      expect(everything).not.toContain(leak);
  });

  it('rewrites links ORDS reports with another host, and drops links into other jobs', async () => {
    const ords = mockOrds();
    const other = 'https://ords.internal.example:9443';
    const job = ordsJob({}, other);
    job.links.push({ rel: 'related', href: `${other}${ORDS_JOBS}SOMEONE,OTHER_JOB/SECRET.DMP` });
    job.links.push({ rel: 'related', href: 'https://evil.example/x.LOG' });
    ords.answer('POST', ORDS_JOBS, 201, job);
    const gw = testGateway({ dispatcher: ords.agent });
    const res = await request(gw.app).post('/databases/orcl/datapump/jobs/').set(HR).send(EXPORT_HR);
    expect(res.status).toBe(201);
    const hrefs = (res.body.links as Array<{ href: string }>).map((l) => l.href);
    expect(hrefs.every((h) => h.startsWith('http://gateway.test/databases/orcl/datapump/jobs/'))).toBe(true);
    expect(JSON.stringify(res.body)).not.toMatch(/internal\.example|evil\.example|OTHER_JOB/);
  });

  it("translates to ORDS's RPC endpoints when the database is configured for them", async () => {
    const ords = mockOrds();
    ords.answer(
      'POST',
      `${ORDS_API}database/datapump/import`,
      201,
      ordsJob({ operation: 'IMPORT', job_name: 'DATAPUMP_REST_IMPORT_20190906154258' }),
    );
    const gw = testGateway({ dispatcher: ords.agent, config: testConfig({}, { createEndpoint: 'rpc' }) });
    const body = { operation: 'IMPORT', file_name: 'HR%U.DMP', remap_schemas: [{ source: 'HR', target: 'BLAKE' }] };
    const res = await request(gw.app)
      .post('/databases/orcl/datapump/jobs/')
      .set({ 'X-API-Key': 'dba-demo-key' })
      .send(body);
    expect(res.status).toBe(201);
    expect(ords.received[0]!.body).toEqual({
      file_name: 'HR%U.DMP',
      remap_schemas: [{ source: 'HR', target: 'BLAKE' }],
    });
  });

  it('serves the path without its trailing slash the same way, without a redirect', async () => {
    const ords = mockOrds();
    ords.answer('POST', ORDS_JOBS, 201, ordsJob());
    const gw = testGateway({ dispatcher: ords.agent });
    const res = await request(gw.app).post('/databases/orcl/datapump/jobs').set(HR).send(EXPORT_HR);
    expect(res.status).toBe(201);
  });
});

describe('reading a job', () => {
  it("tags the public body with the gateway's own ETag and answers If-None-Match itself, ORDS asked unconditionally", async () => {
    const ords = mockOrds();
    const gw = testGateway({ dispatcher: ords.agent });
    await createdJob(gw, ords);
    ords.answer('GET', `${ORDS_JOBS}${JOB}/`, 200, ordsJob(), { etag: '"v2"' }, 3);
    const first = await request(gw.app).get(`/databases/orcl/datapump/jobs/${JOB}`).set(HR);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.etag).not.toBe('"v2"');
    const again = await request(gw.app)
      .get(`/databases/orcl/datapump/jobs/${JOB}/`)
      .set(HR)
      .set('If-None-Match', String(first.headers.etag));
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.text).toBe('');
    // ORDS's own tag is no validator of the gateway's body: it does not match.
    const theirs = await request(gw.app)
      .get(`/databases/orcl/datapump/jobs/${JOB}/`)
      .set(HR)
      .set('If-None-Match', '"v2"');
    expect(theirs.status).toBe(200);
    const reads = ords.received.filter((r) => r.method === 'GET');
    expect(reads).toHaveLength(3);
    expect(reads.every((r) => r.headers['if-none-match'] === undefined)).toBe(true);
  });

  it('a job ORDS forgot before anyone saw it end answers COMPLETED, succeeded (inferred), and is asked no more', async () => {
    const ords = mockOrds();
    const gw = testGateway({ dispatcher: ords.agent });
    await createdJob(gw, ords);
    const notFound = { code: 'NotFound', message: 'Not Found', type: 'tag:oracle.com,2020:error/NotFound' };
    // The poll, then the log's read by its recorded name (ORDS no longer serves it).
    ords.answer('GET', `${ORDS_JOBS}${JOB}/`, 404, notFound, {}, 2);
    ords.answer('GET', `${ORDS_JOBS}${JOB}/EXPDAT-2019-09-06-15_57_36.LOG`, 404, notFound);
    const res = await request(gw.app).get(`/databases/orcl/datapump/jobs/${JOB}/`).set(HR);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'COMPLETED', outcome: { result: 'succeeded', source: 'inferred' } });
    const calls = ords.received.length;
    const again = await request(gw.app).get(`/databases/orcl/datapump/jobs/${JOB}/`).set(HR);
    expect(again.body).toEqual(res.body);
    expect(ords.received.length).toBe(calls);
  });
});

describe('object-level authorisation', () => {
  it("answers 404 for another tenant's job and file, without calling ORDS", async () => {
    const ords = mockOrds();
    const gw = testGateway({ dispatcher: ords.agent });
    await createdJob(gw, ords);
    const before = ords.received.length;
    for (const path of [
      `/databases/orcl/datapump/jobs/${JOB}/`,
      `/databases/orcl/datapump/jobs/${JOB}/EXPDAT-2019-09-06-15_57_36.LOG`,
    ]) {
      const res = await request(gw.app).get(path).set({ 'X-API-Key': 'sales-demo-key' });
      expect(res.status).toBe(404);
      expect(res.body.type).toBe('https://datapump-gateway.dev/problems/job-not-found');
    }
    expect(ords.received.length).toBe(before);
  });

  it("lists only the caller's own jobs, from the registry the watcher keeps: ORDS's list is not read", async () => {
    const ords = mockOrds();
    const gw = testGateway({ dispatcher: ords.agent });
    await createdJob(gw, ords);
    // The watcher's round: one GET of the job, which has ended (COMPLETED, its log saying so).
    ords.answer('GET', `${ORDS_JOBS}${JOB}/`, 200, ordsJob({ state: 'COMPLETED' }), {}, 2);
    ords.pool
      .intercept({ method: 'GET', path: `${ORDS_JOBS}${JOB}/EXPDAT-2019-09-06-15_57_36.LOG` })
      .reply(
        200,
        `Job "PDBADMIN"."${JOB.split(',')[1]}" successfully completed at Fri Sep 6 15:57:41 2019 elapsed 0 00:00:05\n`,
        {
          headers: { 'content-type': 'text/plain' },
        },
      );
    expect(await gw.watcher.runOnce()).toMatchObject({ finished: 1 });
    const res = await request(gw.app).get('/databases/orcl/datapump/jobs/').set(HR);
    expect(res.status).toBe(200);
    expect(res.body.items.map((j: { owner_name: string }) => j.owner_name)).toEqual(['PDBADMIN']);
    expect(res.body.items[0]).toMatchObject({
      state: 'COMPLETED',
      outcome: { result: 'succeeded', source: 'log', errors: 0, finished_at: '2019-09-06T15:57:41.000Z' },
    });
    expect(res.body).toMatchObject({ count: 1, hasMore: false, limit: 25, offset: 0 });
    expect(ords.received.some((r) => /\/jobs\/\?/.test(r.path))).toBe(false);
    const sales = await request(gw.app).get('/databases/orcl/datapump/jobs/').set({ 'X-API-Key': 'sales-demo-key' });
    expect(sales.body.items).toEqual([]);
  });

  it("gives the all-jobs tenant every job of the database: ORDS's list merged with the registry's history, paged stably", async () => {
    const ords = mockOrds();
    const gw = testGateway({ dispatcher: ords.agent, now: () => new Date('2026-01-01T00:00:00.000Z') });
    // hr-team created a job through the gateway on 1 January; ORDS has since dropped it (history only).
    ords.answer('POST', ORDS_JOBS, 201, ordsJob({ job_name: 'DATAPUMP_REST_EXPORT_20260101000000' }));
    await request(gw.app).post('/databases/orcl/datapump/jobs/').set(HR).send(EXPORT_HR);
    const live = [
      ordsJob({ owner_name: 'SALES', job_name: 'DATAPUMP_REST_EXPORT_20260301000000' }),
      ordsJob({ owner_name: 'OPS', job_name: 'SYS_EXPORT_SCHEMA_01' }),
    ];
    ords.answer(
      'GET',
      /\/datapump\/jobs\/\?/,
      200,
      { items: live, hasMore: false, limit: 500, offset: 0, count: 2 },
      {},
      10,
    );
    const names: string[] = [];
    for (let offset = 0; offset < 4; offset++) {
      const res = await request(gw.app)
        .get(`/databases/orcl/datapump/jobs/?limit=1&offset=${offset}`)
        .set({ 'X-API-Key': 'dba-demo-key' });
      expect(res.status).toBe(200);
      expect(res.body.hasMore).toBe(offset < 2);
      names.push(...res.body.items.map((j: { job_name: string }) => j.job_name));
    }
    // Newest first by the registry's time or the time in ORDS's name; a name without a time comes last.
    expect(names).toEqual([
      'DATAPUMP_REST_EXPORT_20260301000000',
      'DATAPUMP_REST_EXPORT_20260101000000',
      'SYS_EXPORT_SCHEMA_01',
    ]);
  });
});

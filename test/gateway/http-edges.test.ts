// HTTP at the edges of the contract: integer query parameters are decimal digits only, paths match
// case-sensitively, and HEAD answers wherever GET does (the same status and headers, no body).
import { createServer, type Server } from 'node:http';

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadContract } from '../../src/contract/documents.js';
import { integerQueryParameters } from '../../src/gateway/validation/contract-validator.js';
import { testGateway } from '../helpers/gateway-app.js';
import { mockOrds, ORDS_JOBS, ordsJob } from '../helpers/mock-ords.js';
import { exchange } from './http/raw-http.js';

const LIST = '/databases/orcl/datapump/jobs/';
const JOB = 'PDBADMIN,DATAPUMP_REST_EXPORT_20190906155736';
const PROBLEMS = 'https://datapump-gateway.dev/problems/';
const HR = { 'X-API-Key': 'hr-demo-key' };
const DBA = { 'X-API-Key': 'dba-demo-key' };
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] };

describe('integer query parameters are decimal digits, nothing else', () => {
  // hr-team lists from the (empty) registry: ORDS is never asked, so any 200 comes from the gateway alone.
  const gw = testGateway();

  it('reads the integer query parameters from the contract: limit and offset of the list', () => {
    const byOperation = integerQueryParameters(loadContract('public'));
    // The list on the gateway's path shape and on ORDS's: the same operation, the same parameters.
    expect([...byOperation.keys()]).toEqual(['listJobs', 'listJobsOrdsPath']);
    for (const id of byOperation.keys()) expect(byOperation.get(id)!.map((p) => p.name)).toEqual(['limit', 'offset']);
  });

  const notDigits = [
    'Infinity',
    '-Infinity',
    '1e400',
    '0x10',
    '0b11',
    '0o7',
    '+5',
    '-5',
    '1e2',
    '5.0',
    '5.',
    '.5',
    ' 5',
    '5 ',
    '',
    'NaN',
    '1_0',
    '1,5',
    '５',
  ];
  const outOfRange: Record<'limit' | 'offset', string[]> = {
    limit: ['0', '501', '99999999999999999999999'],
    offset: ['1000001', '99999999999999999999999'],
  };
  const valid: Record<'limit' | 'offset', Array<[string, number]>> = {
    limit: [
      ['1', 1],
      ['25', 25],
      ['500', 500],
      ['007', 7],
    ],
    offset: [
      ['0', 0],
      ['1', 1],
      ['1000000', 1_000_000],
    ],
  };

  it.each(['1e2', '0x10', 'Infinity'])("refuses limit=%j on ORDS's path shape too", async (value) => {
    const res = await request(gw.app)
      .get('/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/')
      .query({ limit: value })
      .set(HR);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe(`${PROBLEMS}request-invalid`);
  });

  for (const parameter of ['limit', 'offset'] as const) {
    it.each([...notDigits, ...outOfRange[parameter]])(
      `refuses ${parameter}=%j with 400 request-invalid naming the parameter`,
      async (value) => {
        const res = await request(gw.app)
          .get(LIST)
          .query({ [parameter]: value })
          .set(HR);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.type).toBe(`${PROBLEMS}request-invalid`);
        // One fault, or (digits out of range) the validator's own: each names the parameter.
        expect(res.body.errors.length).toBeGreaterThan(0);
        for (const fault of res.body.errors) expect(fault).toEqual({ parameter, detail: expect.any(String) });
      },
    );

    it.each(valid[parameter])(`accepts ${parameter}=%s as %d`, async (value, expected) => {
      const res = await request(gw.app)
        .get(LIST)
        .query({ [parameter]: value })
        .set(HR);
      expect(res.status).toBe(200);
      expect(res.body[parameter]).toBe(expected);
    });
  }

  it('refuses a repeated parameter with a non-digit value among its values', async () => {
    const res = await request(gw.app).get(`${LIST}?limit=5&limit=Infinity`).set(HR);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ parameter: 'limit', detail: expect.any(String) }]);
  });

  it("lists these faults together with the validator's own, each once", async () => {
    const res = await request(gw.app).get(`${LIST}?limit=Infinity&offset=0x10&bogus=1`).set(HR);
    expect(res.status).toBe(400);
    const parameters = (res.body.errors as Array<{ parameter: string }>).map((e) => e.parameter).sort();
    expect(parameters).toEqual(['bogus', 'limit', 'offset']);
  });

  it('refuses them on HEAD too', async () => {
    const res = await request(gw.app).head(`${LIST}?limit=1e400`).set(HR);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('paths match case-sensitively', () => {
  const ords = mockOrds();
  ords.answerCreates();
  const gw = testGateway({ dispatcher: ords.agent });

  it.each([
    '/DATABASES/orcl/DATAPUMP/JOBS/',
    '/Databases/orcl/datapump/jobs/',
    '/databases/orcl/datapump/JOBS/',
    '/databases/orcl/datapump/Jobs',
    `/databases/orcl/DATAPUMP/jobs/${JOB}/`,
    `/databases/orcl/datapump/JOBS/${JOB}/EXPDAT-2019-09-06-15_57_36.LOG`,
  ])('answers GET %s with 404 not-found', async (path) => {
    const res = await request(gw.app).get(path).set(DBA);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe(`${PROBLEMS}not-found`);
  });

  it('answers POST /DATABASES/orcl/DATAPUMP/JOBS/ with 404 not-found, and ORDS is not called', async () => {
    const res = await request(gw.app).post('/DATABASES/orcl/DATAPUMP/JOBS/').set(HR).send(EXPORT_HR);
    expect(res.status).toBe(404);
    expect(res.body.type).toBe(`${PROBLEMS}not-found`);
    expect(ords.received).toEqual([]);
  });

  it('still serves the contract spelling', async () => {
    expect((await request(gw.app).get(LIST).set(HR)).status).toBe(200);
    const created = await request(gw.app).post(LIST).set(HR).send(EXPORT_HR);
    expect(created.status).toBe(201);
  });
});

describe('HEAD answers wherever GET does: the same status and headers, no body (RFC 9110 §9.3.2)', () => {
  const ords = mockOrds();
  ords.answer(
    'GET',
    new RegExp(`^${ORDS_JOBS.replace(/\//g, '\\/')}\\?`),
    200,
    { items: [ordsJob()], hasMore: false, limit: 25, offset: 0, count: 1 },
    {},
    100,
  );
  ords.answer('GET', `${ORDS_JOBS}${JOB}/`, 200, ordsJob(), { etag: '"v1"' }, 100);
  const gw = testGateway({ dispatcher: ords.agent });
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(gw.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await gw.close();
  });

  const ask = (method: 'GET' | 'HEAD', path: string) =>
    exchange(
      url,
      `${method} ${path} HTTP/1.1\r\nHost: gateway\r\nX-API-Key: dba-demo-key\r\nConnection: close\r\n\r\n`,
    );
  /** Headers that differ from one request to the next whatever the method. */
  const PER_REQUEST = new Set(['date', 'x-request-id', 'ratelimit']);
  const lasting = (headers: Record<string, string>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_REQUEST.has(name)));

  it.each([
    ['the list', LIST],
    ['the list without its trailing slash, with a page', '/databases/orcl/datapump/jobs?limit=10&offset=0'],
    ['a job', `${LIST}${JOB}/`],
  ])('answers HEAD of %s as GET, without the body', async (_what, path) => {
    const get = await ask('GET', path);
    const head = await ask('HEAD', path);
    expect(get.status).toBe(200);
    expect(get.body.length).toBeGreaterThan(0);
    expect(head.status).toBe(get.status);
    expect(lasting(head.headers)).toEqual(lasting(get.headers));
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.body)));
    // Nothing at all after the header section.
    expect(head.raw.endsWith('\r\n\r\n')).toBe(true);
    expect(head.raw.indexOf('\r\n\r\n')).toBe(head.raw.length - 4);
  });

  it("gives the job's ETag (the gateway's own) on HEAD as on GET", async () => {
    const get = await ask('GET', `${LIST}${JOB}/`);
    const head = await ask('HEAD', `${LIST}${JOB}/`);
    expect(head.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(head.headers.etag).toBe(get.headers.etag);
    expect(head.headers['cache-control']).toBe('no-store');
  });

  it('answers HEAD of a path outside the contract with 404, without a body', async () => {
    const head = await ask('HEAD', '/databases/orcl/datapump/');
    expect(head.status).toBe(404);
    expect(head.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(head.raw.indexOf('\r\n\r\n')).toBe(head.raw.length - 4);
  });

  it('lists HEAD in Allow where GET is', async () => {
    const list = await request(gw.app).delete(LIST).set(DBA);
    expect(list.status).toBe(405);
    expect(list.headers.allow).toBe('GET, HEAD, POST');
    const job = await request(gw.app).post(`${LIST}${JOB}/`).set(DBA).send({});
    expect(job.status).toBe(405);
    expect(job.headers.allow).toBe('GET, HEAD');
  });
});

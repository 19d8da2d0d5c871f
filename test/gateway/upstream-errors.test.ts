// How ORDS's answers and failures reach the client: the mapping table, each row a problem with its own type.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';

import { testGateway } from '../helpers/gateway-app.js';
import { testConfig } from '../helpers/gateway-config.js';
import { mockOrds, ORDS_JOBS, ordsJob } from '../helpers/mock-ords.js';

const HR = { 'X-API-Key': 'hr-demo-key' };
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] };
const ordsError = (code: string, message: string) => ({
  code,
  message,
  type: `tag:oracle.com,2020:error/${code}`,
  instance: 'tag:oracle.com,2020:ecid/SECRET-ECID-123',
});

const problem = (slug: string) => `https://datapump-gateway.dev/problems/${slug}`;

describe('ORDS answers to a create', () => {
  // [ORDS status, ORDS body, headers, client status, problem slug]
  const table: Array<[number, unknown, Record<string, string>, number, string]> = [
    [400, ordsError('BadRequest', 'ORA-39001: invalid argument value'), {}, 422, 'upstream-rejected'],
    [401, ordsError('Unauthorized', 'Unauthorized'), {}, 502, 'upstream-auth-failed'],
    [403, ordsError('Forbidden', 'Forbidden'), {}, 502, 'upstream-auth-failed'],
    [404, ordsError('NotFound', 'Not Found'), {}, 404, 'database-not-found'],
    [302, '', { location: 'http://elsewhere.invalid/' }, 502, 'upstream-error'],
    [503, ordsError('ServiceUnavailable', 'pool exhausted'), { 'retry-after': '17' }, 503, 'upstream-unavailable'],
    [
      500,
      ordsError('InternalServerError', 'java.lang.NullPointerException at oracle.dbtools.Foo'),
      {},
      502,
      'upstream-error',
    ],
    [502, '<html>bad gateway</html>', { 'content-type': 'text/html' }, 502, 'upstream-invalid-response'],
    [201, '{"job_name": "X", ', {}, 502, 'upstream-invalid-response'],
    [201, { job_name: 'X' }, {}, 502, 'upstream-invalid-response'],
    [201, ordsJob({ state: 42 }), {}, 502, 'upstream-invalid-response'],
  ];

  it.each(table)('ORDS %i → client %#', async (ordsStatus, body, headers, status, slug) => {
    const ords = mockOrds();
    ords.answer('POST', ORDS_JOBS, ordsStatus, body, headers);
    const gw = testGateway({ dispatcher: ords.agent });
    const res = await request(gw.app).post('/databases/orcl/datapump/jobs/').set(HR).send(EXPORT_HR);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe(problem(slug));
    const text = JSON.stringify(res.body);
    // ORDS's message, ECID and stack never reach the client.
    for (const secret of ['ORA-', 'SECRET-ECID', 'java.lang', 'elsewhere.invalid', '127.0.0.1:8181'])
      expect(text).not.toContain(secret);
    if (typeof body === 'object' && body && 'code' in body)
      expect(res.body.ords_code).toBe((body as { code: string }).code);
    if (ordsStatus === 503) expect(res.headers['retry-after']).toBe('17');
  });
});

describe('ORDS failing at the transport level', () => {
  let server: Server | undefined;
  afterEach(
    () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections();
        if (server) server.close(() => resolve());
        else resolve();
        server = undefined;
      }),
  );

  async function rawOrds(handler: Parameters<typeof createServer>[1]) {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  const configFor = (port: number) =>
    testConfig(
      {},
      {
        url: `http://127.0.0.1:${port}/ords/orcl/pdbadmin/`,
        timeouts: { connectMs: 500, createMs: 300, readMs: 300, fileIdleMs: 300, fileMinBytesPerSecond: 0 },
      },
    );

  it('answers 504 when ORDS does not answer in time', async () => {
    const port = await rawOrds(() => {
      /* never answers */
    });
    const gw = testGateway({ config: configFor(port) });
    const res = await request(gw.app).post('/databases/orcl/datapump/jobs/').set(HR).send(EXPORT_HR);
    expect(res.status).toBe(504);
    expect(res.body.type).toBe(problem('upstream-timeout'));
    await gw.close();
  });

  it('answers 503 with Retry-After when ORDS resets the connection before answering', async () => {
    const port = await rawOrds((req) => {
      req.socket.destroy();
    });
    const gw = testGateway({ config: configFor(port) });
    const res = await request(gw.app).get('/databases/orcl/datapump/jobs/').set({ 'X-API-Key': 'dba-demo-key' });
    expect(res.status).toBe(503);
    expect(res.body.type).toBe(problem('upstream-unavailable'));
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    await gw.close();
  });

  it('answers 503 with Retry-After when ORDS refuses connections', async () => {
    const port = await rawOrds(() => {});
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const gw = testGateway({ config: configFor(port) });
    const res = await request(gw.app).get('/databases/orcl/datapump/jobs/').set({ 'X-API-Key': 'dba-demo-key' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    await gw.close();
  });

  it('refuses a JSON answer larger than the configured cap', async () => {
    const port = await rawOrds((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: [], pad: 'x'.repeat(4096) }));
    });
    const gw = testGateway({
      config: testConfig({}, { url: `http://127.0.0.1:${port}/ords/orcl/pdbadmin/`, maxResponseBytes: 1024 }),
    });
    const res = await request(gw.app).get('/databases/orcl/datapump/jobs/').set({ 'X-API-Key': 'dba-demo-key' });
    expect(res.status).toBe(502);
    expect(res.body.type).toBe(problem('upstream-invalid-response'));
    await gw.close();
  });
});

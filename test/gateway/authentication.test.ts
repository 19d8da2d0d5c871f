// Who is calling: API key header, Bearer key, Basic tenant:key; the tenant comes only from the credential, and one
// credential only — repeated headers are counted as sent on the wire.
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import { testGateway } from '../helpers/gateway-app.js';
import { testConfig, testTenants } from '../helpers/gateway-config.js';
import { getWithRawHeaders } from '../helpers/jwt-app.js';
import { mockOrds, ORDS_JOBS } from '../helpers/mock-ords.js';

const LIST = '/databases/orcl/datapump/jobs/';
const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

function gatewayWithEmptyOrdsList() {
  const ords = mockOrds();
  ords.answer(
    'GET',
    new RegExp(`^${ORDS_JOBS.replace(/\//g, '\\/')}\\?`),
    200,
    { items: [], hasMore: false, limit: 25, offset: 0, count: 0 },
    {},
    100,
  );
  return testGateway({ dispatcher: ords.agent });
}

describe('authentication', () => {
  const gw = gatewayWithEmptyOrdsList();

  it.each([
    ['X-API-Key', { 'X-API-Key': 'hr-demo-key' }],
    ['Bearer API key', { Authorization: 'Bearer hr-demo-key' }],
    ['Basic tenant-id:key (ORDS curl -u style)', { Authorization: basic('hr-team:hr-demo-key') }],
    ['lower-case scheme', { Authorization: 'bearer hr-demo-key' }],
  ])('accepts %s', async (_how, headers) => {
    const res = await request(gw.app).get(LIST).set(headers);
    expect(res.status).toBe(200);
  });

  it.each([
    ['no credential', {}],
    ['an unknown key', { 'X-API-Key': 'not-a-key' }],
    ['an empty key', { 'X-API-Key': '' }],
    ['a key of another case', { 'X-API-Key': 'HR-DEMO-KEY' }],
    ['Basic with the wrong tenant for the key', { Authorization: basic('sales-team:hr-demo-key') }],
    ['Basic without a tenant', { Authorization: basic(':hr-demo-key') }],
    ['Basic without a colon', { Authorization: basic('hr-demo-key') }],
    ['an unknown scheme', { Authorization: 'Digest username="hr-team"' }],
    ['a malformed Authorization header', { Authorization: 'Bearer a b' }],
    ['two credentials at once', { 'X-API-Key': 'hr-demo-key', Authorization: 'Bearer hr-demo-key' }],
    ['a key of 513 characters', { 'X-API-Key': 'k'.repeat(513) }],
  ])('answers 401 with WWW-Authenticate for %s', async (_why, headers) => {
    const res = await request(gw.app).get(LIST).set(headers);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe('https://datapump-gateway.dev/problems/unauthenticated');
    expect(res.headers['www-authenticate']).toMatch(/Bearer/);
    expect(res.headers['www-authenticate']).toMatch(/Basic/);
  });

  it('ignores any tenant named in a header: the credential alone decides', async () => {
    const ords = mockOrds();
    const gateway = testGateway({ dispatcher: ords.agent });
    const res = await request(gateway.app).get(LIST).set({ 'X-API-Key': 'hr-demo-key', 'X-Tenant-Id': 'dba-team' });
    // hr-team has no all-jobs grant: its list comes from the registry, so ORDS is never asked.
    expect(res.status).toBe(200);
    expect(ords.received).toEqual([]);
  });

  it('answers 404 for a database the tenant is not granted, exactly as for one that does not exist', async () => {
    const tenants = testTenants(['orcl']);
    const config = testConfig({ tenants: { ...tenants, 'sales-team': { ...tenants['sales-team']!, databases: [] } } });
    const gateway = testGateway({ config });
    const notGranted = await request(gateway.app).get(LIST).set({ 'X-API-Key': 'sales-demo-key' });
    const missing = await request(gateway.app)
      .get('/databases/nope/datapump/jobs/')
      .set({ 'X-API-Key': 'sales-demo-key' });
    expect(notGranted.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(notGranted.body.type).toBe(missing.body.type);
    expect(notGranted.body.detail).toBe(missing.body.detail);
  });
});

describe('two credentials are two credentials: counted on the wire, not in req.headers', () => {
  const gw = gatewayWithEmptyOrdsList();
  const get = (headers: readonly string[]) => getWithRawHeaders(gw.app, LIST, headers);

  it('sends repeated headers as they are, and Node shows only the first Authorization in req.headers', async () => {
    // The premise of the attack: the second credential reaches the server, but req.headers hides it.
    const seen = await getWithRawHeaders(
      (req, res) => res.end(JSON.stringify({ raw: req.rawHeaders, headers: req.headers })),
      '/',
      [
        'Authorization',
        'Bearer hr-demo-key',
        'Authorization',
        'Bearer dba-demo-key',
        'X-API-Key',
        'a',
        'X-API-Key',
        'b',
      ],
    );
    expect(seen.body.raw).toEqual(
      expect.arrayContaining(['Authorization', 'Bearer hr-demo-key', 'Bearer dba-demo-key', 'X-API-Key', 'a', 'b']),
    );
    expect(seen.body.headers).toMatchObject({ authorization: 'Bearer hr-demo-key', 'x-api-key': 'a, b' });
  });

  it.each([
    ['one X-API-Key', ['X-API-Key', 'hr-demo-key']],
    ['one Authorization', ['Authorization', 'Bearer hr-demo-key']],
  ])('accepts %s sent the same way', async (_how, headers) => {
    expect((await get(headers)).status).toBe(200);
  });

  it.each<[string, string[], RegExp]>([
    [
      "two Authorization headers, another tenant's key second",
      ['Authorization', 'Bearer hr-demo-key', 'Authorization', 'Bearer dba-demo-key'],
      /one Authorization header/,
    ],
    [
      'the same Authorization header twice',
      ['Authorization', 'Bearer hr-demo-key', 'Authorization', 'Bearer hr-demo-key'],
      /one Authorization header/,
    ],
    [
      'a good Authorization header and an empty one',
      ['Authorization', 'Bearer hr-demo-key', 'Authorization', ''],
      /one Authorization header/,
    ],
    [
      'Bearer and Basic in two Authorization headers',
      ['Authorization', 'Bearer hr-demo-key', 'Authorization', basic('dba-team:dba-demo-key')],
      /one Authorization header/,
    ],
    [
      'Authorization twice under names of different case',
      ['authorization', 'Bearer hr-demo-key', 'AUTHORIZATION', 'Bearer dba-demo-key'],
      /one Authorization header/,
    ],
    [
      'two X-API-Key headers of two tenants',
      ['X-API-Key', 'hr-demo-key', 'X-API-Key', 'dba-demo-key'],
      /one X-API-Key header/,
    ],
    ['the same X-API-Key twice', ['X-API-Key', 'hr-demo-key', 'x-api-key', 'hr-demo-key'], /one X-API-Key header/],
    [
      'X-API-Key and Authorization',
      ['X-API-Key', 'hr-demo-key', 'Authorization', basic('hr-team:hr-demo-key')],
      /not both X-API-Key and Authorization/,
    ],
    [
      'an empty X-API-Key and an Authorization',
      ['X-API-Key', '', 'Authorization', 'Bearer hr-demo-key'],
      /not both X-API-Key and Authorization/,
    ],
  ])('answers 401 with WWW-Authenticate for %s', async (_why, headers, detail) => {
    const res = await get(headers);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe('https://datapump-gateway.dev/problems/unauthenticated');
    expect(res.body.detail).toMatch(detail);
    expect(res.headers['www-authenticate']).toMatch(/Bearer/);
    expect(res.headers['www-authenticate']).toMatch(/Basic/);
  });
});

describe('request id', () => {
  const gw = testGateway();

  it('echoes a well-formed inbound X-Request-Id', async () => {
    const res = await request(gw.app).get(LIST).set('X-Request-Id', 'abc-123.DEF:4');
    expect(res.headers['x-request-id']).toBe('abc-123.DEF:4');
    expect(res.body.request_id).toBe('abc-123.DEF:4');
  });

  it.each([
    ['with spaces', 'a b'],
    ['too long', 'x'.repeat(129)],
    ['with a quote', 'a"b'],
    ['with CRLF-like text', 'a%0d%0ab'],
  ])('replaces an inbound id %s with its own, and does not refuse the request', async (_why, id) => {
    // Authenticated, so the request reaches the contract validator, which must not refuse the malformed id.
    const res = await request(gw.app).get(LIST).set('X-API-Key', 'hr-demo-key').set('X-Request-Id', id);
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).not.toBe(id);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('answers outside the contract', () => {
  const gw = testGateway();
  const dba = { 'X-API-Key': 'dba-demo-key' };

  it('answers 405 with Allow for a method the path does not have', async () => {
    for (const method of ['delete', 'put', 'patch'] as const) {
      const res = await request(gw.app)[method](LIST).set(dba);
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD, POST');
      expect(res.body.type).toBe('https://datapump-gateway.dev/problems/method-not-allowed');
    }
  });

  it('answers 404 problem for a path outside the contract, and never exposes an ORDS passthrough', async () => {
    for (const path of [
      '/databases/orcl/datapump/',
      '/databases/orcl/datapump/jobs/A,B/C/D',
      // ORDS's path shape serves the contract's Data Pump operations only: nothing else of ORDS is passed through.
      '/ords/orcl/pdbadmin/_/db-api/stable/database/pdbs/',
      '/ords/orcl/pdbadmin/_/db-api/stable/metadata-catalog/',
      '/ords/orcl/pdbadmin/_/sql',
      '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/',
      '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/A,B/C/D',
    ]) {
      const res = await request(gw.app).get(path).set(dba);
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    // The Data Pump operations on ORDS's shape are the governed API: no credential, no answer.
    const anonymous = await request(gw.app).get('/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/');
    expect(anonymous.status).toBe(401);
  });

  it('answers 413 for a body over the limit, 400 for broken JSON, 415 for another media type', async () => {
    const big = await request(gw.app)
      .post(LIST)
      .set(dba)
      .set('Content-Type', 'application/json')
      .send(`{"operation":"EXPORT","filter":"${'A'.repeat(300_000)}"}`);
    expect(big.status).toBe(413);
    expect(big.body.type).toBe('https://datapump-gateway.dev/problems/payload-too-large');
    const broken = await request(gw.app)
      .post(LIST)
      .set(dba)
      .set('Content-Type', 'application/json')
      .send('{"operation":');
    expect(broken.status).toBe(400);
    expect(broken.body.type).toBe('https://datapump-gateway.dev/problems/malformed-json');
    const text = await request(gw.app).post(LIST).set(dba).set('Content-Type', 'text/plain').send('operation=EXPORT');
    expect(text.status).toBe(415);
  });

  it('sends no X-Powered-By and the helmet headers', async () => {
    const res = await request(gw.app).get('/healthz');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('lists every contract fault as a JSON Pointer into the body', async () => {
    const res = await request(gw.app)
      .post(LIST)
      .set(dba)
      .send({ operation: 'EXPORT', threads: '4', schema_expressions: [{ expression: '' }], bogus: 1 });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('https://datapump-gateway.dev/problems/request-invalid');
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/threads', '/schema_expressions/0/expression', '/bogus']));
  });
});

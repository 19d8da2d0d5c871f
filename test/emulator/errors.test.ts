// ORDS's error answers: 401, 400 (ORDS's own body checks), 404 and 405, each with ORDS's body.
import { describe, expect, it } from 'vitest';

import { BASIC, basic, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };

describe('401', () => {
  it.each([
    ['no credentials', {}],
    ['a wrong password', { authorization: basic('pdbadmin', 'wrong') }],
    ['an unknown user', { authorization: basic('scott', 'tiger') }],
    ['a malformed header', { authorization: 'Basic !!!' }],
    ['an unknown bearer token', { authorization: 'Bearer nope' }],
  ])("for %s: problem+json with ORDS's Unauthorized body", async (_why, headers) => {
    const { jobs } = await startTestEmulator();
    for (const res of [await call(jobs, { headers }), await call(jobs, { headers, body: { operation: 'EXPORT' } })]) {
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.json).toEqual({
        code: 'Unauthorized',
        message: 'Unauthorized',
        type: 'tag:oracle.com,2020:error/Unauthorized',
        instance: expect.stringMatching(/^tag:oracle\.com,2020:ecid\/ecid\d{6}$/),
      });
    }
  });

  it('no job is created without valid credentials', async () => {
    const { jobs } = await startTestEmulator();
    await call(jobs, { body: { operation: 'EXPORT' } });
    expect((await call(jobs, { headers: auth })).json.count).toBe(0);
  });

  it('each error gets a new ECID', async () => {
    const { jobs } = await startTestEmulator();
    const a = await call(jobs);
    const b = await call(jobs);
    expect(a.json.instance).not.toBe(b.json.instance);
  });
});

describe('400 for what ORDS refuses in a create body', () => {
  it.each<[string, string | object, RegExp]>([
    ['an unknown operation', { operation: 'DELETE' }, /operation must be one of/],
    ['an unknown job_mode', { operation: 'EXPORT', job_mode: 'TRANSPORTABLE' }, /job_mode must be one of/],
    ['IMPORT without file_name', { operation: 'IMPORT' }, /required property 'file_name'/],
    ['malformed JSON', '{"operation": "EXPORT",', /not valid JSON/],
    ['an empty body', '', /body is required/],
    ['a JSON array', [], /must be object/],
    ['an unknown property', { operation: 'EXPORT', bogus: 1 }, /must NOT have the property 'bogus'/],
    ['threads 0', { operation: 'EXPORT', threads: 0 }, /threads must be >= 1/],
    [
      'remap_schemas on an EXPORT',
      { operation: 'EXPORT', remap_schemas: [{ source: 'HR', target: 'BLAKE' }] },
      /remap_schemas/,
    ],
    ['credential_name without file_name', { operation: 'EXPORT', credential_name: 'CRED' }, /file_name/],
  ])('%s', async (_why, body, message) => {
    const { jobs } = await startTestEmulator();
    const res = await call(jobs, {
      headers: { ...auth, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json).toMatchObject({
      code: 'BadRequest',
      title: 'Bad Request',
      type: 'tag:oracle.com,2020:error/BadRequest',
    });
    expect(res.json.message).toMatch(message);
    expect(res.json.instance).toMatch(/^tag:oracle\.com,2020:ecid\//);
    expect((await call(jobs, { headers: auth })).json.count).toBe(0);
  });

  it('lists every problem at once', async () => {
    const { jobs } = await startTestEmulator();
    const res = await call(jobs, { headers: auth, body: { operation: 'IMPORT', threads: 0, job_mode: 'X' } });
    expect(res.json.message.split('; ')).toHaveLength(3);
  });

  it('a non-JSON content type is refused', async () => {
    const { jobs } = await startTestEmulator();
    const res = await call(jobs, {
      headers: { ...auth, 'content-type': 'text/plain' },
      body: '{"operation":"EXPORT"}',
    });
    expect(res.status).toBe(400);
  });

  it('with validate: false only what is needed to build a job is checked', async () => {
    const { jobs } = await startTestEmulator({ validate: false });
    const accepted = await call(jobs, {
      headers: auth,
      body: { operation: 'EXPORT', threads: 0, job_mode: 'ANYTHING', bogus: true },
    });
    expect(accepted.status).toBe(201);
    expect(accepted.json).toMatchObject({ job_mode: 'ANYTHING', degree: 1 });
    expect((await call(jobs, { headers: auth, body: { operation: 'DELETE' } })).status).toBe(400);
    expect((await call(jobs, { headers: { ...auth, 'content-type': 'application/json' }, body: '{' })).status).toBe(
      400,
    );
  });

  it('a body over the limit is refused without being buffered', async () => {
    const { jobs } = await startTestEmulator({ bodyLimitBytes: 1024 });
    const res = await call(jobs, { headers: auth, body: { operation: 'EXPORT', filter: 'x'.repeat(2000) } });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/exceeds 1024 bytes/);
  });
});

describe('404 and 405', () => {
  it.each([
    'ords/orcl/pdbadmin/_/db-api/stable/database/datapump/nothing',
    'ords/orcl/pdbadmin/_/db-api/v9/database/datapump/jobs/',
    'ords/other/pdbadmin/_/db-api/stable/database/datapump/jobs/',
    'ords/orcl/hr/_/db-api/stable/database/datapump/jobs/',
    'ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs',
    'ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/NOCOMMA/',
    'ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/PDBADMIN,NO_SUCH_JOB/',
    'somewhere/else',
  ])("404 with ORDS's NotFound body for /%s", async (path) => {
    const { origin } = await startTestEmulator();
    const res = await call(`${origin}/${path}`, { headers: auth, contract: path.startsWith('ords/') });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({
      code: 'NotFound',
      message: expect.any(String),
      type: 'tag:oracle.com,2020:error/NotFound',
    });
  });

  it('another database and schema are served when configured', async () => {
    const { origin } = await startTestEmulator({ database: 'pdb1', schema: 'hr' });
    const res = await call(`${origin}/ords/pdb1/hr/_/db-api/stable/database/datapump/jobs/`, { headers: auth });
    expect(res.status).toBe(200);
    expect(
      (await call(`${origin}/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/`, { headers: auth })).status,
    ).toBe(404);
  });

  it.each([
    ['DELETE', 'database/datapump/jobs/', 'GET, POST'],
    ['PUT', 'database/datapump/jobs/', 'GET, POST'],
    ['GET', 'database/datapump/export', 'POST'],
    ['GET', 'database/datapump/import', 'POST'],
  ])('405 with Allow for %s %s', async (method, path, allow) => {
    const { api } = await startTestEmulator();
    const res = await call(`${api}${path}`, { method, headers: auth });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.json).toMatchObject({
      code: 'MethodNotAllowed',
      title: 'Method Not Allowed',
      type: 'tag:oracle.com,2020:error/MethodNotAllowed',
    });
  });

  it('405 on a job and on the token endpoint', async () => {
    const { jobs, origin } = await startTestEmulator();
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    const res = await call(created.headers.location!, { method: 'DELETE', headers: auth });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
    const token = await call(`${origin}/ords/orcl/pdbadmin/oauth/token`, { method: 'GET' });
    expect(token.status).toBe(405);
    expect(token.headers.allow).toBe('POST');
  });

  it('the metadata catalogue answers 200 JSON (a liveness probe)', async () => {
    const { api } = await startTestEmulator();
    const res = await call(`${api}metadata-catalog/`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.json.items.length).toBeGreaterThan(0);
    expect(res.json.links).toEqual([{ rel: 'self', href: `${api}metadata-catalog/` }]);
    expect((await call(`${api}metadata-catalog/`)).status).toBe(401);
  });
});

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

type Mode = 'documented' | 'strict' | 'off';
/** A refusal's message, or `ok` for 201. */
type Expect = RegExp | 'ok';

describe('400 for what ORDS refuses in a create body, by validate mode', () => {
  const lower = { operation: 'EXPORT', datapump_dir: 'my_dir', schema_expressions: [{ expression: "IN ('hr')" }] };
  const many = Array.from({ length: 21 }, (_, i) => ({ expression: `= 'T${i}'` }));
  // [why, endpoint, body, documented, strict, off]
  const cases: Array<[string, string, string | object, Expect, Expect, Expect]> = [
    [
      'an unknown operation',
      'jobs/',
      { operation: 'DELETE' },
      /operation must be one of/,
      /operation must be one of/,
      /operation must be one of/,
    ],
    [
      'no operation',
      'jobs/',
      { job_mode: 'FULL' },
      /required property 'operation'/,
      /operation/,
      /operation must be one of/,
    ],
    [
      'an unknown job_mode',
      'jobs/',
      { operation: 'EXPORT', job_mode: 'TRANSPORTABLE' },
      /job_mode must be one of/,
      /job_mode must be one of/,
      'ok',
    ],
    [
      'IMPORT without file_name',
      'jobs/',
      { operation: 'IMPORT' },
      /required property 'file_name'/,
      /required property 'file_name'/,
      'ok',
    ],
    [
      'POST import without file_name',
      'import',
      {},
      /required property 'file_name'/,
      /required property 'file_name'/,
      'ok',
    ],
    ['malformed JSON', 'jobs/', '{"operation": "EXPORT",', /not valid JSON/, /not valid JSON/, /not valid JSON/],
    ['an empty body', 'jobs/', '', /body is required/, /body is required/, /body is required/],
    ['a JSON array', 'jobs/', [], /must be object/, /must be object/, /must be a JSON object/],
    [
      'an unknown property',
      'jobs/',
      { operation: 'EXPORT', bogus: 1 },
      'ok',
      /must NOT have the property 'bogus'/,
      'ok',
    ],
    [
      'operation on POST export (observed on 25.4)',
      'export',
      { operation: 'EXPORT' },
      'ok',
      /must NOT have the property 'operation'/,
      'ok',
    ],
    ['threads 0', 'jobs/', { operation: 'EXPORT', threads: 0 }, /threads must be >= 1/, /threads must be >= 1/, 'ok'],
    ['threads 5000', 'jobs/', { operation: 'EXPORT', threads: 5000 }, 'ok', /threads must be <= 1024/, 'ok'],
    [
      'threads as text',
      'jobs/',
      { operation: 'EXPORT', threads: 'four' },
      /threads must be integer/,
      /threads must be integer/,
      'ok',
    ],
    [
      'file_name as a number',
      'jobs/',
      { operation: 'EXPORT', file_name: 7 },
      /file_name must be string/,
      /file_name must be string/,
      'ok',
    ],
    ['lower-case identifiers', 'jobs/', lower, 'ok', /datapump_dir/, 'ok'],
    [
      '21 schema expressions',
      'jobs/',
      { operation: 'EXPORT', schema_expressions: many },
      'ok',
      /schema_expressions/,
      'ok',
    ],
    [
      'an empty expression list',
      'jobs/',
      { operation: 'EXPORT', name_expressions: [] },
      'ok',
      /name_expressions/,
      'ok',
    ],
    [
      'an expression that is not text',
      'jobs/',
      { operation: 'EXPORT', name_expressions: [{ expression: 1 }] },
      /expression must be string/,
      /expression/,
      'ok',
    ],
    [
      'remap_schemas on an EXPORT',
      'jobs/',
      { operation: 'EXPORT', remap_schemas: [{ source: 'HR', target: 'BLAKE' }] },
      'ok',
      /remap_schemas/,
      'ok',
    ],
    [
      'credential_name without file_name',
      'jobs/',
      { operation: 'EXPORT', credential_name: 'CRED' },
      /file_name/,
      /file_name/,
      'ok',
    ],
    [
      'credential_name with a plain file_name',
      'jobs/',
      { operation: 'EXPORT', credential_name: 'CRED', file_name: 'X.DMP' },
      /object storage URI/,
      /file_name/,
      'ok',
    ],
    ['keep_master 2', 'export', { keep_master: 2 }, /keep_master must be one of \[0,1\]/, /keep_master/, 'ok'],
    ['keep_master 0 on POST export', 'export', { keep_master: 0 }, 'ok', 'ok', 'ok'],
  ];
  const modes: Mode[] = ['documented', 'strict', 'off'];
  const rows = cases.flatMap(([why, endpoint, body, ...expected]) =>
    modes.map((mode, i) => ({ why, endpoint, body, mode, expected: expected[i]! })),
  );

  it.each(rows)('$mode: $why', async ({ endpoint, body, mode, expected }) => {
    const { api, jobs } = await startTestEmulator({ validate: mode });
    const res = await call(`${api}database/datapump/${endpoint}`, {
      headers: { ...auth, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (expected === 'ok') {
      expect(res.status).toBe(201);
      expect((await call(jobs, { headers: auth })).json.count).toBe(1);
      return;
    }
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json).toMatchObject({
      code: 'BadRequest',
      title: 'Bad Request',
      type: 'tag:oracle.com,2020:error/BadRequest',
    });
    expect(res.json.message).toMatch(expected);
    expect(res.json.instance).toMatch(/^tag:oracle\.com,2020:ecid\//);
    expect((await call(jobs, { headers: auth })).json.count).toBe(0);
  });

  it('the default is documented; true and false are the old spellings of strict and off', async () => {
    const bogus = { operation: 'EXPORT', bogus: 1 };
    for (const [validate, status] of [
      [undefined, 201],
      [true, 400],
      [false, 201],
    ] as const) {
      const { jobs } = await startTestEmulator(validate === undefined ? {} : { validate });
      expect((await call(jobs, { headers: auth, body: bogus })).status).toBe(status);
    }
    const { jobs } = await startTestEmulator({ validate: false });
    expect((await call(jobs, { headers: auth, body: { operation: 'EXPORT', threads: 0 } })).status).toBe(201);
  });

  it('documented: unknown and inapplicable members are dropped, identifiers kept as sent', async () => {
    const { api, jobs } = await startTestEmulator();
    const created = await call(`${api}database/datapump/export`, {
      headers: auth,
      body: {
        operation: 'IMPORT', // dropped: POST export makes an export whatever this says
        datapump_dir: 'my_dir',
        remap_schemas: [{ source: 'hr', target: 'blake' }], // not a member of POST export: dropped
        schema_expressions: [{ expression: "IN ('hr')", comment: 'dropped too' }],
        threads: 64,
        camelCase: true,
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ operation: 'EXPORT', degree: 64 });
    const logUrl = created.json.links.find((l: { rel: string }) => l.rel === 'related').href as string;
    const log = (await call(logUrl, { headers: auth })).text;
    expect(log).toContain(';;;   datapump_dir: my_dir\n');
    expect(log).toContain(";;;   schema_expression: IN ('hr')\n");
    expect(log).not.toMatch(/remap_schema|comment|camelCase/);
    // On POST jobs/ an IMPORT keeps its remaps, in the case they were sent in.
    const imported = await call(jobs, {
      headers: auth,
      body: { operation: 'IMPORT', file_name: 'x.dmp', remap_schemas: [{ source: 'hr', target: 'Blake' }] },
    });
    const importLog = imported.json.links.find((l: { rel: string }) => l.rel === 'related').href as string;
    expect((await call(importLog, { headers: auth })).text).toContain(';;;   remap_schema: hr:Blake\n');
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

  it("with validate: 'off' only what is needed to build a job is checked", async () => {
    const { jobs } = await startTestEmulator({ validate: 'off' });
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

// The public contract's request rules, exercised through the validator exactly as the gateway mounts it.
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import { loadContract } from '../../src/contract/documents.js';
import { createContractValidator } from '../../src/gateway/validation/contract-validator.js';

const JOBS = '/databases/orcl/datapump/jobs/';

function validatorApp() {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.use(createContractValidator({ document: loadContract('public'), validateResponses: false }));
  // Echo what passed validation, so the accepted cases can assert on what the route would see.
  app.post(JOBS.replace('orcl', ':database'), (req, res) => {
    res.status(299).json(req.body);
  });
  app.get(JOBS.replace('orcl', ':database'), (req, res) => {
    res.status(299).json(req.query);
  });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    res.status(err.status ?? 500).json({ message: err.message, errors: err.errors ?? [] });
  };
  app.use(onError);
  return app;
}

const app = validatorApp();
const long = (n: number, c = 'A') => c.repeat(n);
const expr = (expression: unknown) => [{ expression }];

// [why it is invalid, body, a path the validator must name]
const invalid: Array<[string, unknown, string]> = [
  ['operation is missing', { job_mode: 'SCHEMA' }, '/body/operation'],
  ['operation is not EXPORT or IMPORT', { operation: 'DELETE' }, '/body/operation'],
  ['operation is lower case', { operation: 'export' }, '/body/operation'],
  ['operation is not a string', { operation: 1 }, '/body/operation'],
  ['IMPORT without file_name', { operation: 'IMPORT' }, '/body/file_name'],
  [
    'remap_schemas on an EXPORT',
    { operation: 'EXPORT', remap_schemas: [{ source: 'HR', target: 'BLAKE' }] },
    '/body/remap_schemas',
  ],
  ['an unknown property', { operation: 'EXPORT', bogus: true }, '/body/bogus'],
  ['a camelCase spelling ORDS would silently drop', { operation: 'EXPORT', jobMode: 'FULL' }, '/body/jobMode'],
  ['job_mode outside the enum', { operation: 'EXPORT', job_mode: 'TRANSPORTABLE' }, '/body/job_mode'],
  ['threads as a string', { operation: 'EXPORT', threads: '4' }, '/body/threads'],
  ['threads as a fraction', { operation: 'EXPORT', threads: 1.5 }, '/body/threads'],
  ['threads zero', { operation: 'EXPORT', threads: 0 }, '/body/threads'],
  ['threads over the cap', { operation: 'EXPORT', threads: 1025 }, '/body/threads'],
  [
    'schema_expressions not an array',
    { operation: 'EXPORT', schema_expressions: "IN ('HR')" },
    '/body/schema_expressions',
  ],
  ['schema_expressions empty', { operation: 'EXPORT', schema_expressions: [] }, '/body/schema_expressions'],
  [
    'an expression item without expression',
    { operation: 'EXPORT', schema_expressions: [{}] },
    '/body/schema_expressions/0/expression',
  ],
  [
    'an expression item with an extra member',
    { operation: 'EXPORT', name_expressions: [{ expression: "= 'EMP'", object_path: 'TABLE' }] },
    '/body/name_expressions/0/object_path',
  ],
  [
    'an empty expression',
    { operation: 'EXPORT', schema_expressions: expr('') },
    '/body/schema_expressions/0/expression',
  ],
  [
    'an expression with a newline',
    { operation: 'EXPORT', schema_expressions: expr("IN ('HR')\n--") },
    '/body/schema_expressions/0/expression',
  ],
  [
    'an expression with a NUL byte',
    { operation: 'EXPORT', name_expressions: expr("= 'EMP\u0000'") },
    '/body/name_expressions/0/expression',
  ],
  [
    'an expression that is not a string',
    { operation: 'EXPORT', tablespace_expressions: expr(42) },
    '/body/tablespace_expressions/0/expression',
  ],
  [
    'an expression over 64 KiB',
    { operation: 'EXPORT', name_expressions: expr(long(65537)) },
    '/body/name_expressions/0/expression',
  ],
  [
    'more than 20 expression items',
    { operation: 'EXPORT', name_expressions: Array.from({ length: 21 }, () => ({ expression: "= 'A'" })) },
    '/body/name_expressions',
  ],
  [
    'remap_schemas item without target',
    { operation: 'IMPORT', file_name: 'X.DMP', remap_schemas: [{ source: 'HR' }] },
    '/body/remap_schemas/0/target',
  ],
  [
    'remap target in lower case',
    { operation: 'IMPORT', file_name: 'X.DMP', remap_schemas: [{ source: 'HR', target: 'blake' }] },
    '/body/remap_schemas/0/target',
  ],
  [
    'remap source with a quote',
    { operation: 'IMPORT', file_name: 'X.DMP', remap_schemas: [{ source: "HR'--", target: 'BLAKE' }] },
    '/body/remap_schemas/0/source',
  ],
  ['remap_schemas empty', { operation: 'IMPORT', file_name: 'X.DMP', remap_schemas: [] }, '/body/remap_schemas'],
  [
    'a remap name over 128 bytes',
    { operation: 'IMPORT', file_name: 'X.DMP', remap_schemas: [{ source: long(129), target: 'BLAKE' }] },
    '/body/remap_schemas/0/source',
  ],
  ['credential_name without file_name', { operation: 'EXPORT', credential_name: 'OBJ_CRED' }, '/body/file_name'],
  [
    'credential_name with a plain file name',
    { operation: 'EXPORT', credential_name: 'OBJ_CRED', file_name: 'X.DMP' },
    '/body/file_name',
  ],
  [
    'credential_name with an http URI on IMPORT',
    {
      operation: 'IMPORT',
      credential_name: 'OBJ_CRED',
      file_name: 'http://objectstorage.eu-frankfurt-1.oraclecloud.com/n/ns/b/b/o/x.dmp',
    },
    '/body/file_name',
  ],
  [
    'credential_name in lower case',
    { operation: 'EXPORT', credential_name: 'obj_cred', file_name: 'https://x/y' },
    '/body/credential_name',
  ],
  ['datapump_dir with a path', { operation: 'EXPORT', datapump_dir: '/tmp' }, '/body/datapump_dir'],
  ['file_name empty', { operation: 'IMPORT', file_name: '' }, '/body/file_name'],
  ['file_name with a carriage return', { operation: 'IMPORT', file_name: 'X.DMP\r\nHOST id' }, '/body/file_name'],
  ['file_name over 1024 characters', { operation: 'IMPORT', file_name: long(1025) }, '/body/file_name'],
  ['filter not a string', { operation: 'EXPORT', filter: ['HR'] }, '/body/filter'],
  ['filter with a tab', { operation: 'EXPORT', filter: 'HR\tSALES' }, '/body/filter'],
  ['job_mode null', { operation: 'EXPORT', job_mode: null }, '/body/job_mode'],
];

describe('public contract: POST …/datapump/jobs/ bodies', () => {
  it('has a table of at least 30 invalid bodies', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(30);
  });

  it.each(invalid)('refuses a body where %s', async (_why, body, path) => {
    const res = await request(app)
      .post(JOBS)
      .send(body as object);
    expect(res.status).toBe(400);
    const paths = (res.body.errors as Array<{ path: string }>).map((e) => e.path);
    expect(paths).toContain(path);
  });

  it('refuses a body that is not an object', async () => {
    for (const body of [[], ['EXPORT'], 'EXPORT', 42]) {
      const res = await request(app).post(JOBS).set('Content-Type', 'application/json').send(JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('refuses a body that is not JSON', async () => {
    const res = await request(app).post(JOBS).set('Content-Type', 'text/plain').send('operation=EXPORT');
    expect(res.status).toBe(415);
  });

  it('lists every fault of a body at once, not only the first', async () => {
    const res = await request(app)
      .post(JOBS)
      .send({
        operation: 'EXPORT',
        threads: 0,
        job_mode: 'X',
        schema_expressions: [{ expression: '' }],
        bogus: 1,
      });
    expect(res.status).toBe(400);
    const paths = new Set((res.body.errors as Array<{ path: string }>).map((e) => e.path));
    for (const p of ['/body/threads', '/body/job_mode', '/body/schema_expressions/0/expression', '/body/bogus']) {
      expect(paths).toContain(p);
    }
  });

  // Oracle's two reference bodies, verbatim.
  it.each([
    ['export of HR', { operation: 'EXPORT', schema_expressions: [{ expression: "IN ( 'HR' )" }] }],
    [
      'full import of HR remapped to BLAKE',
      {
        operation: 'IMPORT',
        job_mode: 'FULL',
        file_name: 'EXPDAT%U2019-03-25-12_55_03.DMP',
        remap_schemas: [{ source: 'HR', target: 'BLAKE' }],
      },
    ],
  ])('accepts the ORDS reference body: %s', async (_name, body) => {
    const res = await request(app).post(JOBS).send(body);
    expect(res.status).toBe(299);
    expect(res.body).toMatchObject(body);
  });

  it.each([
    [
      'an object-storage export',
      {
        operation: 'EXPORT',
        credential_name: 'OBJ_CRED',
        file_name: 'https://objectstorage.eu-frankfurt-1.oraclecloud.com/n/ns/b/bucket/o/hr%U.dmp',
      },
    ],
    [
      'every EXPORT field',
      {
        operation: 'EXPORT',
        job_mode: 'TABLE',
        datapump_dir: 'DATA_PUMP_DIR',
        file_name: 'HR_%U.DMP',
        filter: 'EMP',
        threads: 4,
        name_expressions: [{ expression: "LIKE 'EMP%'" }],
        schema_expressions: [{ expression: "= 'HR'" }],
        tablespace_expressions: [{ expression: "IN ('USERS')" }],
      },
    ],
    ['an expression of 64 KiB', { operation: 'EXPORT', name_expressions: [{ expression: long(65536) }] }],
  ])('accepts %s', async (_name, body) => {
    const res = await request(app).post(JOBS).send(body);
    expect(res.status).toBe(299);
  });
});

describe('public contract: list parameters', () => {
  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=abc', 'limit'],
    ['offset=-1', 'offset'],
    ['q={}', 'q'],
  ])('refuses ?%s', async (query) => {
    const res = await request(app).get(`${JOBS}?${query}`);
    expect(res.status).toBe(400);
  });

  it('coerces limit and offset and applies their defaults', async () => {
    expect((await request(app).get(`${JOBS}?limit=10`)).body).toEqual({ limit: 10, offset: 0 });
    expect((await request(app).get(JOBS)).body).toEqual({ limit: 25, offset: 0 });
  });
});

// Oracle's "Create a data pump job" example: the seed's two request bodies, sent as its curl does.
import { describe, expect, it } from 'vitest';

import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

// The request bodies exactly as Oracle's page prints them.
const exportHr = `{
  "operation": "EXPORT",
  "schema_expressions": [
    {
      "expression": "IN ( 'HR' )"
    }
  ]
}`;
const importHrAsBlake = `{
  "operation": "IMPORT",
  "job_mode": "FULL",
  "file_name": "EXPDAT%U2019-03-25-12_55_03.DMP",
  "remap_schemas": [
    {
      "source": "HR",
      "target": "BLAKE"
    }
  ]
}`;
// The keys of Oracle's example answer, in its order.
const EXAMPLE_KEYS = [
  'job_name',
  'owner_name',
  'operation',
  'job_mode',
  'state',
  'degree',
  'attached_sessions',
  'datapump_sessions',
  'job_state',
  'links',
];

// curl -i -X POST -u pdbadmin:oracle -d @request_body.json -H "Content-Type:application/json" …/jobs/
const curl = (url: string, body: string) =>
  call(url, { method: 'POST', headers: { authorization: BASIC, 'content-type': 'application/json' }, body });

describe("the seed's create requests", () => {
  it("export: 201 shaped like Oracle's example answer, with its headers", async () => {
    const { jobs } = await startTestEmulator();
    const res = await curl(jobs, exportHr);
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(Object.keys(res.json)).toEqual(EXAMPLE_KEYS);
    expect(res.json).toMatchObject({
      job_name: 'DATAPUMP_REST_EXPORT_20190906155736',
      owner_name: 'PDBADMIN',
      operation: 'EXPORT',
      job_mode: 'SCHEMA',
      state: 'EXECUTING',
      degree: 1,
      attached_sessions: 0,
      datapump_sessions: 2,
      job_state: 'EXECUTING',
    });
    const self = `${jobs}PDBADMIN,DATAPUMP_REST_EXPORT_20190906155736/`;
    expect(res.headers.location).toBe(self);
    expect(res.headers['content-location']).toBe(self);
    expect(res.headers.location).toMatch(/\/jobs\/PDBADMIN,DATAPUMP_REST_EXPORT_\d{14}\/$/);
    // Like Oracle's: a quoted base64 tag of SHA-512 length.
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9+/]{86}=="$/);
    expect(res.json.links).toEqual([
      { rel: 'collection', href: jobs },
      { rel: 'describedby', href: jobs.replace('database/datapump/jobs/', 'metadata-catalog/') },
      { rel: 'related', href: `${self}EXPDAT-2019-09-06-15_57_36.LOG` },
      { rel: 'self', href: self },
    ]);
  });

  it('import: 201 for a FULL import remapping HR to BLAKE', async () => {
    const { jobs } = await startTestEmulator();
    const res = await curl(jobs, importHrAsBlake);
    expect(res.status).toBe(201);
    expect(Object.keys(res.json)).toEqual(EXAMPLE_KEYS);
    expect(res.json).toMatchObject({
      job_name: 'DATAPUMP_REST_IMPORT_20190906155736',
      owner_name: 'PDBADMIN',
      operation: 'IMPORT',
      job_mode: 'FULL',
      state: 'EXECUTING',
    });
    expect(res.headers.location).toMatch(/\/jobs\/PDBADMIN,DATAPUMP_REST_IMPORT_\d{14}\/$/);
    expect(res.json.links.map((l: { rel: string }) => l.rel)).toEqual(['collection', 'describedby', 'related', 'self']);
    expect(res.json.links[2].href).toMatch(/IMPDAT-2019-09-06-15_57_36\.LOG$/);
  });

  it('the RPC forms (POST export / import, no operation) create the same jobs', async () => {
    const { api } = await startTestEmulator();
    const exp = await curl(
      `${api}database/datapump/export`,
      JSON.stringify({
        job_mode: 'TABLE',
        name_expressions: [{ expression: "LIKE 'EMP%'" }],
        schema_expressions: [{ expression: "IN ('SCOTT')" }],
      }),
    );
    expect(exp.status).toBe(201);
    expect(exp.json).toMatchObject({
      operation: 'EXPORT',
      job_mode: 'TABLE',
      job_name: 'DATAPUMP_REST_EXPORT_20190906155736',
    });
    const imp = await curl(
      `${api}database/datapump/import`,
      JSON.stringify({
        file_name: 'EXPDAT%U-13_12_45.DMP',
        tablespace_expressions: [{ expression: "= 'USERS'" }],
        remap_schemas: [{ source: 'SCOTT', target: 'HR' }],
      }),
    );
    expect(imp.status).toBe(201);
    expect(imp.json).toMatchObject({ operation: 'IMPORT', job_mode: 'SCHEMA' });
    // No operation on the RPC endpoints: the import body without file_name is refused.
    const bad = await curl(`${api}database/datapump/import`, JSON.stringify({ job_mode: 'FULL' }));
    expect(bad.status).toBe(400);
  });

  it('the latest version segment works too and its links say so', async () => {
    const { api } = await startTestEmulator();
    const latest = api.replace('/stable/', '/latest/');
    const res = await curl(`${latest}database/datapump/jobs/`, exportHr);
    expect(res.status).toBe(201);
    expect(res.headers.location).toContain('/_/db-api/latest/database/datapump/jobs/PDBADMIN,');
  });
});

// The contract check itself: it must accept Oracle's examples and refuse what the contract does not declare.
import { describe, expect, it } from 'vitest';

import { contractErrors, findOperation } from './helpers/ords-contract.js';

const API = '/ords/orcl/pdbadmin/_/db-api/stable/';
const JOBS = `${API}database/datapump/jobs/`;
const JOB = `${JOBS}PDBADMIN,DATAPUMP_REST_EXPORT_20190906155736/`;
const oracleExample = {
  job_name: 'DATAPUMP_REST_EXPORT_20190906155736',
  owner_name: 'PDBADMIN',
  operation: 'EXPORT',
  job_mode: 'SCHEMA',
  state: 'EXECUTING',
  degree: 1,
  attached_sessions: 0,
  datapump_sessions: 2,
  job_state: 'EXECUTING',
  links: [{ rel: 'self', href: `http://rest_server_url${JOB}` }],
};
const ordsError = {
  code: 'NotFound',
  message: 'Not Found',
  type: 'tag:oracle.com,2020:error/NotFound',
  instance: 'tag:oracle.com,2020:ecid/x',
};

describe('the ORDS contract check', () => {
  it('finds operations, including the two-variable job segment', () => {
    expect(findOperation('POST', JOBS)?.operationId).toBe('ordsCreateJob');
    expect(findOperation('GET', JOBS)?.operationId).toBe('ordsListJobs');
    expect(findOperation('GET', JOB)?.operationId).toBe('ordsGetJob');
    expect(findOperation('GET', `${JOB}EXPDAT-2019-09-06-15_57_36.LOG`)?.operationId).toBe('ordsGetJobFile');
    expect(findOperation('POST', '/ords/orcl/pdbadmin/oauth/token')?.operationId).toBe('ordsOAuthToken');
    expect(findOperation('DELETE', JOBS)).toBeNull();
  });

  it("accepts Oracle's example answer, with the headers Oracle's example shows", () => {
    const self = oracleExample.links.find((l) => l.rel === 'self')!.href;
    const headers = {
      location: self,
      'content-location': self,
      etag: '"vdgVbEWipm96TpCidc5nFeC3BHMZd7adx8m4liaYSTEb7IwPVRykFAld4YP4Yh/PBuJ2Kv3fywyTvJykxERaEw=="',
    };
    expect(
      contractErrors({
        method: 'POST',
        path: JOBS,
        status: 201,
        contentType: 'application/json',
        headers,
        body: oracleExample,
      }),
    ).toEqual([]);
  });

  it('refuses a created job without the Location, Content-Location and ETag headers', () => {
    expect(
      contractErrors({ method: 'POST', path: JOBS, status: 201, contentType: 'application/json', body: oracleExample }),
    ).toEqual(expect.arrayContaining(['header Location is required', 'header ETag is required']));
  });

  it('refuses a status the operation does not declare', () => {
    expect(
      contractErrors({ method: 'POST', path: JOBS, status: 418, contentType: 'application/json', body: ordsError }),
    ).toEqual(['status 418 is not declared for ordsCreateJob']);
    expect(
      contractErrors({
        method: 'GET',
        path: `${API}metadata-catalog/`,
        status: 409,
        contentType: 'application/json',
        body: ordsError,
      })[0],
    ).toMatch(/409 is not declared for ordsMetadataCatalog/);
    expect(contractErrors({ method: 'GET', path: '/ords/nowhere', status: 302, body: '' })[0]).toMatch(/not declared/);
  });

  it('refuses a body that drifts from the schema', () => {
    // Drifts in type: the contract leaves every member optional (as Oracle documents them), not untyped.
    expect(
      contractErrors({
        method: 'GET',
        path: JOB,
        status: 200,
        contentType: 'application/json',
        body: { ...oracleExample, state: 42 },
      }).join(),
    ).toMatch(/state/);
    expect(
      contractErrors({
        method: 'GET',
        path: JOBS,
        status: 200,
        contentType: 'application/json',
        body: { items: [], hasMore: 'yes' },
      }).join(),
    ).toMatch(/hasMore/);
    expect(
      contractErrors({
        method: 'GET',
        path: JOB,
        status: 404,
        contentType: 'application/problem+json',
        body: { code: 'NotFound' },
      }).join(),
    ).toMatch(/message/);
  });

  it('refuses an undeclared media type, a body on 304 and a malformed header', () => {
    expect(
      contractErrors({ method: 'GET', path: JOB, status: 200, contentType: 'text/html', body: '<html>' })[0],
    ).toMatch(/media type 'text\/html'/);
    expect(contractErrors({ method: 'GET', path: JOB, status: 304, body: '{}' })[0]).toMatch(/declares no body/);
    expect(
      contractErrors({
        method: 'POST',
        path: JOBS,
        status: 201,
        contentType: 'application/json',
        body: oracleExample,
        headers: { location: 'not a uri' },
      })[0],
    ).toMatch(/header Location/);
  });

  it('uses the generic ORDS error answers for paths the contract does not have', () => {
    expect(
      contractErrors({
        method: 'GET',
        path: '/ords/elsewhere/',
        status: 404,
        contentType: 'application/problem+json',
        body: ordsError,
      }),
    ).toEqual([]);
  });
});

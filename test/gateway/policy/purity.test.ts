// The policy is a pure function: same input, same answer; the input is never mutated; no clock or shared state leaks in.
import { afterEach, describe, expect, it, vi } from 'vitest';

import { evaluatePolicy, type JobRequest, type PolicyInput } from '../../../src/gateway/policy/index.js';
import { deepFreeze } from '../../../src/lib/deep-freeze.js';
import { HR_TEAM, items, TIMESTAMP } from './fixtures.js';

const accepted = (): PolicyInput => ({
  tenant: HR_TEAM,
  request: {
    operation: 'IMPORT',
    job_mode: 'TABLE',
    file_name: 'HR_2024_%U.DMP',
    threads: 2,
    name_expressions: items("in ( 'EMP' , 'DEPT' )"),
    schema_expressions: items("= 'HR'"),
    remap_schemas: [{ source: 'HR', target: 'HR_TEST' }],
  },
  timestamp: TIMESTAMP,
  limits: { maxListNames: 10 },
});
const refused = (): PolicyInput => ({
  tenant: HR_TEAM,
  request: {
    operation: 'EXPORT',
    job_mode: 'FULL',
    schema_expressions: items("IN ('SALES') OR 1=1"),
    threads: 64,
    file_name: "X'); END;",
  },
  timestamp: TIMESTAMP,
});

describe('purity', () => {
  afterEach(() => vi.useRealTimers());

  it.each([
    ['an allowed request', accepted],
    ['a refused request', refused],
  ])('%s: twice the same answer, deeply frozen input untouched', (_why, make) => {
    const input = deepFreeze(make());
    const first = evaluatePolicy(input);
    const second = evaluatePolicy(input);
    expect(second).toEqual(first);
    expect(input).toEqual(make());
  });

  it("the upstream request shares no object with the client's request", () => {
    const input = deepFreeze(accepted());
    const decision = evaluatePolicy(input);
    if (!decision.allowed) throw new Error('expected allowed');
    const upstream = decision.upstream as Record<string, unknown>;
    const request = input.request as Record<string, unknown>;
    for (const key of Object.keys(upstream)) {
      if (typeof upstream[key] === 'object') expect(upstream[key]).not.toBe(request[key]);
    }
    expect(Object.isFrozen(upstream)).toBe(false);
  });

  it('does not read the clock: the injected file name comes from input.timestamp only', () => {
    vi.useFakeTimers();
    const input = deepFreeze({ tenant: HR_TEAM, request: { operation: 'EXPORT' } as JobRequest, timestamp: TIMESTAMP });
    vi.setSystemTime(new Date('2001-01-01T00:00:00Z'));
    const early = evaluatePolicy(input);
    vi.setSystemTime(new Date('2099-12-31T23:59:59Z'));
    expect(evaluatePolicy(input)).toEqual(early);
    expect(early).toMatchObject({ allowed: true, upstream: { file_name: `HR_${TIMESTAMP}_%U.DMP` } });
  });

  it("writes the upstream fields in the contract's order, whatever the client's order", () => {
    const request = {
      remap_schemas: [{ source: 'HR', target: 'HR' }],
      tablespace_expressions: items("= 'HR_DATA'"),
      schema_expressions: items("= 'HR'"),
      name_expressions: items("= 'EMP'"),
      threads: 1,
      credential_name: 'HR_OBJ_CRED',
      file_name: 'https://objectstorage.us-ashburn-1.oraclecloud.com/n/acme/b/hr-exports/o/HR.DMP',
      datapump_dir: 'DATA_PUMP_DIR',
      job_mode: 'SCHEMA',
      operation: 'IMPORT',
    } as unknown as JobRequest;
    const decision = evaluatePolicy({ tenant: HR_TEAM, request, timestamp: TIMESTAMP });
    if (!decision.allowed) throw new Error(JSON.stringify(decision.violations));
    expect(Object.keys(decision.upstream)).toEqual([
      'operation',
      'job_mode',
      'datapump_dir',
      'file_name',
      'credential_name',
      'threads',
      'name_expressions',
      'schema_expressions',
      'tablespace_expressions',
      'remap_schemas',
    ]);
  });

  it("refuses a malformed timestamp or tenant as the caller's bug, not the client's", () => {
    expect(() => evaluatePolicy({ tenant: HR_TEAM, request: { operation: 'EXPORT' }, timestamp: "2024'; --" })).toThrow(
      TypeError,
    );
    expect(() =>
      evaluatePolicy({
        tenant: { ...HR_TEAM, schemas: ["HR') OR ('1'='1"] },
        request: { operation: 'EXPORT' },
        timestamp: TIMESTAMP,
      }),
    ).toThrow(TypeError);
  });

  it('puts the evidence token into the export file name it injects, and only there', () => {
    const injected = evaluatePolicy({
      tenant: HR_TEAM,
      request: { operation: 'EXPORT' },
      timestamp: TIMESTAMP,
      evidenceToken: 'K7Q2M9XA0B1C',
    });
    expect(injected).toMatchObject({ allowed: true, upstream: { file_name: `HR_${TIMESTAMP}_K7Q2M9XA0B1C_%U.DMP` } });
    // A name the client chose is kept as it is: the token is never forced into it.
    const chosen = evaluatePolicy({
      tenant: HR_TEAM,
      request: { operation: 'EXPORT', file_name: 'HR_MINE_%U.DMP' },
      timestamp: TIMESTAMP,
      evidenceToken: 'K7Q2M9XA0B1C',
    });
    expect(chosen).toMatchObject({ allowed: true, upstream: { file_name: 'HR_MINE_%U.DMP' } });
  });

  it.each(['', 'abc', 'K7Q2_M9', "X'; --", 'Z'.repeat(33)])(
    "refuses the evidence token %j as the caller's bug",
    (evidenceToken) => {
      expect(() =>
        evaluatePolicy({ tenant: HR_TEAM, request: { operation: 'EXPORT' }, timestamp: TIMESTAMP, evidenceToken }),
      ).toThrow(TypeError);
    },
  );
});

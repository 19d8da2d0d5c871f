// Bounded errors, bounded work: a problem lists at most 50 faults and counts the rest in errors_omitted, and a
// body far larger than any the contract accepts is refused before the validator walks it.
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import { loadContract } from '../../../src/contract/documents.js';
import { largestRequestBody } from '../../../src/contract/validator-document.js';
import { GatewayError, MAX_LISTED_FAULTS } from '../../../src/gateway/problems/gateway-error.js';
import { problemBody } from '../../../src/gateway/problems/handler.js';
import { bodyLimits } from '../../../src/gateway/validation/contract-validator.js';
import { testGateway } from '../../helpers/gateway-app.js';

const LIST = '/databases/orcl/datapump/jobs/';
const DBA = { 'X-API-Key': 'dba-demo-key' };
const REQUEST_INVALID = 'https://datapump-gateway.dev/problems/request-invalid';

const faults = (n: number) => Array.from({ length: n }, (_, i) => ({ pointer: `/p${i}`, detail: 'is wrong' }));

describe('a problem body lists at most 50 faults', () => {
  it('caps errors at the contract’s maxItems', () => {
    const contract = loadContract('public');
    const problem = (contract.components.schemas as Record<string, { properties: Record<string, unknown> }>).Problem!;
    expect(problem.properties.errors).toMatchObject({ maxItems: MAX_LISTED_FAULTS });
    expect(MAX_LISTED_FAULTS).toBe(50);
  });

  it.each([
    [1, 1, undefined],
    [50, 50, undefined],
    [51, 50, 1],
    [15_000, 50, 14_950],
  ])('with %d faults lists %d and omits %s', (found, listed, omitted) => {
    const body = problemBody(new GatewayError('request-invalid', { errors: faults(found) }), 'rid');
    expect(body.errors).toHaveLength(listed);
    expect(body.errors![0]).toEqual({ pointer: '/p0', detail: 'is wrong' });
    expect(body.errors_omitted).toBe(omitted);
    if (omitted === undefined) expect(body).not.toHaveProperty('errors_omitted');
  });

  it('has no errors member without faults', () => {
    const body = problemBody(new GatewayError('not-found', { errors: [] }), undefined);
    expect(body).not.toHaveProperty('errors');
    expect(body).not.toHaveProperty('errors_omitted');
  });
});

describe('the body bound is derived from the contract', () => {
  it('knows the largest valid body: 282 members and array items, 3 levels deep', () => {
    const bound = largestRequestBody(loadContract('public'));
    // The largest body is an import with every member and every list full; keep_master (ORDS 25.4) added one.
    expect(bound).toEqual({ nodes: 282, depth: 3 });
    // Generous: never under 1,000 members and items and 16 levels, and at least twice the contract's bound.
    expect(bodyLimits(bound)).toEqual({ nodes: 1_000, depth: 16 });
    expect(bodyLimits({ nodes: 800, depth: 10 })).toEqual({ nodes: 1_600, depth: 20 });
    expect(bodyLimits({ nodes: Infinity, depth: Infinity })).toEqual({ nodes: 1_000, depth: 16 });
  });
});

describe('the gateway bounds the faults it lists and the work it spends on them', () => {
  const gw = testGateway();

  it('refuses 15,000 unknown properties (a 154 KB body) at once, with a small answer that points at the excess', async () => {
    const body: Record<string, unknown> = { operation: 'EXPORT' };
    for (let i = 0; i < 15_000; i += 1) body[`x${i}`] = 1;
    const text = JSON.stringify(body);
    expect(text.length).toBeGreaterThan(150_000);
    const started = performance.now();
    const res = await request(gw.app).post(LIST).set(DBA).set('Content-Type', 'application/json').send(text);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe(REQUEST_INVALID);
    expect(res.text.length).toBeLessThan(20_000);
    // The early refusal: one fault at the first member past the cap; Ajv never listed the 15,000.
    expect(res.body.detail).toMatch(/more than 1000 members and array items/);
    expect(res.body.errors).toEqual([{ pointer: '/x999', detail: expect.stringMatching(/past the first 1000/) }]);
    expect(res.body).not.toHaveProperty('errors_omitted');
    // Loose (machines differ); the validator listing every fault took ~190 ms.
    expect(elapsed).toBeLessThan(2_000);
  });

  it('lists the first 50 of 900 unknown properties and counts the other 850 in errors_omitted', async () => {
    const body: Record<string, unknown> = { operation: 'EXPORT' };
    for (let i = 0; i < 900; i += 1) body[`x${i}`] = 1;
    const res = await request(gw.app).post(LIST).set(DBA).send(body);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe(REQUEST_INVALID);
    expect(res.text.length).toBeLessThan(20_000);
    expect(res.body.errors).toHaveLength(50);
    expect(res.body.errors_omitted).toBe(850);
    expect(res.body.detail).toBe(
      'The request has 900 faults; the first 50 are listed in errors, errors_omitted counts the rest.',
    );
    for (const fault of res.body.errors) expect(fault.pointer).toMatch(/^\/x\d+$/);
  });

  it('has no errors_omitted when every fault is listed', async () => {
    const res = await request(gw.app).post(LIST).set(DBA).send({ operation: 'EXPORT', threads: 0, bogus: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(2);
    expect(res.body).not.toHaveProperty('errors_omitted');
  });

  it('refuses a body nested deeper than any the contract accepts, pointing where', async () => {
    let deep: unknown = 'A';
    for (let i = 0; i < 40; i += 1) deep = [deep];
    const res = await request(gw.app).post(LIST).set(DBA).send({ operation: 'EXPORT', filter: deep });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe(REQUEST_INVALID);
    expect(res.body.detail).toMatch(/nested more than 16 levels/);
    // The body is level 1, filter's array level 2, …: the 17th level begins 15 arrays into filter.
    expect(res.body.errors).toEqual([{ pointer: `/filter${'/0'.repeat(15)}`, detail: expect.any(String) }]);
  });

  it('refuses a top-level array of 5,000 items the same way', async () => {
    const res = await request(gw.app)
      .post(LIST)
      .set(DBA)
      .send(Array.from({ length: 5_000 }, () => 0));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ pointer: '/1000', detail: expect.any(String) }]);
  });

  it('escapes the pointer as RFC 6901 says', async () => {
    const body: Record<string, unknown> = { operation: 'EXPORT' };
    for (let i = 0; i < 1_000; i += 1) body[`a/b~${i}`] = 1;
    const res = await request(gw.app).post(LIST).set(DBA).send(body);
    expect(res.body.errors).toEqual([{ pointer: '/a~1b~0999', detail: expect.any(String) }]);
  });

  it('lets the largest body the contract accepts through to the validator and past it', async () => {
    const expressions = (n: number) => Array.from({ length: 20 }, (_, i) => ({ expression: `= 'T${n}_${i}'` }));
    const largest = {
      operation: 'IMPORT',
      job_mode: 'SCHEMA',
      datapump_dir: 'DATA_PUMP_DIR',
      file_name: 'HR_EXPDAT%U.DMP',
      filter: 'HR',
      threads: 2,
      name_expressions: expressions(1),
      schema_expressions: expressions(2),
      tablespace_expressions: expressions(3),
      remap_schemas: Array.from({ length: 50 }, (_, i) => ({ source: `S${i}`, target: `T${i}` })),
    };
    const res = await request(gw.app).post(LIST).set(DBA).send(largest);
    // Whatever the policy or ORDS then say, the contract accepted it: no 400.
    expect(res.status).not.toBe(400);
    expect(res.body.type).not.toBe(REQUEST_INVALID);
  });
});

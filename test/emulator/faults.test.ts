// Fault injection: every kind, route matching, counts, seeded fractions, and the /__emulator/faults endpoint.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';

import { createFaultBook } from '../../src/emulator/fault-book.js';
import type { Fault } from '../../src/emulator/index.js';
import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };
const faultsUrl = (origin: string) => `${origin}/__emulator/faults`;
const putFaults = (origin: string, faults: unknown) => call(faultsUrl(origin), { method: 'PUT', body: faults });
const countJobs = async (jobs: string) => (await call(jobs, { headers: auth })).json.count as number;

/** Resolves with the error a request ends in (it must not get an answer). */
async function failure(url: string, options: Parameters<typeof request>[1] = {}): Promise<Error> {
  try {
    const res = await request(url, options);
    await res.body.text();
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${url} answered, but a failure was expected`);
}

describe('fault kinds', () => {
  it("status: 503 (default) or the given status, with ORDS's body, then normal again after count", async () => {
    const { jobs, origin } = await startTestEmulator();
    await putFaults(origin, [
      { route: 'list', kind: 'status', count: 1 },
      { route: 'create', kind: 'status', status: 500, count: 1 },
    ]);
    const unavailable = await call(jobs, { headers: auth });
    expect(unavailable.status).toBe(503);
    expect(unavailable.json).toMatchObject({
      code: 'ServiceUnavailable',
      title: 'Service Unavailable',
      type: 'tag:oracle.com,2020:error/ServiceUnavailable',
    });
    const failed = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    expect(failed.status).toBe(500);
    expect(failed.json.code).toBe('InternalServerError');
    expect(await countJobs(jobs)).toBe(0); // a status fault answers before "ORDS" acts
    expect((await call(jobs, { headers: auth, body: { operation: 'EXPORT' } })).status).toBe(201);
  });

  it('latency: the answer comes at least ms later', async () => {
    const { api, origin } = await startTestEmulator();
    await putFaults(origin, [{ route: 'metadata', kind: 'latency', ms: 150 }]);
    const started = performance.now();
    expect((await call(`${api}metadata-catalog/`, { headers: auth })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('reset: the connection is reset before any answer', async () => {
    const { jobs, origin } = await startTestEmulator();
    await putFaults(origin, [{ route: 'list', kind: 'reset', count: 1 }]);
    const error = await failure(jobs, { headers: auth });
    expect(`${error.message} ${String((error as { code?: string }).code)}`).toMatch(
      /ECONNRESET|other side closed|socket/i,
    );
    expect((await call(jobs, { headers: auth })).status).toBe(200);
  });

  it('hang: no answer ever comes (the client gives up)', async () => {
    const { jobs, origin, emulator } = await startTestEmulator();
    await putFaults(origin, [{ route: 'list', kind: 'hang', count: 1 }]);
    const error = await failure(jobs, { headers: auth, signal: AbortSignal.timeout(300) });
    expect(error.name).toMatch(/Abort|Timeout/);
    expect(emulator.recorder.list()).toHaveLength(1); // it did arrive
  });

  it('malformed: the normal status with a body no JSON parser accepts; a create still creates', async () => {
    const { jobs, origin } = await startTestEmulator();
    await putFaults(origin, [{ kind: 'malformed', count: 2 }]);
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' }, contract: false });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/json');
    expect(() => JSON.parse(created.text)).toThrow();
    const listed = await call(jobs, { headers: auth, contract: false });
    expect(listed.status).toBe(200);
    expect(() => JSON.parse(listed.text)).toThrow();
    expect(await countJobs(jobs)).toBe(1);
  });

  it('redirect: 302 to another URL (default an unresolvable .invalid host)', async () => {
    const { jobs, origin } = await startTestEmulator();
    await putFaults(origin, [
      { route: 'list', kind: 'redirect', count: 1 },
      { route: 'create', kind: 'redirect', location: 'http://elsewhere.example/ords/' },
    ]);
    const list = await request(jobs, { headers: auth });
    await list.body.text();
    expect(list.statusCode).toBe(302);
    expect(list.headers.location).toBe('http://redirected.invalid/ords/');
    const create = await request(jobs, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"operation":"EXPORT"}',
    });
    await create.body.text();
    expect(create.headers.location).toBe('http://elsewhere.example/ords/');
  });

  it('reset-mid-body on a file: headers and part of the body, then the connection closes', async () => {
    const { jobs, origin } = await startTestEmulator({ logBytes: 1024 * 1024 });
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    await putFaults(origin, [{ route: 'file', kind: 'reset-mid-body', bytes: 100_000 }]);
    const res = await request(created.json.links[2].href, { headers: auth });
    expect(res.statusCode).toBe(200);
    let received = 0;
    const error = await (async () => {
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) received += chunk.length;
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(error).not.toBeNull();
    expect(received).toBe(100_000);
  });

  it('reset-mid-body on JSON: the announced length is not delivered', async () => {
    const { jobs, origin } = await startTestEmulator();
    await putFaults(origin, [{ route: 'list', kind: 'reset-mid-body' }]);
    const error = await failure(jobs, { headers: auth });
    expect(error).toBeInstanceOf(Error);
  });

  it('create-then-reset: the connection resets, yet the job exists', async () => {
    const { jobs, origin } = await startTestEmulator();
    await putFaults(origin, [{ route: 'create', kind: 'create-then-reset', count: 1 }]);
    await failure(jobs, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"operation":"EXPORT"}',
    });
    const list = await call(jobs, { headers: auth });
    expect(list.json.count).toBe(1);
    expect(list.json.items[0].job_name).toBe('DATAPUMP_REST_EXPORT_20190906155736');
  });

  it('create-then-hang: no answer, yet the job exists', async () => {
    const { jobs, origin } = await startTestEmulator();
    await putFaults(origin, [{ kind: 'create-then-hang', count: 1 }]);
    const error = await failure(jobs, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"operation":"IMPORT","file_name":"X.DMP"}',
      signal: AbortSignal.timeout(300),
    });
    expect(error.name).toMatch(/Abort|Timeout/);
    // The `*` route of a create-only fault never touches other routes.
    const list = await call(jobs, { headers: auth });
    expect(list.json.items.map((j: { operation: string }) => j.operation)).toEqual(['IMPORT']);
  });

  it('close() ends hanging requests instead of waiting for them', async () => {
    const { jobs, origin, emulator } = await startTestEmulator();
    await putFaults(origin, [{ kind: 'hang' }]);
    const pending = failure(jobs, { headers: auth });
    while (emulator.recorder.list().length === 0) await new Promise((r) => setTimeout(r, 5));
    await emulator.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('fault selection', () => {
  it('only the named route is affected; * affects all', async () => {
    const { jobs, api, origin } = await startTestEmulator();
    await putFaults(origin, [{ route: 'metadata', kind: 'status' }]);
    expect((await call(jobs, { headers: auth })).status).toBe(200);
    expect((await call(`${api}metadata-catalog/`, { headers: auth })).status).toBe(503);
    await putFaults(origin, [{ kind: 'status', status: 500 }]);
    expect((await call(jobs, { headers: auth })).status).toBe(500);
    expect(
      (
        await call(`${origin}/ords/orcl/pdbadmin/oauth/token`, {
          method: 'POST',
          body: 'grant_type=client_credentials',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          contract: false,
        })
      ).status,
    ).toBe(500);
  });

  it('fractions are deterministic for a seed and roughly honoured', () => {
    const run = (seed: number) => {
      const book = createFaultBook(seed, [{ kind: 'status', fraction: 0.3 }]);
      return Array.from({ length: 1000 }, () => book.decide('list').outcome !== null);
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    const hits = a.filter(Boolean).length;
    expect(hits).toBeGreaterThan(240);
    expect(hits).toBeLessThan(360);
  });

  it('latency adds up with an outcome; only the first outcome spends its count', () => {
    const book = createFaultBook(1, [
      { kind: 'latency', ms: 10 },
      { kind: 'latency', ms: 5, route: 'job' },
      { kind: 'status', count: 1 },
      { kind: 'reset', count: 1 },
    ]);
    expect(book.decide('job')).toEqual({ delayMs: 15, outcome: expect.objectContaining({ kind: 'status' }) });
    expect(book.decide('list')).toEqual({ delayMs: 10, outcome: expect.objectContaining({ kind: 'reset' }) });
    expect(book.decide('list')).toEqual({ delayMs: 10, outcome: null });
  });
});

describe('/__emulator/faults', () => {
  it('PUT replaces, GET shows remaining counts, DELETE clears', async () => {
    const { jobs, origin } = await startTestEmulator();
    const put = await putFaults(origin, [
      { route: 'list', kind: 'status', count: 2 },
      { kind: 'latency', ms: 1 },
    ]);
    expect(put.status).toBe(200);
    await call(jobs, { headers: auth });
    const listed = await call(faultsUrl(origin));
    expect(listed.json).toEqual([
      { route: 'list', kind: 'status', count: 2, remaining: 1 },
      { kind: 'latency', ms: 1, remaining: null },
    ]);
    await putFaults(origin, [{ route: 'job', kind: 'hang' }]);
    expect((await call(faultsUrl(origin))).json).toHaveLength(1);
    expect((await call(faultsUrl(origin), { method: 'DELETE' })).status).toBe(204);
    expect((await call(faultsUrl(origin))).json).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['not a list', { kind: 'hang' }],
    ['an unknown kind', [{ kind: 'explode' }]],
    ['an unknown route', [{ route: 'delete', kind: 'hang' }]],
    ['latency without ms', [{ kind: 'latency' }]],
    ['a fraction over 1', [{ kind: 'hang', fraction: 1.5 }]],
    ['a negative count', [{ kind: 'hang', count: -1 }]],
    ['a status outside 400-599', [{ kind: 'status', status: 200 }]],
    ['create-then-reset on the list route', [{ route: 'list', kind: 'create-then-reset' }]],
    ['an unknown member', [{ kind: 'hang', when: 'always' }]],
    ['malformed JSON', '[{'],
  ])('PUT refuses %s with 400 and keeps the old list', async (_why, body) => {
    const { origin } = await startTestEmulator({ faults: [{ route: 'job', kind: 'hang' }] });
    const res = await call(faultsUrl(origin), {
      method: 'PUT',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual(expect.any(String));
    expect((await call(faultsUrl(origin))).json).toEqual([{ route: 'job', kind: 'hang', remaining: null }]);
  });

  it('faults can be configured from the start', async () => {
    const faults: Fault[] = [{ route: 'list', kind: 'status', status: 503, count: 1 }];
    const { jobs } = await startTestEmulator({ faults });
    expect((await call(jobs, { headers: auth })).status).toBe(503);
    expect((await call(jobs, { headers: auth })).status).toBe(200);
  });
});

// The /__emulator control endpoints: recorded requests, the manual clock, clearing jobs, unknown endpoints.
import { describe, expect, it } from 'vitest';

import { systemClock } from '../../src/emulator/index.js';
import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };

describe('/__emulator/requests', () => {
  it('records method, path, query, headers and parsed body of ORDS requests; DELETE clears', async () => {
    const { jobs, origin } = await startTestEmulator();
    await call(jobs, { headers: { ...auth, 'x-trace': 'abc' }, body: { operation: 'EXPORT' } });
    await call(`${jobs}?limit=1`, { headers: auth });
    await call(`${origin}/ords/orcl/pdbadmin/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    await call(`${origin}/__emulator/faults`); // control requests are not recorded
    const recorded = (await call(`${origin}/__emulator/requests`)).json;
    const path = new URL(jobs).pathname;
    expect(recorded).toHaveLength(3);
    expect(recorded[0]).toMatchObject({
      method: 'POST',
      path,
      query: {},
      body: { operation: 'EXPORT' },
      receivedAt: '2019-09-06T15:57:36.000Z',
    });
    expect(recorded[0].headers).toMatchObject({
      authorization: BASIC,
      'x-trace': 'abc',
      'content-type': 'application/json',
    });
    expect(recorded[1]).toMatchObject({ method: 'GET', path, query: { limit: '1' } });
    expect(recorded[1]).not.toHaveProperty('body');
    expect(recorded[2]).toMatchObject({
      method: 'POST',
      path: '/ords/orcl/pdbadmin/oauth/token',
      body: { grant_type: 'client_credentials' },
    });
    expect((await call(`${origin}/__emulator/requests`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${origin}/__emulator/requests`)).json).toEqual([]);
  });

  it('keeps only the latest recordRequests entries; 0 records nothing', async () => {
    const small = await startTestEmulator({ recordRequests: 2 });
    for (let i = 0; i < 5; i++) await call(`${small.jobs}?offset=${i}`, { headers: auth });
    expect(
      (await call(`${small.origin}/__emulator/requests`)).json.map(
        (r: { query: { offset: string } }) => r.query.offset,
      ),
    ).toEqual(['3', '4']);
    const none = await startTestEmulator({ recordRequests: 0 });
    await call(none.jobs, { headers: auth });
    expect((await call(`${none.origin}/__emulator/requests`)).json).toEqual([]);
  });
});

describe('/__emulator/clock', () => {
  it('GET shows the time; POST {advanceMs} moves the manual clock and returns the new time', async () => {
    const { origin, jobs } = await startTestEmulator({ jobDurationMs: 2000 });
    expect((await call(`${origin}/__emulator/clock`)).json).toEqual({
      now: '2019-09-06T15:57:36.000Z',
      epochMs: Date.UTC(2019, 8, 6, 15, 57, 36),
      manual: true,
    });
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    const moved = await call(`${origin}/__emulator/clock`, { method: 'POST', body: { advanceMs: 2000 } });
    expect(moved.json.now).toBe('2019-09-06T15:57:38.000Z');
    expect((await call(created.headers.location!, { headers: auth })).json.state).toBe('COMPLETED');
  });

  it.each([{ advanceMs: -1 }, { advanceMs: 'soon' }, {}, { advanceMs: 1.5 }])('POST refuses %j', async (body) => {
    const { origin } = await startTestEmulator();
    expect((await call(`${origin}/__emulator/clock`, { method: 'POST', body })).status).toBe(400);
  });

  it('409 when the clock is the real one', async () => {
    const { origin } = await startTestEmulator({ clock: systemClock() });
    const res = await call(`${origin}/__emulator/clock`, { method: 'POST', body: { advanceMs: 1 } });
    expect(res.status).toBe(409);
    expect((await call(`${origin}/__emulator/clock`)).json.manual).toBe(false);
  });
});

describe('other control endpoints', () => {
  it('DELETE /__emulator/jobs empties the job table (and frees the names)', async () => {
    const { origin, jobs } = await startTestEmulator();
    await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    expect((await call(`${origin}/__emulator/jobs`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(jobs, { headers: auth })).json.count).toBe(0);
    expect((await call(jobs, { headers: auth, body: { operation: 'EXPORT' } })).json.job_name).toBe(
      'DATAPUMP_REST_EXPORT_20190906155736',
    );
  });

  it('unknown endpoints are 404 and wrong methods 405 with Allow', async () => {
    const { origin } = await startTestEmulator();
    expect((await call(`${origin}/__emulator/nothing`)).status).toBe(404);
    const wrong = await call(`${origin}/__emulator/faults`, { method: 'POST', body: [] });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, PUT, DELETE');
  });

  it('links use the Host header, or publicUrl when configured', async () => {
    const viaHost = await startTestEmulator();
    const created = await call(viaHost.jobs.replace('127.0.0.1', 'localhost'), {
      headers: auth,
      body: { operation: 'EXPORT' },
    });
    expect(created.headers.location).toMatch(/^http:\/\/localhost:\d+\/ords\//);
    const configured = await startTestEmulator({ publicUrl: 'https://ords.example.com' });
    const res = await call(configured.jobs, { headers: auth, body: { operation: 'EXPORT' } });
    expect(res.headers.location).toMatch(
      /^https:\/\/ords\.example\.com\/ords\/orcl\/pdbadmin\/_\/db-api\/stable\/database\/datapump\/jobs\/PDBADMIN,/,
    );
  });
});

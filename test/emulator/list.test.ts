// GET jobs/: ORDS collection paging (limit, offset, hasMore, count), its 400s, and the q filter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };

async function withJobs(n: number, options = {}) {
  const started = await startTestEmulator(options);
  for (let i = 0; i < n; i++) await call(started.jobs, { headers: auth, body: { operation: 'EXPORT' } });
  return started;
}

describe('GET jobs/', () => {
  it('lists every job with default paging (limit 25) and collection links', async () => {
    const { jobs } = await withJobs(3);
    const res = await call(jobs, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ hasMore: false, limit: 25, offset: 0, count: 3 });
    expect(res.json.items.map((j: { job_name: string }) => j.job_name)).toEqual([
      'DATAPUMP_REST_EXPORT_20190906155736',
      'DATAPUMP_REST_EXPORT_20190906155736_2',
      'DATAPUMP_REST_EXPORT_20190906155736_3',
    ]);
    expect(res.json.items[0].links).toEqual([
      { rel: 'self', href: `${jobs}PDBADMIN,DATAPUMP_REST_EXPORT_20190906155736/` },
    ]);
    expect(res.json.links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'describedby', 'first']);
  });

  it("lists every owner's jobs, as DBA_DATAPUMP_JOBS", async () => {
    const { jobs } = await startTestEmulator({ users: { pdbadmin: 'oracle', hr: 'hr' } });
    await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    await call(jobs, {
      headers: { authorization: `Basic ${Buffer.from('hr:hr').toString('base64')}` },
      body: { operation: 'EXPORT' },
    });
    const res = await call(jobs, { headers: auth });
    expect(res.json.items.map((j: { owner_name: string }) => j.owner_name)).toEqual(['PDBADMIN', 'HR']);
  });

  it.each([
    ['limit=0', { count: 0, hasMore: true, limit: 0, offset: 0 }],
    ['limit=1', { count: 1, hasMore: true, limit: 1, offset: 0 }],
    ['limit=1&offset=2', { count: 1, hasMore: false, limit: 1, offset: 2 }],
    ['limit=100000', { count: 3, hasMore: false, limit: 10000, offset: 0 }],
    ['offset=3', { count: 0, hasMore: false, limit: 25, offset: 3 }],
    ['offset=1000', { count: 0, hasMore: false, limit: 25, offset: 1000 }],
  ])('%s', async (query, expected) => {
    const { jobs } = await withJobs(3);
    const res = await call(`${jobs}?${query}`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject(expected);
    expect(res.json.items).toHaveLength(expected.count);
  });

  it('next/prev links walk the pages', async () => {
    const { jobs } = await withJobs(5);
    const page = await call(`${jobs}?limit=2&offset=2`, { headers: auth });
    const rels = Object.fromEntries(page.json.links.map((l: { rel: string; href: string }) => [l.rel, l.href]));
    expect(rels.next).toBe(`${jobs}?limit=2&offset=4`);
    expect(rels.prev).toBe(`${jobs}?limit=2&offset=0`);
    const last = await call(rels.next as string, { headers: auth });
    expect(last.json).toMatchObject({ count: 1, hasMore: false, offset: 4 });
  });

  it('pages always partition the list (property)', async () => {
    const { jobs } = await withJobs(7);
    const all = (await call(jobs, { headers: auth })).json.items.map((j: { job_name: string }) => j.job_name);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), async (limit, offset) => {
        const res = await call(`${jobs}?limit=${limit}&offset=${offset}`, { headers: auth });
        const expected = all.slice(offset, offset + limit);
        expect(res.json.items.map((j: { job_name: string }) => j.job_name)).toEqual(expected);
        expect(res.json.count).toBe(expected.length);
        expect(res.json.hasMore).toBe(offset + expected.length < all.length);
      }),
      { numRuns: 40 },
    );
  });

  it.each(['limit=abc', 'limit=-1', 'offset=1.5', 'offset=', 'q={not json'])(
    "400 with ORDS's body for %s",
    async (query) => {
      const { jobs } = await withJobs(1);
      const res = await call(`${jobs}?${query}`, { headers: auth });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.json).toMatchObject({
        code: 'BadRequest',
        title: 'Bad Request',
        type: 'tag:oracle.com,2020:error/BadRequest',
      });
      expect(res.json.instance).toMatch(/^tag:oracle\.com,2020:ecid\//);
    },
  );

  it('q filters on job fields', async () => {
    const { jobs } = await withJobs(2);
    await call(jobs, { headers: auth, body: { operation: 'IMPORT', file_name: 'X.DMP' } });
    const q = (filter: unknown) => call(`${jobs}?q=${encodeURIComponent(JSON.stringify(filter))}`, { headers: auth });
    expect((await q({ operation: 'IMPORT' })).json.count).toBe(1);
    expect((await q({ job_name: { $like: 'DATAPUMP_REST_EXPORT%' } })).json.count).toBe(2);
    expect((await q({ operation: { $in: ['EXPORT', 'IMPORT'] }, owner_name: 'PDBADMIN' })).json.count).toBe(3);
    expect((await q({ operation: { $regex: 'x' } })).status).toBe(400);
  });
});

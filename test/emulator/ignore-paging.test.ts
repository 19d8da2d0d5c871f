// ignorePaging: an emulator that does not read the list's `limit` and/or `offset`, its answers, links and option checks.
import { describe, expect, it } from 'vitest';

import { checkConfig } from '../../src/emulator/config-file.js';
import { type PagingParam, resolveOptions } from '../../src/emulator/index.js';
import { BASIC, call } from './helpers/client.js';
import { parseFlags } from './helpers/flags.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };
const JOBS = 5;
const DEFAULT_LIMIT = 2;

/** An emulator holding five jobs with `defaultLimit` 2 (so an ignored `limit` shows), and their names in order. */
async function withJobs(ignorePaging: PagingParam[]) {
  const started = await startTestEmulator({ ignorePaging, defaultLimit: DEFAULT_LIMIT });
  const names: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const res = await call(started.jobs, { headers: auth, body: { operation: 'EXPORT' } });
    names.push(res.json.job_name as string);
  }
  return { ...started, names };
}

interface Page {
  /** Indexes of the jobs on the page, in creation order. */
  items: number[];
  limit: number;
  offset: number;
  hasMore: boolean;
  /** The query of the `next` link, or null when there is none. */
  next: string | null;
  prev: string | null;
}

const page = (items: number[], limit: number, offset: number, next: string | null, prev: string | null = null) => ({
  items,
  limit,
  offset,
  hasMore: next !== null,
  next,
  prev,
});

const Q = `q=${encodeURIComponent(JSON.stringify({ operation: 'EXPORT' }))}`;

// Each setting × each request: what the page holds and says, and where its links lead. `400` is ORDS's refusal of a
// non-numeric value, which an ignored parameter (not read at all) no longer gives.
const TABLE: Array<[PagingParam[], string, Page | 400]> = [
  [[], '', page([0, 1], 2, 0, 'limit=2&offset=2')],
  [[], 'limit=1&offset=2', page([2], 1, 2, 'limit=1&offset=3', 'limit=1&offset=1')],
  [[], 'limit=3&offset=3', page([3, 4], 3, 3, null, 'limit=3&offset=0')],
  [[], `${Q}&limit=1&offset=2`, page([2], 1, 2, `limit=1&offset=3&${Q}`, `limit=1&offset=1&${Q}`)],
  [[], 'limit=abc', 400],
  [[], 'offset=x', 400],

  [['limit'], '', page([0, 1], 2, 0, 'limit=2&offset=2')],
  [['limit'], 'limit=1&offset=2', page([2, 3], 2, 2, 'limit=2&offset=4', 'limit=2&offset=0')],
  [['limit'], 'limit=3&offset=3', page([3, 4], 2, 3, null, 'limit=2&offset=1')],
  [['limit'], `${Q}&limit=1&offset=2`, page([2, 3], 2, 2, `limit=2&offset=4&${Q}`, `limit=2&offset=0&${Q}`)],
  [['limit'], 'limit=abc', page([0, 1], 2, 0, 'limit=2&offset=2')],
  [['limit'], 'offset=x', 400],

  [['offset'], '', page([0, 1], 2, 0, 'limit=2&offset=2')],
  [['offset'], 'limit=1&offset=2', page([0], 1, 0, 'limit=1&offset=1')],
  [['offset'], 'limit=3&offset=3', page([0, 1, 2], 3, 0, 'limit=3&offset=3')],
  [['offset'], `${Q}&limit=1&offset=2`, page([0], 1, 0, `limit=1&offset=1&${Q}`)],
  [['offset'], 'limit=abc', 400],
  [['offset'], 'offset=x', page([0, 1], 2, 0, 'limit=2&offset=2')],

  [['limit', 'offset'], '', page([0, 1], 2, 0, 'limit=2&offset=2')],
  [['limit', 'offset'], 'limit=1&offset=2', page([0, 1], 2, 0, 'limit=2&offset=2')],
  [['limit', 'offset'], 'limit=3&offset=3', page([0, 1], 2, 0, 'limit=2&offset=2')],
  [['limit', 'offset'], `${Q}&limit=1&offset=2`, page([0, 1], 2, 0, `limit=2&offset=2&${Q}`)],
  [['limit', 'offset'], 'limit=abc&offset=x', page([0, 1], 2, 0, 'limit=2&offset=2')],
];

describe('GET jobs/ with ignorePaging', () => {
  it.each(TABLE)('ignorePaging %j, ?%s', async (ignorePaging, query, expected) => {
    const { jobs, names } = await withJobs(ignorePaging);
    const res = await call(query ? `${jobs}?${query}` : jobs, { headers: auth });
    if (expected === 400) {
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: 'BadRequest' });
      return;
    }
    expect(res.status).toBe(200);
    expect(res.json.items.map((j: { job_name: string }) => j.job_name)).toEqual(expected.items.map((i) => names[i]));
    expect(res.json).toMatchObject({
      limit: expected.limit,
      offset: expected.offset,
      hasMore: expected.hasMore,
      count: expected.items.length,
    });
    const links = Object.fromEntries(res.json.links.map((l: { rel: string; href: string }) => [l.rel, l.href]));
    expect(links.next).toBe(expected.next === null ? undefined : `${jobs}?${expected.next}`);
    expect(links.prev).toBe(expected.prev === null ? undefined : `${jobs}?${expected.prev}`);
    expect(links.self).toBe(query ? `${jobs}?${query}` : jobs);
  });

  it('with offset ignored, following next gives the first page again, with the same next link', async () => {
    const { jobs, names } = await withJobs(['offset']);
    const first = await call(`${jobs}?limit=1`, { headers: auth });
    const next = first.json.links.find((l: { rel: string }) => l.rel === 'next').href as string;
    expect(next).toBe(`${jobs}?limit=1&offset=1`);
    const again = await call(next, { headers: auth });
    expect(again.json.items.map((j: { job_name: string }) => j.job_name)).toEqual([names[0]]);
    expect(again.json).toMatchObject({ offset: 0, hasMore: true });
    expect(again.json.links.find((l: { rel: string }) => l.rel === 'next').href).toBe(next);
  });

  it('with limit ignored, the page size is defaultLimit capped by maxLimit, as without limit', async () => {
    const { jobs } = await startTestEmulator({ ignorePaging: ['limit'], defaultLimit: 50, maxLimit: 3 });
    for (let i = 0; i < JOBS; i++) await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    const res = await call(`${jobs}?limit=1`, { headers: auth });
    expect(res.json).toMatchObject({ limit: 3, count: 3, hasMore: true });
  });
});

describe('the ignorePaging option', () => {
  it('defaults to reading both parameters', () => {
    expect(resolveOptions().ignorePaging).toEqual([]);
    expect(parseFlags([]).ignorePaging).toBeUndefined();
  });

  it.each([
    ['limit', ['limit']],
    ['offset', ['offset']],
    ['limit,offset', ['limit', 'offset']],
    ['offset, limit', ['offset', 'limit']],
    ['limit,limit', ['limit']],
  ])('--ignore-paging %s', (value, expected) => {
    expect(parseFlags(['--ignore-paging', value]).ignorePaging).toEqual(expected);
  });

  it.each([
    ['page', /--ignore-paging takes limit and\/or offset, comma-separated, not "page"/],
    ['limit,Offset,q', /not "Offset", "q"$/],
    ['', /not ""$/],
    ['limit,', /not ""$/],
  ])('--ignore-paging %j is refused, naming what is wrong', (value, message) => {
    expect(() => parseFlags(['--ignore-paging', value])).toThrow(message);
  });

  it.each([
    [['page'], /\/ignorePaging\/0 must be one of \["limit","offset"\]/],
    [['offset', 'offset'], /\/ignorePaging must NOT have duplicate items/],
    ['limit', /\/ignorePaging must be array/],
  ])('the factory and the config file refuse ignorePaging %j', (value, message) => {
    expect(() => resolveOptions({ ignorePaging: value as never })).toThrow(message);
    // What `--config file.json` runs on the file's object.
    expect(() => checkConfig({ ignorePaging: value })).toThrow(message);
  });

  it('the config file takes it', () => {
    expect(checkConfig({ ignorePaging: ['offset'] })).toEqual({ ignorePaging: ['offset'] });
  });
});

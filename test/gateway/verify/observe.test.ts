// The reads verify-upstream makes, against a fake reader: only GETs, in order, a log read to 4 KiB, a dump never.
import { describe, expect, it } from 'vitest';

import type { Answer } from '../../../src/gateway/verify/answer.js';
import { LOG_HEAD_BYTES, observe } from '../../../src/gateway/verify/observe.js';
import type { AuthAttempt, ReadOptions, UpstreamReader } from '../../../src/gateway/verify/reader.js';
import { testDatabase } from '../../helpers/gateway-config.js';
import { answer, API, contract, job, JOBS, page } from './fixtures.js';

const NAME = 'DATAPUMP_REST_EXPORT_20260501115930';
const detail = job(NAME, { detail: true, dump: true, state: 'COMPLETED' });

/** A reader answering by path and query; it records every read with its options. */
function fakeReader(routes: Record<string, () => Answer>, auth: AuthAttempt = { kind: 'basic', username: 'pdbadmin' }) {
  const reads: Array<{ path: string; options: ReadOptions }> = [];
  const reader: UpstreamReader = {
    authenticate: async () => auth,
    async get(path, options) {
      reads.push({ path, options });
      const search = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
      const route = routes[`${path}${search}`];
      return route ? route() : answer(`GET ${path}${search}`, 404, { code: 'NotFound' });
    },
    close: async () => {},
  };
  return { reader, reads };
}

const rows = [job('DATAPUMP_REST_EXPORT_20260501115900'), job(NAME, { state: 'COMPLETED' })];
const at = (path: string, status: number, body?: unknown, headers?: Record<string, string>) => () =>
  answer(`GET ${path}`, status, body, headers);

const healthy: Record<string, () => Answer> = {
  [`${API}metadata-catalog/`]: at(`${API}metadata-catalog/`, 200, { items: [] }),
  [`${JOBS}?limit=1`]: at(
    `${JOBS}?limit=1`,
    200,
    page(rows.slice(0, 1), { hasMore: true, limit: 1, next: 'offset=1&limit=1' }),
  ),
  [`${JOBS}?limit=2`]: at(`${JOBS}?limit=2`, 200, page(rows, { limit: 2 })),
  [`${JOBS}?limit=1&offset=1`]: at(`${JOBS}?limit=1&offset=1`, 200, page(rows.slice(1), { limit: 1, offset: 1 })),
  [`${JOBS}?offset=1&limit=1`]: at(`${JOBS}?offset=1&limit=1`, 200, page(rows.slice(1), { limit: 1, offset: 1 })),
  [`${JOBS}?limit=100`]: at(`${JOBS}?limit=100`, 200, page(rows, { limit: 100 })),
  [`${JOBS}PDBADMIN,${NAME}/`]: at(`${JOBS}PDBADMIN,${NAME}/`, 200, detail),
  [`${JOBS}PDBADMIN,${NAME}/EXPDAT-2026-05-01-11_59_30.LOG`]: at(`${JOBS}PDBADMIN,${NAME}/EXPDAT…`, 200, 'Export: …', {
    'content-type': 'text/plain',
  }),
};

describe('observe', () => {
  it('reads catalogue, openapi.json, the list four ways and its next page, one job and the head of its log', async () => {
    const { reader, reads } = fakeReader(healthy);
    const obs = await observe(testDatabase(), reader, contract);
    expect(
      reads.map((r) => `${r.path}${r.options.query ? `?${new URLSearchParams(r.options.query).toString()}` : ''}`),
    ).toEqual([
      `${API}metadata-catalog/`,
      `${API}metadata-catalog/openapi.json`,
      `${JOBS}?limit=1`,
      `${JOBS}?limit=2`,
      `${JOBS}?limit=1&offset=1`,
      // the next link's query, on the configured list: not the link's host
      `${JOBS}?offset=1&limit=1`,
      `${JOBS}?limit=100`,
      `${JOBS}PDBADMIN,${NAME}/`,
      `${JOBS}PDBADMIN,${NAME}/EXPDAT-2026-05-01-11_59_30.LOG`,
    ]);
    // The log is read to its first 4 KiB; the dump link is listed, never read.
    expect(reads.at(-1)!.options.maxBytes).toBe(LOG_HEAD_BYTES);
    expect(reads.some((r) => r.path.endsWith('.DMP'))).toBe(false);
    expect(obs.job?.row.job_name).toBe(NAME);
    expect(obs.log?.filename).toBe('EXPDAT-2026-05-01-11_59_30.LOG');
    expect(obs.list?.next?.href).toBe(`http://127.0.0.1:8181${JOBS}?offset=1&limit=1`);
  });

  it('stops after the catalogue when the credentials are refused', async () => {
    const { reader, reads } = fakeReader({ [`${API}metadata-catalog/`]: at(`${API}metadata-catalog/`, 401) });
    const obs = await observe(testDatabase(), reader, contract);
    expect(reads).toHaveLength(1);
    expect(obs.list).toBeUndefined();
  });

  it('reads nothing without an OAuth2 token', async () => {
    const token = answer('POST /ords/orcl/pdbadmin/oauth/token', 401);
    const { reader, reads } = fakeReader(healthy, { kind: 'oauth2', clientId: 'gw', token, ok: false });
    await observe(testDatabase(), reader, contract);
    expect(reads).toHaveLength(0);
  });

  it('stops after a job list that does not answer 200', async () => {
    const { reader, reads } = fakeReader({ ...healthy, [`${JOBS}?limit=1`]: at(`${JOBS}?limit=1`, 503) });
    const obs = await observe(testDatabase(), reader, contract);
    expect(reads).toHaveLength(3);
    expect(obs.list?.limit1.status).toBe(503);
  });

  it('does not follow a next link that leads elsewhere', async () => {
    const elsewhere = page(rows.slice(0, 1), { hasMore: true, limit: 1 });
    elsewhere.links.push({ rel: 'next', href: 'http://evil.example/other/path?x=1' });
    const { reader, reads } = fakeReader({ ...healthy, [`${JOBS}?limit=1`]: at(`${JOBS}?limit=1`, 200, elsewhere) });
    const obs = await observe(testDatabase(), reader, contract);
    expect(obs.list?.next).toEqual({ href: 'http://evil.example/other/path?x=1' });
    expect(reads.some((r) => r.options.query?.x !== undefined)).toBe(false);
  });
});

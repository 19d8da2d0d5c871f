// Answers and observations for the check functions' tests: what a read of ORDS could have seen, as plain data.
import { loadContract } from '../../../src/contract/documents.js';
import { createOrdsContract } from '../../../src/gateway/upstream/ords-contract.js';
import type { Answer } from '../../../src/gateway/verify/answer.js';

export const contract = createOrdsContract({ ords: loadContract('ords'), public: loadContract('public') });

export const API = '/ords/orcl/pdbadmin/_/db-api/stable/';
export const JOBS = `${API}database/datapump/jobs/`;
const ORIGIN = 'http://127.0.0.1:8181';

/** An answer with a JSON body (or text, when `body` is a string), `Date` and `Content-Type` as ORDS sends them. */
export function answer(
  request: string,
  status: number | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Answer {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return {
    request,
    status,
    ...(status === undefined ? { failure: 'ECONNREFUSED' } : {}),
    headers: { 'content-type': 'application/json', ...headers },
    text,
    truncated: false,
  };
}

/** A job row as ORDS lists it; a `detail` job adds its links (the log, and a dump when `dump` is set). */
export function job(name: string, options: { owner?: string; state?: string; dump?: boolean; detail?: boolean } = {}) {
  const owner = options.owner ?? 'PDBADMIN';
  const self = `${ORIGIN}${JOBS}${owner},${name}/`;
  const files = options.detail
    ? [
        { rel: 'related', href: `${self}EXPDAT-2026-05-01-11_59_30.LOG` },
        ...(options.dump ? [{ rel: 'related', href: `${self}EXPDAT01-11_59_30.DMP` }] : []),
      ]
    : [];
  return {
    job_name: name,
    owner_name: owner,
    operation: 'EXPORT',
    job_mode: 'SCHEMA',
    state: options.state ?? 'EXECUTING',
    degree: 1,
    attached_sessions: 0,
    datapump_sessions: 2,
    links: [...files, { rel: 'self', href: self }],
  };
}

/** One page of the list, its `next` link given when `next` is a query. */
export function page(
  items: unknown[],
  options: { hasMore?: boolean; limit?: number; offset?: number; next?: string } = {},
) {
  const links = [{ rel: 'self', href: `${ORIGIN}${JOBS}` }];
  if (options.next !== undefined) links.push({ rel: 'next', href: `${ORIGIN}${JOBS}?${options.next}` });
  return {
    items,
    hasMore: options.hasMore ?? false,
    limit: options.limit ?? 25,
    offset: options.offset ?? 0,
    count: items.length,
    links,
  };
}

export const list = (query: string, body: unknown, status = 200) => answer(`GET ${JOBS}?${query}`, status, body);

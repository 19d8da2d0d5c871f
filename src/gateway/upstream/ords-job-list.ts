/** @module ORDS's list of every owner's jobs, read page by page and checked against the upstream contract. */
import type { DatabaseConfig } from '../config/types.js';
import { invalidAnswer, ordsFailure } from './ords-answers.js';
import type { OrdsContract, OrdsJob } from './ords-contract.js';
import type { UpstreamRegistry } from './registry.js';

/** ORDS pages its list; this many pages of this size bound one read (DBA_DATAPUMP_JOBS is rarely long). */
const ORDS_PAGE = 500;
const ORDS_MAX_PAGES = 20;

export interface OrdsJobListDeps {
  readonly upstreams: UpstreamRegistry;
  readonly ordsContract: OrdsContract;
}

export interface CallMeta {
  readonly requestId: string;
  readonly traceparent?: string;
  readonly signal?: AbortSignal;
}

export const jobKey = (owner: string, name: string) => `${owner},${name}`;

/** Every job ORDS shows for `database`, by `OWNER,JOB`. */
export async function readOrdsJobs(
  deps: OrdsJobListDeps,
  database: DatabaseConfig,
  meta: CallMeta,
): Promise<Map<string, OrdsJob>> {
  const byKey = new Map<string, OrdsJob>();
  const path = deps.upstreams.client(database).paths.jobs;
  for (let page = 0; page < ORDS_MAX_PAGES; page++) {
    const answer = await deps.upstreams.json(database, {
      method: 'GET',
      path,
      kind: 'read',
      query: { limit: ORDS_PAGE, offset: page * ORDS_PAGE },
      ...meta,
    });
    if (answer.status !== 200) throw ordsFailure(answer, deps.ordsContract, { notFound: 'database-not-found', path });
    if (!deps.ordsContract.isJobCollection(answer.body)) throw invalidAnswer(deps.ordsContract, path);
    for (const job of answer.body.items) byKey.set(jobKey(job.owner_name, job.job_name), job);
    if (!answer.body.hasMore) break;
  }
  return byKey;
}

/** ORDS names its jobs DATAPUMP_REST_<OP>_<YYYYMMDDHH24MISS>[_n]: that time, read as UTC, in epoch ms. */
export function jobNameTime(name: string): number | undefined {
  const m = /_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:_\d+)?$/.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

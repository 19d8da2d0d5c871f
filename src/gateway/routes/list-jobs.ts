/** @module GET …/datapump/jobs/: the caller's own jobs (from the registry, states refreshed from ORDS), paged. */
import type { Request, RequestHandler } from 'express';
import type { components } from '../../../generated/public.js';
import type { DatabaseConfig } from '../config/types.js';
import { gatewayUrls, historicalJob, toPublicJob, type GatewayUrls, type PublicJob } from '../jobs/public-job.js';
import type { JobRecord } from '../jobs/store.js';
import type { OrdsJob } from '../upstream/ords-contract.js';
import { invalidAnswer, ordsFailure } from '../upstream/ords-answers.js';
import { abortOnClose, callMeta, scope, type RouteDeps } from './context.js';

type JobCollection = components['schemas']['JobCollection'];

/** ORDS pages its list; a registry page needs at most this many ORDS pages to refresh its states. */
const ORDS_PAGE = 500;
const ORDS_MAX_PAGES = 20;

export function listJobs(deps: RouteDeps): RequestHandler {
  return async function listJobsHandler(req, res) {
    const { database, tenant } = scope(req);
    // The validator has coerced and defaulted both.
    const limit = Number(req.query.limit);
    const offset = Number(req.query.offset);
    const urls = gatewayUrls(deps.config.current().publicUrl, database.name);
    const page = tenant.grants.allJobs
      ? await ordsPage(deps, req, res, database, urls, limit, offset)
      : await registryPage(deps, req, res, database, urls, tenant.id, limit, offset);
    res.setHeader('Cache-Control', 'no-store');
    res.json(collection(page.items, page.hasMore, limit, offset, urls));
  };
}

interface Page { items: PublicJob[]; hasMore: boolean }

async function registryPage(deps: RouteDeps, req: Request, res: Parameters<RequestHandler>[1], database: DatabaseConfig, urls: GatewayUrls, tenant: string, limit: number, offset: number): Promise<Page> {
  const page = await deps.jobs.listForTenant(tenant, database.name, { limit, offset });
  // One ORDS list read per page, even when every job is finished: items then look the same (with their
  // file links) whether or not ORDS still shows them, until ORDS drops them.
  const live = page.items.length > 0 ? await ordsJobsByKey(deps, req, res, database) : new Map<string, OrdsJob>();
  const seenAt = deps.now().toISOString();
  const items = await Promise.all(page.items.map(async (record: JobRecord) => {
    const current = live.get(`${record.ownerName},${record.jobName}`);
    if (!current) return historicalJob(record, urls);
    if (current.state !== record.lastState) await deps.jobs.updateState(database.name, record.ownerName, record.jobName, current.state, seenAt);
    return toPublicJob(current, urls);
  }));
  return { items, hasMore: offset + items.length < page.total };
}

/** ORDS's list of every job it shows, by `OWNER,JOB`, read once per request. */
async function ordsJobsByKey(deps: RouteDeps, req: Request, res: Parameters<RequestHandler>[1], database: DatabaseConfig): Promise<Map<string, OrdsJob>> {
  const byKey = new Map<string, OrdsJob>();
  const signal = abortOnClose(res);
  for (let pageNo = 0; pageNo < ORDS_MAX_PAGES; pageNo++) {
    const page = await fetchOrdsPage(deps, req, database, ORDS_PAGE, pageNo * ORDS_PAGE, signal);
    for (const job of page.items) byKey.set(`${job.owner_name},${job.job_name}`, job);
    if (!page.hasMore) break;
  }
  return byKey;
}

/** How much history the all-jobs view merges in: the newest records of the database. */
const HISTORY_LIMIT = 10_000;

/**
 * The all-jobs view: ORDS's own list of every owner's jobs, merged with the registry's history of jobs
 * ORDS no longer shows, ordered newest first (registry time, else the time in ORDS's job name), then by
 * name and owner, so that pages neither skip nor repeat.
 */
async function ordsPage(deps: RouteDeps, req: Request, res: Parameters<RequestHandler>[1], database: DatabaseConfig, urls: GatewayUrls, limit: number, offset: number): Promise<Page> {
  const [live, history] = await Promise.all([ordsJobsByKey(deps, req, res, database), deps.jobs.listForDatabase(database.name, HISTORY_LIMIT)]);
  const recorded = new Map(history.map((r) => [`${r.ownerName},${r.jobName}`, r]));
  type Row = { time: string; name: string; owner: string; job: PublicJob };
  const rows: Row[] = [];
  for (const [key, job] of live) {
    const time = recorded.get(key)?.createdAt ?? nameTime(job.job_name);
    rows.push({ time, name: job.job_name, owner: job.owner_name, job: toPublicJob(job, urls) });
  }
  for (const [key, record] of recorded) {
    if (!live.has(key)) rows.push({ time: record.createdAt, name: record.jobName, owner: record.ownerName, job: historicalJob(record, urls) });
  }
  rows.sort((a, b) => (a.time !== b.time ? (a.time < b.time ? 1 : -1) : a.name !== b.name ? (a.name < b.name ? -1 : 1) : a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
  return { items: rows.slice(offset, offset + limit).map((r) => r.job), hasMore: offset + limit < rows.length };
}

/** The time in an ORDS job name (`…_YYYYMMDDHH24MISS[_n]`) as ISO 8601, or '' (sorts last) for other names. */
function nameTime(name: string): string {
  const m = /_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:_\d+)?$/.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : '';
}

async function fetchOrdsPage(deps: RouteDeps, req: Request, database: DatabaseConfig, limit: number, offset: number, signal: AbortSignal) {
  const path = deps.upstreams.client(database).paths.jobs;
  const answer = await deps.upstreams.json(database, { method: 'GET', path, kind: 'read', query: { limit, offset }, ...callMeta(req), signal });
  if (answer.status !== 200) throw ordsFailure(answer, deps.ordsContract, { notFound: 'database-not-found', path });
  if (!deps.ordsContract.isJobCollection(answer.body)) throw invalidAnswer(deps.ordsContract, path);
  return answer.body;
}

function collection(items: PublicJob[], hasMore: boolean, limit: number, offset: number, urls: GatewayUrls): JobCollection {
  const at = (o: number) => `${urls.jobs}?limit=${limit}&offset=${o}`;
  const links: JobCollection['links'] = [{ rel: 'self', href: at(offset) }, { rel: 'first', href: at(0) }];
  if (offset > 0) links.push({ rel: 'prev', href: at(Math.max(0, offset - limit)) });
  if (hasMore) links.push({ rel: 'next', href: at(offset + limit) });
  return { items, hasMore, limit, offset, count: items.length, links };
}

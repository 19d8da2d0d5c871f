/** @module GET …/datapump/jobs/: the caller's own jobs (from the registry the job watcher keeps), paged; or every job. */
import type { Response } from 'express';

import type { components } from '../../../generated/public.js';
import { type GatewayUrls, type PublicJob, recordedJob, toPublicJob } from '../jobs/public-job.js';
import type { JobRoute } from '../middleware/database-scope.js';
import type { JobScope } from '../middleware/request-context.js';
import type { JobRecord } from '../store/types.js';
import { jobNameTime } from '../upstream/job-names.js';
import type { OrdsJob } from '../upstream/ords-contract.js';
import { jobKey } from '../upstream/ords-port.js';
import { abortOnClose, callMeta, type RouteDeps } from './context.js';

type JobCollection = components['schemas']['JobCollection'];

export function listJobs(deps: RouteDeps): JobRoute {
  return async function listJobsHandler(scope, req, res) {
    const { tenant } = scope;
    // The validator has coerced and defaulted both.
    const limit = Number(req.query.limit);
    const offset = Number(req.query.offset);
    const { urls } = scope; // in the path shape the request used
    const page = tenant.grants.allJobs
      ? await ordsPage(deps, scope, res, urls, limit, offset)
      : await registryPage(deps, scope, urls, limit, offset);
    res.setHeader('Cache-Control', 'no-store');
    res.json(collection(page.items, page.hasMore, limit, offset, urls));
  };
}

interface Page {
  items: PublicJob[];
  hasMore: boolean;
}

/**
 * A tenant's page, from the registry alone: the job watcher keeps each job's state, outcome and files there, so a
 * page costs no ORDS call, whatever the size of the database's job list, and reads the same on every replica.
 */
async function registryPage(
  deps: RouteDeps,
  scope: JobScope,
  urls: GatewayUrls,
  limit: number,
  offset: number,
): Promise<Page> {
  const { database, tenant } = scope;
  const page = await deps.registry.listForTenant(tenant.id, database.name, { limit, offset });
  const items = page.items.map((record: JobRecord) => recordedJob(record, urls));
  return { items, hasMore: offset + items.length < page.total };
}

/** ORDS's list of every job it shows, read once per request, abandoned if the client goes away. */
function ordsJobsByKey(deps: RouteDeps, scope: JobScope, res: Response): Promise<Map<string, OrdsJob>> {
  return deps.ords.listJobs(scope.database, { ...callMeta(scope), signal: abortOnClose(res) });
}

/** How much history the all-jobs view merges in: the newest records of the database. */
const HISTORY_LIMIT = 10_000;

/**
 * The all-jobs view: ORDS's own list of every owner's jobs, merged with the registry's history of jobs
 * ORDS no longer shows, ordered newest first (registry time, else the time in ORDS's job name), then by
 * name and owner, so that pages neither skip nor repeat.
 */
async function ordsPage(
  deps: RouteDeps,
  scope: JobScope,
  res: Response,
  urls: GatewayUrls,
  limit: number,
  offset: number,
): Promise<Page> {
  const [live, history] = await Promise.all([
    ordsJobsByKey(deps, scope, res),
    deps.registry.listForDatabase(scope.database.name, HISTORY_LIMIT),
  ]);
  const recorded = new Map(history.map((r) => [jobKey(r.ownerName, r.jobName), r]));
  type Row = { time: string; name: string; owner: string; job: PublicJob };
  const rows: Row[] = [];
  for (const [key, job] of live) {
    const record = recorded.get(key);
    const time = record?.createdAt ?? nameTime(job.job_name, scope.database.timeZone);
    rows.push({
      time,
      name: job.job_name,
      owner: job.owner_name,
      job: toPublicJob(job, urls, record, scope.database.timeZone),
    });
  }
  for (const [key, record] of recorded) {
    if (!live.has(key))
      rows.push({
        time: record.createdAt,
        name: record.jobName,
        owner: record.ownerName,
        job: recordedJob(record, urls),
      });
  }
  rows.sort((a, b) =>
    a.time !== b.time
      ? a.time < b.time
        ? 1
        : -1
      : a.name !== b.name
        ? a.name < b.name
          ? -1
          : 1
        : a.owner < b.owner
          ? -1
          : a.owner > b.owner
            ? 1
            : 0,
  );
  return { items: rows.slice(offset, offset + limit).map((r) => r.job), hasMore: offset + limit < rows.length };
}

/** The time in an ORDS job name as ISO 8601, or '' (sorts last) for names without one. */
function nameTime(name: string, timeZone: string): string {
  const time = jobNameTime(name, timeZone);
  return time === undefined ? '' : new Date(time).toISOString();
}

function collection(
  items: PublicJob[],
  hasMore: boolean,
  limit: number,
  offset: number,
  urls: GatewayUrls,
): JobCollection {
  const at = (o: number) => `${urls.jobs}?limit=${limit}&offset=${o}`;
  const links: JobCollection['links'] = [
    { rel: 'self', href: at(offset) },
    { rel: 'first', href: at(0) },
  ];
  if (offset > 0) links.push({ rel: 'prev', href: at(Math.max(0, offset - limit)) });
  if (hasMore) links.push({ rel: 'next', href: at(offset + limit) });
  return { items, hasMore, limit, offset, count: items.length, links };
}

/** @module Projects ORDS's job onto the public contract: only declared fields, and links rewritten to the gateway. */
import type { components } from '../../../generated/public.js';
import type { JobRecord } from '../store/types.js';
import type { OrdsJob } from '../upstream/ords-contract.js';
import { parseOrdsJobUrl } from '../upstream/ords-paths.js';
import { endOf, publicOutcome, RUNNING } from './outcome.js';

export type PublicJob = components['schemas']['Job'];
type JobLink = components['schemas']['JobLink'];

export interface GatewayUrls {
  /** `…/datapump/`, in the path shape the request used: the gateway's own or ORDS's. */
  readonly base: string;
  readonly jobs: string;
  job(owner: string, job: string): string;
  file(owner: string, job: string, filename: string): string;
}

/**
 * One path segment, percent-encoded (RFC 3986): a job name with spaces, which Data Pump allows, is written
 * `SYS%20EXPORT%20SCHEMA%2001` in `Location`, `Content-Location` and every link, and Express decodes it back for the
 * route, so the URL round-trips. Neither name may hold the comma between them (the public `JobName`/`OwnerName`).
 */
const seg = (s: string) => encodeURIComponent(s);

/** The gateway's own path shape: `{public_url}/databases/{database}/datapump/…`. */
export function gatewayUrls(publicUrl: string, database: string): GatewayUrls {
  return urlsAt(`${publicUrl}/databases/${seg(database)}/datapump/`);
}

/**
 * ORDS's path shape, as a script written against ORDS calls it: `{public_url}/ords/{alias}/_/db-api/{version}/
 * database/datapump/…`, with the alias (`database/schema`, already URL-safe) and the version segment it used.
 */
export function ordsShapedUrls(publicUrl: string, alias: string, apiVersion: string): GatewayUrls {
  return urlsAt(`${publicUrl}/ords/${alias}/_/db-api/${apiVersion}/database/datapump/`);
}

function urlsAt(base: string): GatewayUrls {
  const jobs = `${base}jobs/`;
  return {
    base,
    jobs,
    job: (owner, job) => `${jobs}${seg(owner)},${seg(job)}/`,
    file: (owner, job, filename) => `${jobs}${seg(owner)},${seg(job)}/${seg(filename)}`,
  };
}

/**
 * The log is the `.log` file; Oracle's links carry no media type, so the name tells. ORDS's own `mediaType` on a link
 * (a dump's may read `application/vnd.tcpdump.pcap`, Oracle's type for dumps) is not read: a dump is always
 * `application/octet-stream` in the public contract.
 */
export function fileMediaType(filename: string): 'text/plain' | 'application/octet-stream' {
  return /\.log$/i.test(filename) ? 'text/plain' : 'application/octet-stream';
}

/** Rewrites ORDS links to gateway URLs; links the public contract does not describe are dropped. */
export function rewriteLinks(links: OrdsJob['links'], urls: GatewayUrls, owner: string, job: string): JobLink[] {
  const out: JobLink[] = [];
  for (const link of links ?? []) {
    const ref = parseOrdsJobUrl(link.href);
    if (!ref) continue;
    if (ref.kind === 'collection' && link.rel === 'collection') out.push({ rel: 'collection', href: urls.jobs });
    else if (ref.kind === 'job' && link.rel === 'self' && ref.owner === owner && ref.job === job)
      out.push({ rel: 'self', href: urls.job(owner, job) });
    // A file link must belong to this very job: never hand out a link into someone else's job.
    else if (ref.kind === 'file' && ref.owner === owner && ref.job === job) {
      out.push({ rel: 'related', href: urls.file(owner, job, ref.filename), mediaType: fileMediaType(ref.filename) });
    }
  }
  return out;
}

/** The files ORDS lists for the job (its `related` links into this very job), by name, the log included. */
export function jobFileNames(job: OrdsJob): string[] {
  const names: string[] = [];
  for (const link of job.links ?? []) {
    const ref = parseOrdsJobUrl(link.href);
    if (ref?.kind === 'file' && ref.owner === job.owner_name && ref.job === job.job_name) names.push(ref.filename);
  }
  return names;
}

const count = (n: unknown) => (typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined);

/**
 * ORDS's job as the public contract shows it, with its outcome: the registry's record of how it ended when the
 * job watcher saw it end; else what ORDS's state and the log tail kept so far say (running, or ended).
 */
export function toPublicJob(job: OrdsJob, urls: GatewayUrls, record?: JobRecord, timeZone = 'UTC'): PublicJob {
  const ended = record?.outcome
    ? { state: record.lastState, outcome: record.outcome }
    : endOf({ ordsState: job.state, logTail: record?.logTail ?? null, timeZone });
  const out: PublicJob = {
    job_name: job.job_name,
    owner_name: job.owner_name,
    operation: job.operation.trim(),
    job_mode: job.job_mode.trim(),
    state: ended && record?.outcome ? ended.state : job.state.trim(),
    links: rewriteLinks(job.links, urls, job.owner_name, job.job_name),
    outcome: publicOutcome(ended?.outcome ?? RUNNING),
  };
  const degree = count(job.degree);
  const attached = count(job.attached_sessions);
  const sessions = count(job.datapump_sessions);
  if (degree !== undefined) out.degree = degree;
  if (attached !== undefined) out.attached_sessions = attached;
  if (sessions !== undefined) out.datapump_sessions = sessions;
  return out;
}

/**
 * A job as the registry knows it (the tenant's list, and a job ORDS no longer shows): its last known or final
 * state, its outcome, and links to the files it listed (a vanished job's log stays readable through the gateway).
 */
export function recordedJob(record: JobRecord, urls: GatewayUrls): PublicJob {
  const files = (record.files ?? []).map((file): JobLink => ({
    rel: 'related',
    href: urls.file(record.ownerName, record.jobName, file),
    mediaType: fileMediaType(file),
  }));
  return {
    job_name: record.jobName,
    owner_name: record.ownerName,
    operation: record.operation,
    job_mode: record.jobMode,
    state: record.lastState,
    links: [
      { rel: 'collection', href: urls.jobs },
      ...files,
      { rel: 'self', href: urls.job(record.ownerName, record.jobName) },
    ],
    outcome: publicOutcome(record.outcome ?? RUNNING),
  };
}

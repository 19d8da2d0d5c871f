/** @module Projects ORDS's job onto the public contract: only declared fields, and links rewritten to the gateway. */
import type { components } from '../../../generated/public.js';
import type { JobRecord } from '../store/types.js';
import type { OrdsJob } from '../upstream/ords-contract.js';
import { parseOrdsJobUrl } from '../upstream/ords-paths.js';

export type PublicJob = components['schemas']['Job'];
type JobLink = components['schemas']['JobLink'];

export interface GatewayUrls {
  readonly jobs: string;
  job(owner: string, job: string): string;
  file(owner: string, job: string, filename: string): string;
}

const seg = (s: string) => encodeURIComponent(s);

export function gatewayUrls(publicUrl: string, database: string): GatewayUrls {
  const jobs = `${publicUrl}/databases/${seg(database)}/datapump/jobs/`;
  return {
    jobs,
    job: (owner, job) => `${jobs}${seg(owner)},${seg(job)}/`,
    file: (owner, job, filename) => `${jobs}${seg(owner)},${seg(job)}/${seg(filename)}`,
  };
}

/** The log is the `.log` file; Oracle's links carry no media type, so the name tells. */
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

export function toPublicJob(job: OrdsJob, urls: GatewayUrls): PublicJob {
  const out: PublicJob = {
    job_name: job.job_name,
    owner_name: job.owner_name,
    operation: job.operation,
    job_mode: job.job_mode,
    state: job.state,
    links: rewriteLinks(job.links, urls, job.owner_name, job.job_name),
  };
  const degree = count(job.degree);
  const attached = count(job.attached_sessions);
  const sessions = count(job.datapump_sessions);
  if (degree !== undefined) out.degree = degree;
  if (attached !== undefined) out.attached_sessions = attached;
  if (sessions !== undefined) out.datapump_sessions = sessions;
  return out;
}

/** A job ORDS no longer shows (its control table is gone), described from the registry's history. */
export function historicalJob(record: JobRecord, urls: GatewayUrls): PublicJob {
  return {
    job_name: record.jobName,
    owner_name: record.ownerName,
    operation: record.operation,
    job_mode: record.jobMode,
    state: record.lastState,
    links: [
      { rel: 'collection', href: urls.jobs },
      { rel: 'self', href: urls.job(record.ownerName, record.jobName) },
    ],
  };
}

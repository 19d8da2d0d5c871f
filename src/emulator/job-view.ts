// Renders a job as ORDS does (DataPumpJobsItem + links) and derives its ETag.
import { createHash } from 'node:crypto';

import type { components } from '../../generated/ords.js';
import { type JobRecord, jobStatus } from './job-state.js';
import type { ApiUrls } from './urls.js';

export type OrdsJob = components['schemas']['OrdsJob'];
export type Link = components['schemas']['Link'];

/**
 * The files a job can serve right now: its log always (if it has one), an export's dump file once it has
 * completed (successfully or with errors, whatever state its lifecycle shows), an added job's files as given.
 */
export function servedFiles(job: JobRecord, now: number): string[] {
  const log = job.logFile === null ? [] : [job.logFile];
  if (job.added) return [...log, ...job.dumpFiles];
  const written = job.outcome !== 'failure' && jobStatus(job, now).finished;
  return written ? [...log, ...job.dumpFiles] : log;
}

/**
 * The job in Oracle's member order. `detail` adds the links of a single-job answer (collection,
 * describedby, related files, self: alphabetical, as in Oracle's example); list items carry only `self`.
 * Links have only `rel` and `href`, like Oracle's example.
 */
export function jobBody(job: JobRecord, now: number, urls: ApiUrls, detail: boolean): OrdsJob {
  const status = jobStatus(job, now);
  const self: Link = { rel: 'self', href: urls.job(job.owner, job.name) };
  const links: Link[] = detail
    ? [
        { rel: 'collection', href: urls.jobs },
        { rel: 'describedby', href: urls.metadata },
        ...servedFiles(job, now).map((file): Link => ({ rel: 'related', href: urls.file(job.owner, job.name, file) })),
        self,
      ]
    : [self];
  if (job.added) return { job_name: job.name, owner_name: job.owner, ...job.added.row, links };
  return {
    job_name: job.name,
    owner_name: job.owner,
    operation: job.params.operation,
    job_mode: job.params.jobMode,
    state: status.state,
    degree: job.params.threads,
    attached_sessions: 0,
    // A running job has a control process and one worker; a finished one has none.
    datapump_sessions: status.finished ? 0 : 2,
    job_state: status.state,
    links,
  };
}

/** A strong ETag: base64 SHA-512 of the JSON, the length of the one in Oracle's example. */
export function etagOf(json: string): string {
  return `"${createHash('sha512').update(json).digest('base64')}"`;
}

/** RFC 9110 `If-None-Match`: `*` or a list of (possibly weak) tags, compared weakly. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

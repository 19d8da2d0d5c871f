/**
 * @module The one typed port to ORDS: each Data Pump operation the gateway uses, returning checked results.
 * Status → problem → shape-check happens here once, so no route repeats it; transport failures arrive
 * already classified (transport.ts). Built on the registry (clients, breaker, retries, bulkhead).
 */
import type { Readable } from 'node:stream';

import type { DatabaseConfig } from '../config/types.js';
import type { ProblemSlug } from '../problems/catalogue.js';
import { GatewayError } from '../problems/gateway-error.js';
import { invalidAnswer, ordsFailure } from './ords-answers.js';
import { InvalidJson, type OrdsJsonAnswer } from './ords-client.js';
import type { OrdsContract, OrdsJob } from './ords-contract.js';
import { parseOrdsJobUrl } from './ords-paths.js';
import type { UpstreamRegistry } from './registry.js';
import { transportOf } from './transport.js';

/** Fields every ORDS call carries: the correlation id, the trace context, and (reads) the client's abort. */
export interface CallMeta {
  readonly requestId: string;
  readonly traceparent?: string;
  readonly signal?: AbortSignal;
}

export type JobResult =
  | { readonly kind: 'job'; readonly job: OrdsJob; readonly etag: string | undefined }
  | { readonly kind: 'not-modified'; readonly etag: string | undefined }
  /** ORDS does not (or no longer) show the job: Data Pump drops a job's control table when it succeeds. */
  | { readonly kind: 'gone' };

export type CreateResult =
  | { readonly kind: 'created'; readonly job: OrdsJob; readonly etag: string | undefined }
  /** ORDS cannot have started a job (nothing was sent, or it refused): the key may be freed. */
  | { readonly kind: 'refused'; readonly error: GatewayError }
  /** The request may have reached ORDS and no usable answer came back: the job may exist. */
  | { readonly kind: 'in-doubt'; readonly error: GatewayError };

export interface OpenedFile {
  readonly body: Readable;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface OrdsPort {
  getJob(
    database: DatabaseConfig,
    owner: string,
    job: string,
    meta: CallMeta & { readonly ifNoneMatch?: string },
  ): Promise<JobResult>;
  /** Never throws for what ORDS does: every failure is a `refused` or `in-doubt` result. */
  create(
    database: DatabaseConfig,
    body: Record<string, unknown>,
    operation: 'EXPORT' | 'IMPORT',
    meta: CallMeta,
  ): Promise<CreateResult>;
  /** Every job ORDS shows for the database, by `OWNER,JOB`. */
  listJobs(database: DatabaseConfig, meta: CallMeta): Promise<Map<string, OrdsJob>>;
  /**
   * The names of the job's own files, as ORDS lists them now (its links into this very job's files);
   * `undefined` when ORDS no longer shows the job (`gone`).
   */
  jobFiles(
    database: DatabaseConfig,
    owner: string,
    job: string,
    meta: CallMeta,
  ): Promise<ReadonlySet<string> | undefined>;
  /**
   * A job's file, streaming. Only a name among the job's own files (`jobFiles`) is asked for: any other name,
   * or any name of a job ORDS no longer shows, is `file-not-found` without ORDS's file endpoint being called
   * (defence in depth: Oracle does not document that ORDS refuses a name that is not the job's). A 404 from the
   * file endpoint is `file-not-found` too.
   */
  openFile(database: DatabaseConfig, owner: string, job: string, filename: string, meta: CallMeta): Promise<OpenedFile>;
}

export interface OrdsPortDeps {
  readonly upstreams: UpstreamRegistry;
  readonly ordsContract: OrdsContract;
}

/** ORDS pages its list; this many pages of this size bound one read (DBA_DATAPUMP_JOBS is rarely long). */
const ORDS_PAGE = 500;
const ORDS_MAX_PAGES = 20;

export const jobKey = (owner: string, name: string) => `${owner},${name}`;

const etagOf = (answer: Pick<OrdsJsonAnswer, 'headers'>) =>
  typeof answer.headers.etag === 'string' ? answer.headers.etag : undefined;

/** The file names among a job's links that point into this very job (as public-job.ts `rewriteLinks` keeps them). */
function ownFileNames(job: Pick<OrdsJob, 'links'>, owner: string, name: string): Set<string> {
  const names = new Set<string>();
  for (const link of job.links ?? []) {
    const ref = parseOrdsJobUrl(link.href);
    if (ref?.kind === 'file' && ref.owner === owner && ref.job === name) names.add(ref.filename);
  }
  return names;
}

export function createOrdsPort({ upstreams, ordsContract }: OrdsPortDeps): OrdsPort {
  const fail = (
    answer: OrdsJsonAnswer,
    notFound: Extract<ProblemSlug, 'job-not-found' | 'file-not-found' | 'database-not-found'>,
    path: string,
  ) => ordsFailure(answer, ordsContract, { notFound, path });

  const port: OrdsPort = {
    async getJob(database, owner, name, { ifNoneMatch, ...meta }) {
      const path = upstreams.client(database).paths.job(owner, name);
      const answer = await upstreams.json(database, {
        method: 'GET',
        path,
        kind: 'read',
        ...meta,
        ...(ifNoneMatch ? { ifNoneMatch } : {}),
      });
      if (answer.status === 304) return { kind: 'not-modified', etag: etagOf(answer) };
      if (answer.status === 404) return { kind: 'gone' };
      if (answer.status !== 200) throw fail(answer, 'job-not-found', path);
      const checked = ordsContract.job(answer.body);
      if (!checked.ok) throw invalidAnswer(path, answer.body === InvalidJson ? ['not JSON'] : checked.errors);
      if (checked.value.owner_name !== owner || checked.value.job_name !== name) {
        throw invalidAnswer(path, ['ORDS answered with another job than the one asked for']);
      }
      return { kind: 'job', job: checked.value, etag: etagOf(answer) };
    },

    async create(database, body, operation, meta) {
      const path = upstreams.client(database).paths.create(operation);
      let answer: OrdsJsonAnswer;
      try {
        // No abort signal: once sent, a create runs to its answer so the job is recorded, whatever the client does.
        answer = await upstreams.json(database, {
          method: 'POST',
          path,
          kind: 'create',
          body,
          ...meta,
          signal: undefined,
        });
      } catch (err) {
        const error = err as GatewayError;
        // Only a failure that certainly sent nothing (refused, open breaker, full bulkhead) frees the key.
        return transportOf(err)?.sent === false ? { kind: 'refused', error } : { kind: 'in-doubt', error };
      }
      if (answer.status < 200 || answer.status > 299) {
        const error = fail(answer, 'database-not-found', path);
        // 4xx, redirects and 503 mean ORDS did not start a job; another 5xx might have.
        const definite = answer.status < 500 || answer.status === 503;
        return definite ? { kind: 'refused', error } : { kind: 'in-doubt', error };
      }
      // A 2xx whose body is unusable: the job most likely exists.
      const checked = ordsContract.job(answer.body);
      if (!checked.ok) {
        return {
          kind: 'in-doubt',
          error: invalidAnswer(path, answer.body === InvalidJson ? ['not JSON'] : checked.errors),
        };
      }
      return { kind: 'created', job: checked.value, etag: etagOf(answer) };
    },

    async listJobs(database, meta) {
      const byKey = new Map<string, OrdsJob>();
      const path = upstreams.client(database).paths.jobs;
      for (let page = 0; page < ORDS_MAX_PAGES; page++) {
        const answer = await upstreams.json(database, {
          method: 'GET',
          path,
          kind: 'read',
          query: { limit: ORDS_PAGE, offset: page * ORDS_PAGE },
          ...meta,
        });
        if (answer.status !== 200) throw fail(answer, 'database-not-found', path);
        const checked = ordsContract.jobCollection(answer.body);
        if (!checked.ok) throw invalidAnswer(path, answer.body === InvalidJson ? ['not JSON'] : checked.errors);
        for (const job of checked.value.items) byKey.set(jobKey(job.owner_name, job.job_name), job);
        if (!checked.value.hasMore) break;
      }
      return byKey;
    },

    async jobFiles(database, owner, name, meta) {
      const read = await port.getJob(database, owner, name, meta);
      // No If-None-Match was sent, so ORDS cannot answer 304; were it to, nothing is known of the files.
      if (read.kind === 'not-modified')
        throw invalidAnswer(upstreams.client(database).paths.job(owner, name), ['304 unasked']);
      return read.kind === 'gone' ? undefined : ownFileNames(read.job, owner, name);
    },

    async openFile(database, owner, name, filename, meta) {
      const files = await port.jobFiles(database, owner, name, meta);
      if (!files?.has(filename)) {
        // The same answer whether the job is gone or the name is not one of its files.
        throw new GatewayError('file-not-found', {
          detail: 'The job has no such file.',
          logContext: { owner, job: name, filename, reason: files ? 'not-among-the-jobs-files' : 'job-gone' },
        });
      }
      const path = upstreams.client(database).paths.file(owner, name, filename);
      const answer = await upstreams.stream(database, { method: 'GET', path, kind: 'file', ...meta });
      if (answer.status !== 200) {
        const body = await readSmall(answer.body, database.maxResponseBytes);
        throw fail({ status: answer.status, headers: answer.headers, body }, 'file-not-found', path);
      }
      return { body: answer.body, headers: answer.headers };
    },
  };
  return port;
}

/** The (small) body of a failed file answer, parsed for ORDS's error code; read errors end the read quietly. */
async function readSmall(body: Readable, cap: number): Promise<unknown> {
  let text = '';
  try {
    for await (const chunk of body) {
      text += String(chunk);
      if (text.length > cap) {
        body.destroy();
        return InvalidJson;
      }
    }
  } catch {
    return InvalidJson;
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return InvalidJson;
  }
}

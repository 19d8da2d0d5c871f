/**
 * @module The one typed port to ORDS: each Data Pump operation the gateway uses, returning checked results.
 * Status → problem → shape-check happens here once, so no route repeats it; transport failures arrive
 * already classified (transport.ts). Built on the registry (clients, breaker, retries, bulkhead).
 */
import type { Readable } from 'node:stream';

import type { Logger } from 'pino';

import type { DatabaseConfig } from '../config/types.js';
import type { GatewayMetrics } from '../ops/metrics.js';
import type { ProblemSlug } from '../problems/catalogue.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { TraceContext } from '../tracing/tracing.js';
import { invalidAnswer, nothingStarted, ordsFailure } from './ords-answers.js';
import { InvalidJson, type OrdsJsonAnswer } from './ords-client.js';
import type { OrdsContract, OrdsJob } from './ords-contract.js';
import { parseOrdsJobUrl } from './ords-paths.js';
import type { UpstreamRegistry } from './registry.js';
import { transportOf } from './transport.js';

/** Fields every ORDS call carries: the correlation id, the trace context, and (reads) the client's abort. */
export interface CallMeta {
  readonly requestId: string;
  readonly traceparent?: string;
  /** The request's server span (tracing on): each ORDS attempt is a client span under it (registry.ts). */
  readonly trace?: TraceContext;
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
  /**
   * Never throws for what ORDS does: every failure is a `refused` or `in-doubt` result. `endpoint` is the create
   * endpoint chosen for this request (upstream/ords-versions.ts); default the database's `createEndpoint`.
   */
  create(
    database: DatabaseConfig,
    body: Record<string, unknown>,
    operation: 'EXPORT' | 'IMPORT',
    meta: CallMeta,
    endpoint?: 'jobs' | 'rpc',
  ): Promise<CreateResult>;
  /**
   * Every job ORDS shows for the database, by `OWNER,JOB`, read by following the list's `next` links. A row the
   * gateway cannot represent is skipped, logged and counted (`ordsRowsSkipped`); it never fails the list.
   */
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
  openFile(
    database: DatabaseConfig,
    owner: string,
    job: string,
    filename: string,
    meta: CallMeta,
    /** The files the registry recorded of the job: for a job ORDS no longer shows, one of them is still asked for. */
    options?: { readonly knownFiles?: ReadonlySet<string> },
  ): Promise<OpenedFile>;
}

export interface OrdsPortDeps {
  readonly upstreams: UpstreamRegistry;
  readonly ordsContract: OrdsContract;
  /** Where skipped list rows and cut-short list reads are reported (at warn). */
  readonly logger: Pick<Logger, 'warn'>;
  readonly metrics: Pick<GatewayMetrics, 'ordsRowsSkipped'>;
}

/**
 * ORDS pages its list; this many pages of this size bound one read (DBA_DATAPUMP_JOBS is rarely long). `limit` is
 * the one paging parameter Oracle documents for the list; the pages after the first are the answers' `next` links.
 */
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

/** The key of a raw list row, when it has one (to tell a page seen before); undefined for a row without. */
function rowKey(row: unknown): string | undefined {
  if (typeof row !== 'object' || row === null) return undefined;
  const { owner_name: owner, job_name: name } = row as Record<string, unknown>;
  return typeof owner === 'string' && typeof name === 'string' ? jobKey(owner, name) : undefined;
}

/**
 * The query of ORDS's `next` link, to be sent to the configured job list: only the query is taken from ORDS's
 * link, never its origin or path (ORDS may report another host than the one configured, and the gateway calls no
 * URL but its own configuration's). Undefined when the link is not to the job list at all.
 */
function nextPageQuery(href: string): Record<string, string> | undefined {
  if (parseOrdsJobUrl(href)?.kind !== 'collection') return undefined;
  return Object.fromEntries(new URL(href, 'http://ords.invalid').searchParams);
}

export function createOrdsPort({ upstreams, ordsContract, logger, metrics }: OrdsPortDeps): OrdsPort {
  const fail = (
    answer: OrdsJsonAnswer,
    notFound: Extract<ProblemSlug, 'job-not-found' | 'file-not-found' | 'database-not-found'>,
    path: string,
    method: 'GET' | 'POST' = 'GET',
  ) => ordsFailure(answer, ordsContract, { notFound, path, method });

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

    async create(database, body, operation, meta, endpoint) {
      const path = upstreams.client(database).paths.create(operation, endpoint);
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
        const error = fail(answer, 'database-not-found', path, 'POST');
        // 4xx, redirects, 503, 570 and 571 mean ORDS did not start a job; another 5xx might have.
        return nothingStarted(answer.status) ? { kind: 'refused', error } : { kind: 'in-doubt', error };
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
      // Oracle documents `limit` for the list, not `offset`: the next page is the one ORDS's `next` link names.
      let query: Record<string, string | number> = { limit: ORDS_PAGE };
      const firstRows = new Set<string>();
      const nextLinks = new Set<string>();
      let position = 0;
      const stop = (page: number, why: string) =>
        logger.warn({ database: database.name, page, jobs: byKey.size }, `ORDS's job list read stopped early: ${why}`);
      for (let page = 1; ; page++) {
        const answer = await upstreams.json(database, { method: 'GET', path, kind: 'read', query, ...meta });
        if (answer.status !== 200) throw fail(answer, 'database-not-found', path);
        const checked = ordsContract.jobPage(answer.body);
        if (!checked.ok) throw invalidAnswer(path, answer.body === InvalidJson ? ['not JSON'] : checked.errors);
        const { items, hasMore, links } = checked.value;
        // A page that starts as an earlier one did is that page again (an ignored paging parameter, a loop).
        const first = rowKey(items[0]);
        if (first !== undefined && firstRows.has(first)) {
          stop(page, 'a page repeated an earlier one');
          break;
        }
        if (first !== undefined) firstRows.add(first);
        items.forEach((row, index) => {
          const job = ordsContract.jobRow(row);
          if (job.ok) byKey.set(jobKey(job.value.owner_name, job.value.job_name), job.value);
          else {
            // The row's position and what is wrong with it; never the row or the body (names, ORDS's text).
            logger.warn(
              { database: database.name, page, index, position: position + index, violations: job.errors },
              "a row of ORDS's job list was skipped: the gateway cannot represent it",
            );
            metrics.ordsRowsSkipped.inc({ database: database.name });
          }
        });
        position += items.length;
        if (hasMore === false) break;
        const next = links.find((link) => link.rel === 'next')?.href;
        if (next === undefined) {
          if (hasMore === true) stop(page, 'hasMore without a next link');
          break;
        }
        const nextQuery = nextPageQuery(next);
        if (nextQuery === undefined) {
          stop(page, 'the next link is not to the job list');
          break;
        }
        if (nextLinks.has(next)) {
          stop(page, 'a next link repeated an earlier one');
          break;
        }
        if (page >= ORDS_MAX_PAGES) {
          stop(page, `more than ${ORDS_MAX_PAGES} pages`);
          break;
        }
        nextLinks.add(next);
        query = nextQuery;
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

    async openFile(database, owner, name, filename, meta, options = {}) {
      const listed = await port.jobFiles(database, owner, name, meta);
      // A vanished job's files may still be served (unconfirmed of ORDS): only those the registry saw it list.
      const files = listed ?? options.knownFiles;
      if (!files?.has(filename)) {
        // The same answer whether the job is gone or the name is not one of its files.
        throw new GatewayError('file-not-found', {
          detail: 'The job has no such file.',
          logContext: { owner, job: name, filename, reason: listed ? 'not-among-the-jobs-files' : 'job-gone' },
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

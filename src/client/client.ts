/** @module `createDatapumpClient`: the gateway's public contract as typed methods, on openapi-fetch. */
import createClient from 'openapi-fetch';

import type { paths } from '../../generated/public.js';
import {
  DatapumpError,
  DatapumpJobFailedError,
  DatapumpNetworkError,
  DatapumpProblemError,
  DatapumpWaitTimeoutError,
} from './errors.js';
import { fileNameOf, inList, isSuccessful, logLink, outcomeOf, parseJobRef, withOutcome } from './jobs.js';
import { abortReason, backoffMs, isAbortError, parseRetryAfter, sleep } from './timing.js';
import type {
  ExportJobRequest,
  ImportJobRequest,
  Job,
  JobCollection,
  JobMode,
  JobOutcome,
  JobRef,
  JobRequest,
  Problem,
} from './types.js';

/** What the client may use to send a request: `globalThis.fetch` or anything that behaves like it. */
export type FetchLike = (input: Request) => Promise<Response>;

interface CommonOptions {
  /** The gateway's base URL, for example `https://datapump.example.com` (no `/databases/…`). */
  readonly baseUrl: string;
  /** The database every call of this client addresses (`orcl`). */
  readonly database: string;
  /** Used instead of `globalThis.fetch` for every request (tests, proxies, instrumentation). */
  readonly fetch?: FetchLike;
  /** How a create is retried; see `RetryOptions`. */
  readonly retry?: RetryOptions;
}

/** The tenant's credential: an API key (`X-API-Key`), or a bearer token (an API key or a JWT). */
export type DatapumpClientOptions = CommonOptions &
  ({ readonly apiKey: string; readonly token?: never } | { readonly token: string; readonly apiKey?: never });

export interface RetryOptions {
  /** How many times a create is sent at most, the first included. Default 4. */
  readonly attempts?: number;
  /** The first backoff step when the gateway sent no `Retry-After`; it doubles each time. Default 500 ms. */
  readonly baseDelayMs?: number;
  /** The longest the client waits between two attempts; a longer `Retry-After` ends the retries. Default 30 s. */
  readonly maxDelayMs?: number;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface CreateOptions extends CallOptions {
  /**
   * The `Idempotency-Key` of this creation (sent as the draft's quoted string). Default: a new
   * `crypto.randomUUID()` per call, reused by every retry of that call.
   */
  readonly idempotencyKey?: string;
}

export interface ExportOptions extends CreateOptions {
  /** Table names: the job becomes a `TABLE` mode export with `name_expressions: IN (…)`. */
  readonly tables?: readonly string[];
  /** The job mode; `TABLE` when `tables` are given, else the gateway's default (`SCHEMA`). */
  readonly mode?: JobMode;
  readonly fileName?: string;
  readonly threads?: number;
}

export interface ImportOptions extends CreateOptions {
  /** `{ HR: 'BLAKE' }` imports HR's objects into BLAKE. */
  readonly remap?: Readonly<Record<string, string>>;
  readonly mode?: JobMode;
  /** Import only these schemas of the dump (`schema_expressions: IN (…)`). */
  readonly schemas?: readonly string[];
  readonly threads?: number;
}

export interface ListOptions extends CallOptions {
  /** Page size, 1–500 (the gateway's default is 25). */
  readonly limit?: number;
  readonly offset?: number;
}

export interface WaitProgress {
  /** The job as last read (unchanged after a `304`). */
  readonly job: Job;
  readonly state: string;
  /** How the job ended, or `result: 'running'` (see `outcomeOf`; filled in when an older gateway sent none). */
  readonly outcome: JobOutcome;
  /** Since `waitForJob` was called. */
  readonly elapsedMs: number;
  /** False when the gateway answered `304 Not Modified`. */
  readonly changed: boolean;
  /** The last non-empty line of the job's log, when `progressLog` is on and the log could be read. */
  readonly lastLogLine?: string;
}

export interface WaitOptions extends CallOptions {
  /** Give up (rejecting with `DatapumpWaitTimeoutError`) after this long. Default: never. */
  readonly timeoutMs?: number;
  /** Called after every answer (a long-poll's too). */
  readonly onProgress?: (progress: WaitProgress) => void;
  /**
   * Long-poll: each poll with `If-None-Match` asks the gateway to hold its answer up to this many seconds for
   * the job to change (`Prefer: wait=N`), and a gateway that does (`Preference-Applied`) is polled again at once.
   * A whole number, 0 to 60; 0 never asks. Never more than what is left of `timeoutMs`. Default 30.
   */
  readonly longPollSeconds?: number;
  /**
   * The first pause between polls, when the gateway does not long-poll; it grows by half while nothing changes.
   * Default 1000 ms.
   */
  readonly pollIntervalMs?: number;
  /** The longest pause between polls. Default 10 s. */
  readonly maxPollIntervalMs?: number;
  /** Also read the log on every poll, to give `onProgress` its last line. Default false. */
  readonly progressLog?: boolean;
  /** How many log lines a failure carries. Default 20. */
  readonly logTailLines?: number;
}

export interface DatapumpClient {
  readonly baseUrl: string;
  readonly database: string;
  /** `POST …/jobs/`, with an `Idempotency-Key`, retried on network errors, `503`, `504` and `409` in flight. */
  createJob(body: JobRequest, options?: CreateOptions): Promise<Job>;
  /** An EXPORT of these schemas (`schema_expressions: IN ('A','B')`), of some of their tables with `tables`. */
  exportSchemas(schemas: readonly string[], options?: ExportOptions): Promise<Job>;
  /** An IMPORT of a dump file, remapping schemas with `remap`. */
  importDump(fileName: string, options?: ImportOptions): Promise<Job>;
  getJob(job: JobRef, options?: CallOptions): Promise<Job>;
  /** One page of the caller's jobs, newest first. */
  listJobs(options?: ListOptions): Promise<JobCollection>;
  /** Every page of the caller's jobs, in order (`limit` is the page size, default 100). */
  jobPages(options?: ListOptions): AsyncGenerator<JobCollection, void, undefined>;
  /** Every one of the caller's jobs, newest first, across pages. */
  allJobs(options?: ListOptions): AsyncGenerator<Job, void, undefined>;
  /** The job's log as text (the job is read first when only a reference is given). */
  readLog(job: JobRef | Job, options?: CallOptions): Promise<string>;
  /** The job's log as a byte stream, for logs too large to hold. */
  logStream(job: JobRef | Job, options?: CallOptions): Promise<ReadableStream<Uint8Array>>;
  /** The last `lines` non-empty lines of the job's log, read as a stream (only those are kept). */
  logTail(job: JobRef | Job, lines?: number, options?: CallOptions): Promise<string[]>;
  /**
   * Polls until the job has ended (`outcome.result` is no longer `running`): resolves with it when it
   * `succeeded` or `succeeded_with_errors` (`outcome.errors` counts them), whatever its state; rejects with
   * `DatapumpJobFailedError` when it `failed`, was `stopped`, or its outcome is `unknown`. The job it resolves
   * with always has an `outcome` (from the state, for an older gateway that sent none).
   */
  waitForJob(job: JobRef | Job, options?: WaitOptions): Promise<Job>;
}

const JOBS = '/databases/{database}/datapump/jobs/' as const;
const JOB = '/databases/{database}/datapump/jobs/{owner_name},{job_name}/' as const;
const FILE = '/databases/{database}/datapump/jobs/{owner_name},{job_name}/{filename}' as const;

/** The characters of a quoted Idempotency-Key (an sf-string without `"` and `\`), as the contract allows. */
const KEY_CHARS = /^[ !#-[\]-~]{1,255}$/;

export function createDatapumpClient(options: DatapumpClientOptions): DatapumpClient {
  const { database } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl)) throw new TypeError(`baseUrl must be an http(s) URL, not "${options.baseUrl}"`);
  const credential: Record<string, string> =
    options.apiKey !== undefined ? { 'X-API-Key': options.apiKey } : { Authorization: `Bearer ${options.token}` };
  if (!(options.apiKey ?? options.token)) throw new TypeError('an apiKey or a token is required');
  const retry = { attempts: 4, baseDelayMs: 500, maxDelayMs: 30_000, ...options.retry };

  const api = createClient<paths>({
    baseUrl,
    headers: credential,
    // The gateway never redirects; following one would send the credential somewhere else.
    redirect: 'error',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  /** Runs one openapi-fetch call; fetch's own failure (a `TypeError`) becomes `DatapumpNetworkError`; aborts stay as they are. */
  async function send<T>(url: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof TypeError && !isAbortError(error)) throw new DatapumpNetworkError(url, error);
      throw error;
    }
  }

  const jobPath = (job: JobRef) => {
    const { owner, name } = parseJobRef(job);
    return { database, owner_name: owner, job_name: name };
  };

  async function createJob(body: JobRequest, { idempotencyKey, signal }: CreateOptions = {}): Promise<Job> {
    // Web Crypto, not node:crypto: the client also runs in a browser bundle (Node 20 has it as a global).
    const key = idempotencyKey ?? globalThis.crypto.randomUUID();
    if (!KEY_CHARS.test(key))
      throw new TypeError('idempotencyKey must be 1-255 printable ASCII characters without " or \\');
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= retry.attempts;
      let delayMs: number;
      try {
        const { data, error, response } = await send(baseUrl, () =>
          api.POST(JOBS, {
            params: { path: { database }, header: { 'Idempotency-Key': `"${key}"` } },
            body,
            signal,
          }),
        );
        if (data !== undefined) return data;
        const problem = problemError(error, response);
        if (last || !retryableCreate(problem)) throw problem;
        delayMs =
          problem.retryAfter !== undefined
            ? problem.retryAfter * 1000
            : backoffMs(attempt, retry.baseDelayMs, retry.maxDelayMs);
        if (delayMs > retry.maxDelayMs) throw problem;
      } catch (error) {
        if (!(error instanceof DatapumpNetworkError) || last) throw error;
        delayMs = backoffMs(attempt, retry.baseDelayMs, retry.maxDelayMs);
      }
      await sleep(delayMs, signal);
    }
  }

  /**
   * One read of the job; with `etag`, conditional (`304` is `'not-modified'`), and with `waitSeconds` too, a
   * long-poll. `applied` is the wait the gateway says it honoured (`Preference-Applied: wait=N`), if any.
   */
  async function getJobWithEtag(
    job: JobRef,
    etag: string | undefined,
    signal?: AbortSignal,
    waitSeconds = 0,
  ): Promise<{ answer: { job: Job; etag: string | undefined } | 'not-modified'; applied: number | undefined }> {
    const header: { 'If-None-Match'?: string; Prefer?: string } = {};
    if (etag) {
      header['If-None-Match'] = etag;
      if (waitSeconds > 0) header.Prefer = `wait=${waitSeconds}`;
    }
    const { data, error, response } = await send(baseUrl, () =>
      api.GET(JOB, { params: { path: jobPath(job), ...(etag ? { header } : {}) }, signal }),
    );
    const applied = header.Prefer ? appliedWait(response.headers.get('preference-applied'), waitSeconds) : undefined;
    if (response.status === 304) return { answer: 'not-modified', applied };
    if (data === undefined) throw problemError(error, response);
    return { answer: { job: data, etag: response.headers.get('etag') ?? undefined }, applied };
  }

  async function getJob(job: JobRef, { signal }: CallOptions = {}): Promise<Job> {
    const { answer } = await getJobWithEtag(job, undefined, signal);
    if (answer === 'not-modified') throw new DatapumpError('unexpected 304 without If-None-Match');
    return answer.job;
  }

  async function listJobs({ limit, offset, signal }: ListOptions = {}): Promise<JobCollection> {
    const query: { limit?: number; offset?: number } = {};
    if (limit !== undefined) query.limit = limit;
    if (offset !== undefined) query.offset = offset;
    const { data, error, response } = await send(baseUrl, () =>
      api.GET(JOBS, { params: { path: { database }, query }, signal }),
    );
    if (data === undefined) throw problemError(error, response);
    return data;
  }

  async function* jobPages({ limit = 100, offset = 0, signal }: ListOptions = {}): AsyncGenerator<
    JobCollection,
    void,
    undefined
  > {
    let next = offset;
    for (;;) {
      const page = await listJobs({ limit, offset: next, signal });
      yield page;
      if (!page.hasMore || page.count === 0) return;
      next = page.offset + page.count;
    }
  }

  async function* allJobs(options: ListOptions = {}): AsyncGenerator<Job, void, undefined> {
    for await (const page of jobPages(options)) yield* page.items;
  }

  /** The log's file name, reading the job first when only a reference was given. */
  async function logFile(
    job: JobRef | Job,
    signal?: AbortSignal,
  ): Promise<{ path: ReturnType<typeof jobPath>; filename: string }> {
    const full = typeof job !== 'string' && 'links' in job ? job : await getJob(job, { signal });
    const link = logLink(full);
    if (!link) throw new DatapumpError(`job ${full.owner_name},${full.job_name} has no log link`);
    return { path: jobPath(full), filename: fileNameOf(link) };
  }

  async function readLog(job: JobRef | Job, { signal }: CallOptions = {}): Promise<string> {
    const { path, filename } = await logFile(job, signal);
    const { data, error, response } = await send(baseUrl, () =>
      api.GET(FILE, { params: { path: { ...path, filename } }, parseAs: 'text', signal }),
    );
    if (data === undefined) throw problemError(error, response);
    return data;
  }

  async function logStream(job: JobRef | Job, { signal }: CallOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const { path, filename } = await logFile(job, signal);
    const { data, error, response } = await send(baseUrl, () =>
      api.GET(FILE, { params: { path: { ...path, filename } }, parseAs: 'stream', signal }),
    );
    if (data === undefined) throw problemError(error, response);
    return data ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  }

  async function logTail(job: JobRef | Job, lines = 20, options: CallOptions = {}): Promise<string[]> {
    const stream = await logStream(job, options);
    const kept: string[] = [];
    const keep = (line: string) => {
      const text = line.replace(/\r$/, '');
      if (text.trim() === '') return;
      kept.push(text);
      if (kept.length > lines) kept.shift();
    };
    const decoder = new TextDecoder();
    let carry = '';
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        carry += decoder.decode(value, { stream: true });
        const parts = carry.split('\n');
        carry = parts.pop() ?? '';
        for (const part of parts) keep(part);
      }
    } catch (error) {
      // Aborted or cut: let go of the connection rather than leave the body unread.
      await reader.cancel().catch(() => undefined);
      throw error;
    } finally {
      reader.releaseLock();
    }
    keep(carry + decoder.decode());
    return kept;
  }

  async function waitForJob(start: JobRef | Job, options: WaitOptions = {}): Promise<Job> {
    const { signal, timeoutMs, onProgress, progressLog = false, logTailLines = 20 } = options;
    const longPoll = options.longPollSeconds ?? 30;
    // Checked before anything is sent: a wrong value must not be found out after the first poll.
    if (!Number.isInteger(longPoll) || longPoll < 0 || longPoll > MAX_LONG_POLL_SECONDS)
      throw new TypeError(
        `longPollSeconds must be a whole number of seconds from 0 to ${MAX_LONG_POLL_SECONDS} (0: no long-poll), not ${shown(longPoll)}`,
      );
    const baseInterval = options.pollIntervalMs ?? 1_000;
    const maxInterval = Math.max(baseInterval, options.maxPollIntervalMs ?? 10_000);
    const started = Date.now();
    // A timer of our own rather than AbortSignal.timeout: the same in every runtime, and fake timers move it.
    const deadline = timeoutMs !== undefined ? new AbortController() : undefined;
    const timer = deadline
      ? setTimeout(() => deadline.abort(new DOMException('The wait timed out', 'TimeoutError')), timeoutMs)
      : undefined;
    const timeout = deadline?.signal;
    const signals = [signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const combined = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    /** The wait to ask for now: `longPollSeconds`, cut to the whole seconds left of `timeoutMs`, so no answer comes late. */
    const waitNow = () =>
      timeoutMs === undefined
        ? longPoll
        : Math.max(0, Math.min(longPoll, Math.floor((timeoutMs - (Date.now() - started)) / 1000)));
    let job: Job | undefined = typeof start !== 'string' && 'links' in start ? start : undefined;
    let etag: string | undefined;
    let interval = baseInterval;
    let askedToWait = false;
    try {
      for (let failures = 0; ;) {
        let delayMs: number;
        const waitSeconds = etag ? waitNow() : 0;
        const sentAt = Date.now();
        try {
          const { answer, applied } = await getJobWithEtag(start, etag, combined, waitSeconds);
          failures = 0;
          if (waitSeconds > 0) askedToWait = true;
          const changed = answer !== 'not-modified';
          if (answer !== 'not-modified') {
            if (job && (answer.job.state !== job.state || outcomeOf(answer.job).result !== outcomeOf(job).result))
              interval = baseInterval;
            job = answer.job;
            etag = answer.etag;
          }
          if (!job) throw new DatapumpError('the gateway answered 304 to a first read');
          const outcome = outcomeOf(job);
          if (onProgress) {
            let lastLogLine: string | undefined;
            if (progressLog) lastLogLine = (await logTail(job, 1, { signal: combined }).catch(rethrowAbort))?.[0];
            onProgress({
              job,
              state: job.state,
              outcome,
              elapsedMs: Date.now() - started,
              changed,
              ...(lastLogLine !== undefined ? { lastLogLine } : {}),
            });
          }
          // The outcome decides, not the state: a kept successful job reads NOT RUNNING, and the gateway may
          // show a terminal state a moment before it has read how the job ended.
          if (outcome.result !== 'running') {
            const ended = withOutcome(job);
            if (isSuccessful(ended)) return ended;
            const tail = (await logTail(ended, logTailLines, { signal: combined }).catch(rethrowAbort)) ?? [];
            throw new DatapumpJobFailedError(ended, tail);
          }
          // The gateway waited for a change (Preference-Applied): the waiting is done, so the next poll goes at
          // once. Not after a 304 that came back well before its wait (a gateway shutting down answers waiting
          // polls at once): polling that again at once would spin. A gateway (or ORDS) that did not wait, or a
          // tenant over the gateway's waiting-poll cap, is polled on the sleeping schedule.
          const waited =
            applied !== undefined &&
            applied > 0 &&
            (changed || Date.now() - sentAt >= (Math.min(applied, waitSeconds) * 1000) / 2);
          // The first poll that could ask to wait goes at once too: only its answer tells whether the gateway waits.
          const firstAsk = !askedToWait && etag !== undefined && waitNow() > 0;
          if (waited || firstAsk) delayMs = 0;
          else {
            delayMs = interval;
            interval = Math.min(maxInterval, Math.round(interval * 1.5));
          }
        } catch (error) {
          if (!transient(error)) throw error;
          // Overloaded or briefly unreachable: wait as told, or back off, and keep polling until the deadline.
          delayMs =
            error instanceof DatapumpProblemError && error.retryAfter !== undefined
              ? error.retryAfter * 1000
              : backoffMs(failures, baseInterval, maxInterval);
          failures++;
        }
        if (delayMs > 0) await sleep(delayMs, combined);
      }
    } catch (error) {
      if (timeout?.aborted && !signal?.aborted && (isAbortError(error) || error === timeout.reason)) {
        throw new DatapumpWaitTimeoutError(job, timeoutMs!);
      }
      if (signal?.aborted && isAbortError(error)) throw abortReason(signal);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    baseUrl,
    database,
    createJob,
    exportSchemas: (schemas, opts = {}) => createJob(exportBody(schemas, opts), opts),
    importDump: (fileName, opts = {}) => createJob(importBody(fileName, opts), opts),
    getJob,
    listJobs,
    jobPages,
    allJobs,
    readLog,
    logStream,
    logTail,
    waitForJob,
  };
}

/** The longest `Prefer: wait` the gateway honours (its contract: a larger one is cut to it). */
const MAX_LONG_POLL_SECONDS = 60;

/** A value as an error message shows it (`"5"` for a string, so it is not taken for the number). */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * The seconds of the `wait` in a `Preference-Applied` header (RFC 7240 §3), `asked` when its value cannot be read;
 * undefined when the header names no `wait`: the gateway did not wait.
 */
function appliedWait(header: string | null, asked: number): number | undefined {
  if (header === null) return undefined;
  for (const preference of header.split(',')) {
    const [name = '', value = ''] = (preference.split(';')[0] ?? '').split('=').map((s) => s.trim());
    if (name.toLowerCase() !== 'wait') continue;
    const digits = value.replace(/^"(.*)"$/, '$1');
    return /^\d{1,9}$/.test(digits) ? Number(digits) : asked;
  }
  return undefined;
}

/** Log reads during a wait are best effort; only an abort (or timeout) stops the wait. */
function rethrowAbort(error: unknown): undefined {
  if (isAbortError(error)) throw error;
  return undefined;
}

/** Worth polling again: no answer, or an answer that says "later". */
function transient(error: unknown): boolean {
  if (error instanceof DatapumpNetworkError) return true;
  return error instanceof DatapumpProblemError && [429, 502, 503, 504].includes(error.status);
}

/** A create that may be sent again with the same key: the gateway was unavailable, or the first is still in flight. */
function retryableCreate(problem: DatapumpProblemError): boolean {
  if (problem.status === 503 || problem.status === 504) return true;
  return problem.status === 409 && (problem.slug === 'idempotency-conflict' || problem.type === 'about:blank');
}

export function exportBody(
  schemas: readonly string[],
  { tables, mode, fileName, threads }: ExportOptions = {},
): ExportJobRequest {
  const body: ExportJobRequest = { operation: 'EXPORT' };
  const jobMode = mode ?? (tables && tables.length > 0 ? 'TABLE' : undefined);
  if (jobMode) body.job_mode = jobMode;
  if (schemas.length > 0) body.schema_expressions = [{ expression: inList(schemas) }];
  if (tables && tables.length > 0) body.name_expressions = [{ expression: inList(tables) }];
  if (fileName !== undefined) body.file_name = fileName;
  if (threads !== undefined) body.threads = threads;
  return body;
}

export function importBody(fileName: string, { remap, mode, schemas, threads }: ImportOptions = {}): ImportJobRequest {
  const body: ImportJobRequest = { operation: 'IMPORT', file_name: fileName };
  if (mode) body.job_mode = mode;
  if (schemas && schemas.length > 0) body.schema_expressions = [{ expression: inList(schemas) }];
  const remaps = Object.entries(remap ?? {}).map(([source, target]) => ({ source, target }));
  if (remaps.length > 0) body.remap_schemas = remaps;
  if (threads !== undefined) body.threads = threads;
  return body;
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { status?: unknown }).status === 'number'
  );
}

/** Any error answer as a `DatapumpProblemError`: the problem body when there is one, else what the status says. */
export function problemError(body: unknown, response: Response): DatapumpProblemError {
  const problem = isProblem(body) ? body : undefined;
  const text =
    typeof body === 'string' && body.trim() !== '' && !/html/i.test(response.headers.get('content-type') ?? '')
      ? body.trim().slice(0, 300)
      : undefined;
  return new DatapumpProblemError(
    {
      status: response.status,
      type: problem?.type ?? 'about:blank',
      title: problem?.title ?? (response.statusText || `HTTP ${response.status}`),
      detail: problem?.detail ?? text,
      errors: Array.isArray(problem?.errors) ? problem.errors : [],
      retryAfter: parseRetryAfter(response.headers.get('retry-after')),
      requestId: problem?.request_id ?? response.headers.get('x-request-id') ?? undefined,
    },
    problem,
  );
}

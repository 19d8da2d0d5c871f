/** @module Setup calls of the benchmark (create jobs, read ETags, drive the emulator) and the file download it times. */
import { request as httpRequest } from 'node:http';

import { request } from 'undici';

import { assertLocal } from './load.js';

export interface JobRef {
  readonly owner: string;
  readonly job: string;
  /** The job's log file name, from its `related` link. */
  readonly logFile: string | undefined;
}

async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  assertLocal(url);
  const res = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers ?? {},
    body: init.body ?? null,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** Creates one job through the gateway and returns its names; throws on anything but 201. */
export async function createJob(gatewayUrl: string, apiKey: string, body: string): Promise<JobRef> {
  const res = await call(`${gatewayUrl}/databases/orcl/datapump/jobs/`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body,
  });
  if (res.status !== 201)
    throw new Error(`create through ${gatewayUrl} answered ${res.status}: ${res.text.slice(0, 500)}`);
  const job = JSON.parse(res.text) as {
    owner_name: string;
    job_name: string;
    links?: Array<{ rel: string; href: string }>;
  };
  const related = job.links?.find((l) => l.rel === 'related' && /\.log$/i.test(l.href));
  return {
    owner: job.owner_name,
    job: job.job_name,
    logFile: related ? decodeURIComponent(related.href.split('/').pop() ?? '') : undefined,
  };
}

/** Creates `n` jobs with `concurrency` requests in flight. */
export async function createJobs(
  gatewayUrl: string,
  apiKey: string,
  body: string,
  n: number,
  concurrency = 16,
): Promise<JobRef[]> {
  const out: JobRef[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next += 1;
      out.push(await createJob(gatewayUrl, apiKey, body));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}

/** The ETag a GET of `url` answers with. */
export async function etagOf(url: string, headers: Record<string, string>): Promise<string> {
  const res = await call(url, { headers });
  const etag = res.headers.etag;
  if (res.status !== 200 || typeof etag !== 'string')
    throw new Error(`GET ${url} answered ${res.status} without an ETag: ${res.text.slice(0, 300)}`);
  return etag;
}

/** GETs `url` and checks the status (a sanity check before a load run). */
export async function expectStatus(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  status: number,
): Promise<void> {
  const res = await call(url, init);
  if (res.status !== status)
    throw new Error(
      `${init.method ?? 'GET'} ${url} answered ${res.status}, expected ${status}: ${res.text.slice(0, 500)}`,
    );
}

/**
 * The emulator's control API: forget every job, then move its manual clock on a second. A cleared emulator hands
 * out names again, and under a clock that stood still they would be the names of jobs the gateways already
 * recorded (for other tenants: a create ORDS answers with such a job is refused). A new second, new names.
 */
export async function clearEmulatorJobs(emulatorBase: string): Promise<void> {
  const res = await call(`${emulatorBase}/__emulator/jobs`, { method: 'DELETE' });
  if (res.status >= 300) throw new Error(`DELETE /__emulator/jobs answered ${res.status}`);
  const clock = await call(`${emulatorBase}/__emulator/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceMs: 1_000 }),
  });
  if (clock.status >= 300) throw new Error(`POST /__emulator/clock answered ${clock.status}`);
}

export interface Download {
  readonly bytes: number;
  readonly seconds: number;
  readonly bytesPerSecond: number;
}

/**
 * Downloads `url` and throws the bytes away as they arrive (node:http, the cheapest client, so the reader is not
 * the bottleneck). `onTick` runs every `tickMs` meanwhile (the memory sampler).
 */
export function download(
  url: string,
  headers: Record<string, string>,
  onTick?: () => void,
  tickMs = 20,
): Promise<Download> {
  assertLocal(url);
  return new Promise((resolve, reject) => {
    const began = performance.now();
    let bytes = 0;
    const ticker = onTick ? setInterval(onTick, tickMs) : undefined;
    const done = (error?: Error) => {
      if (ticker) clearInterval(ticker);
      if (error) reject(error);
      else {
        const seconds = (performance.now() - began) / 1000;
        resolve({ bytes, seconds, bytesPerSecond: bytes / seconds });
      }
    };
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        done(new Error(`GET ${url} answered ${res.statusCode}`));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.once('end', () => done());
      res.once('error', done);
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.once('error', done);
    req.end();
  });
}

/** Moves the emulator's manual clock on (`POST /__emulator/clock`). */
export async function advanceClock(emulatorBase: string, advanceMs: number): Promise<void> {
  const res = await call(`${emulatorBase}/__emulator/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceMs }),
  });
  if (res.status >= 300) throw new Error(`POST /__emulator/clock answered ${res.status}: ${res.text.slice(0, 300)}`);
}

/** A job as another tool started it (`POST /__emulator/jobs`; src/emulator/job-store.ts's AddedJobSpec). */
export interface AddedJob {
  readonly owner_name: string;
  readonly job_name: string;
  readonly operation?: string;
  readonly job_mode?: string;
  readonly state?: string;
}

/** Adds jobs to the emulator, in batches that stay well under its request body limit (4 MiB). */
export async function addEmulatorJobs(emulatorBase: string, jobs: readonly AddedJob[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 5_000) {
    const res = await call(`${emulatorBase}/__emulator/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(jobs.slice(i, i + 5_000)),
    });
    if (res.status !== 201) throw new Error(`POST /__emulator/jobs answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
}

/** The sum of every series of a Prometheus counter (or a histogram's `_count`) in `url`'s /metrics text. */
export async function metricSum(url: string, name: string): Promise<number> {
  const res = await call(url);
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  let sum = 0;
  for (const line of res.text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue; // another metric whose name begins with this one
    sum += Number(rest.slice(rest.lastIndexOf(' ') + 1));
  }
  return sum;
}

export interface TimedAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Date.now() when the response headers arrived (comparable with pino's `time` in a gateway's log). */
  readonly answeredAt: number;
}

/** A GET whose answer may take long (a long-poll): when its headers arrived, by the wall clock. */
export async function timedGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<TimedAnswer> {
  assertLocal(url);
  const res = await request(url, { headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const answeredAt = Date.now();
  await res.body.dump();
  return { status: res.statusCode, headers: res.headers, answeredAt };
}

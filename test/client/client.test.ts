// The typed client against a real gateway in front of a real ORDS emulator process.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  createDatapumpClient,
  type DatapumpClient,
  DatapumpJobFailedError,
  DatapumpNetworkError,
  DatapumpProblemError,
  DatapumpWaitTimeoutError,
  type FetchLike,
  formatJobRef,
  type Job,
  logLink,
  type WaitProgress,
} from '../../src/client/index.js';
import { TEST_LIMITS, testTenants } from '../helpers/gateway-config.js';
import { closedPort, type Stack, startStack } from './stack.js';

const PROBLEMS = 'https://datapump-gateway.dev/problems/';

describe('the typed client, against a real gateway and ORDS emulator', () => {
  let stack: Stack;
  let hr: DatapumpClient;
  let dba: DatapumpClient;
  const client = (
    apiKey: string,
    extra: { fetch?: FetchLike; retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number } } = {},
  ) => createDatapumpClient({ baseUrl: stack.url, apiKey, database: 'orcl', ...extra });

  beforeAll(async () => {
    stack = await startStack({
      emulator: { config: { jobDurationMs: 5_000, failWhenFileNameContains: 'FAIL', lifecycle: 'completed' } },
    });
    hr = client('hr-demo-key');
    dba = client('dba-demo-key');
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    await stack.emulator.clearFaults();
  });

  const creates = async () => (await stack.emulator.requests()).filter((r) => r.method === 'POST');

  describe('creating jobs', () => {
    it('exportSchemas builds the IN list, sends an Idempotency-Key and returns the typed job', async () => {
      await stack.emulator.clearRequests();
      const job = await hr.exportSchemas(['HR']);
      expect(job).toMatchObject({
        operation: 'EXPORT',
        job_mode: 'SCHEMA',
        state: 'EXECUTING',
        owner_name: 'PDBADMIN',
      });
      expect(job.job_name).toMatch(/^DATAPUMP_REST_EXPORT_\d{14}/);
      expect(logLink(job)?.href).toMatch(/\.LOG$/);
      const [sent] = await creates();
      expect(sent!.body).toMatchObject({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });
    });

    it('exportSchemas with tables is a TABLE mode export with name expressions', async () => {
      await stack.emulator.clearRequests();
      const job = await hr.exportSchemas(['HR'], { tables: ['EMP', 'DEPT'] });
      expect(job.job_mode).toBe('TABLE');
      const [sent] = await creates();
      expect(sent!.body).toMatchObject({
        job_mode: 'TABLE',
        schema_expressions: [{ expression: "IN ('HR')" }],
        name_expressions: [{ expression: "IN ('EMP','DEPT')" }],
      });
    });

    it('importDump sends file, mode and remaps', async () => {
      await stack.emulator.clearRequests();
      const job = await dba.importDump('EXPDAT%U2019-03-25-12_55_03.DMP', { mode: 'FULL', remap: { HR: 'BLAKE' } });
      expect(job).toMatchObject({ operation: 'IMPORT', job_mode: 'FULL' });
      const [sent] = await creates();
      expect(sent!.body).toMatchObject({
        operation: 'IMPORT',
        job_mode: 'FULL',
        file_name: 'EXPDAT%U2019-03-25-12_55_03.DMP',
        remap_schemas: [{ source: 'HR', target: 'BLAKE' }],
      });
    });

    it('createJob takes the contract body as it is, with a key of the caller', async () => {
      const keys: string[] = [];
      const spy: FetchLike = async (req) => {
        keys.push(req.headers.get('idempotency-key') ?? '');
        return fetch(req);
      };
      const job = await client('hr-demo-key', { fetch: spy }).createJob(
        { operation: 'EXPORT', schema_expressions: [{ expression: "IN ( 'HR' )" }] },
        { idempotencyKey: 'my-key-1' },
      );
      expect(job.operation).toBe('EXPORT');
      expect(keys).toEqual(['"my-key-1"']);
    });
  });

  describe('reading jobs', () => {
    let job: Job;
    beforeAll(async () => {
      job = await hr.exportSchemas(['HR']);
      await stack.emulator.advanceClock(6_000);
    });

    it('getJob by "OWNER,JOB", by { owner, name } and by the job itself', async () => {
      const ref = formatJobRef(job);
      const [a, b, c] = await Promise.all([
        hr.getJob(ref),
        hr.getJob({ owner: job.owner_name, name: job.job_name }),
        hr.getJob(job),
      ]);
      for (const got of [a, b, c]) expect(got).toMatchObject({ job_name: job.job_name, state: 'COMPLETED' });
    });

    it('listJobs pages, jobPages and allJobs walk every page', async () => {
      const page = await hr.listJobs({ limit: 2 });
      expect(page.items).toHaveLength(2);
      expect(page.hasMore).toBe(true);
      const pages = [];
      for await (const p of hr.jobPages({ limit: 2 })) pages.push(p);
      expect(pages.length).toBeGreaterThan(1);
      const all = [];
      for await (const j of hr.allJobs({ limit: 2 })) all.push(formatJobRef(j));
      expect(all).toContain(formatJobRef(job));
      expect(new Set(all).size).toBe(all.length);
      expect(all).toEqual(pages.flatMap((p) => p.items.map(formatJobRef)));
    });

    it("readLog, logStream and logTail read the log through the job's text/plain link", async () => {
      const text = await hr.readLog(job);
      expect(text).toMatch(/successfully completed/);
      expect(text).toContain("IN ('HR')");
      expect(await hr.readLog(formatJobRef(job))).toBe(text);
      const stream = await hr.logStream(job);
      const streamed = await new Response(stream).text();
      expect(streamed).toBe(text);
      const tail = await hr.logTail(job, 2);
      expect(tail).toHaveLength(2);
      expect(tail[1]).toMatch(/successfully completed/);
    });
  });

  describe('errors are DatapumpProblemError', () => {
    const caught = async (p: Promise<unknown>) => {
      const error = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatapumpProblemError);
      return error as DatapumpProblemError;
    };

    it('401 for an unknown key', async () => {
      const e = await caught(client('nope').listJobs());
      expect(e).toMatchObject({ status: 401, type: `${PROBLEMS}unauthenticated`, slug: 'unauthenticated' });
      expect(e.requestId).toBeTruthy();
    });

    it('403 with every violation, each with its pointer', async () => {
      const e = await caught(hr.exportSchemas(['SALES']));
      expect(e).toMatchObject({ status: 403, type: `${PROBLEMS}not-granted`, title: 'Not granted' });
      expect(e.errors).toEqual([
        { pointer: '/schema_expressions/0/expression', detail: expect.stringMatching(/SALES.*not granted/) },
      ]);
      expect(e.message).toBe(
        `not granted: ${e.errors[0]!.detail.replace(/\.$/, '')} (/schema_expressions/0/expression)`,
      );
    });

    it('422 for an expression outside the grammar; 400 for a body the contract refuses', async () => {
      const unsafe = await caught(
        hr.createJob({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR') OR 1=1" }] }),
      );
      expect(unsafe).toMatchObject({ status: 422, type: `${PROBLEMS}request-unsafe` });
      expect(unsafe.errors[0]?.pointer).toBe('/schema_expressions/0/expression');
      const invalid = await caught(hr.createJob({ operation: 'EXPORT', threads: 0 }));
      expect(invalid).toMatchObject({ status: 400, type: `${PROBLEMS}request-invalid` });
      expect(invalid.errors.map((x) => x.pointer)).toContain('/threads');
    });

    it("404 for a job that is not the caller's", async () => {
      const other = await dba.exportSchemas(['SCOTT']);
      const e = await caught(hr.getJob(other));
      expect(e).toMatchObject({ status: 404, type: `${PROBLEMS}job-not-found` });
    });

    it('429 with retryAfter, not retried', async () => {
      const tenants = testTenants();
      tenants['sales-team'] = {
        ...tenants['sales-team']!,
        limits: { ...TEST_LIMITS, create: { limit: 1, windowMs: 60_000 } },
      };
      const limited = await stack.extraGateway({ tenants });
      let posts = 0;
      const sales = createDatapumpClient({
        baseUrl: limited.url,
        apiKey: 'sales-demo-key',
        database: 'orcl',
        fetch: async (r) => {
          posts++;
          return fetch(r);
        },
      });
      await sales.exportSchemas(['SALES']);
      const e = await caught(sales.exportSchemas(['SALES']));
      expect(e).toMatchObject({ status: 429, type: `${PROBLEMS}rate-limited` });
      expect(e.retryAfter).toBeGreaterThan(0);
      expect(e.retryAfter).toBeLessThanOrEqual(60);
      expect(posts).toBe(2);
    });

    it('503 with a Retry-After beyond the retry bound ends the retries at once', async () => {
      await stack.emulator.setFaults([{ route: 'create', kind: 'status', status: 503 }]);
      const started = Date.now();
      const e = await caught(client('hr-demo-key', { retry: { maxDelayMs: 1_000 } }).exportSchemas(['HR']));
      expect(e).toMatchObject({ status: 503, type: `${PROBLEMS}upstream-unavailable`, retryAfter: 5 });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('no answer at all is a DatapumpNetworkError, after the create was retried', async () => {
      let tries = 0;
      const port = await closedPort();
      const refused = createDatapumpClient({
        baseUrl: `http://127.0.0.1:${port}`,
        apiKey: 'hr-demo-key',
        database: 'orcl',
        retry: { attempts: 3, baseDelayMs: 5 },
        fetch: (r) => {
          tries++;
          return fetch(r);
        },
      });
      const e = await refused.exportSchemas(['HR']).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DatapumpNetworkError);
      expect((e as Error).message).toMatch(
        new RegExp(`cannot reach the gateway at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
      );
      expect(tries).toBe(3);
      await expect(refused.listJobs()).rejects.toBeInstanceOf(DatapumpNetworkError);
    });
  });

  describe('retries of a create reuse its Idempotency-Key', () => {
    it('after a network error that came after the gateway answered: the same key, and one job', async () => {
      await stack.emulator.clearRequests();
      const seen: { key: string | null; replayed: string | null; status: number }[] = [];
      const flaky: FetchLike = async (req) => {
        const res = await fetch(req);
        seen.push({
          key: req.headers.get('idempotency-key'),
          replayed: res.headers.get('idempotent-replayed'),
          status: res.status,
        });
        if (seen.length === 1) {
          await res.arrayBuffer(); // the gateway answered 201, and the job exists…
          throw new TypeError('fetch failed', { cause: new Error('socket hang up') }); // …but the client never hears of it
        }
        return res;
      };
      const job = await client('hr-demo-key', { fetch: flaky, retry: { baseDelayMs: 5 } }).exportSchemas(['HR']);
      expect(seen).toHaveLength(2);
      expect(seen[0]!.status).toBe(201);
      expect(seen[0]!.key).toMatch(/^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/);
      expect(seen[1]!.key).toBe(seen[0]!.key);
      expect(job.operation).toBe('EXPORT');
      expect(seen[1]!.replayed).toBe('true'); // the gateway replayed the first answer…
      expect(await creates()).toHaveLength(1); // …and ORDS saw one create
      expect((await hr.listJobs({ limit: 500 })).items.filter((j) => j.job_name === job.job_name)).toHaveLength(1);
    });

    it('after 503 and after 409 in flight, honouring Retry-After', async () => {
      const keys: (string | null)[] = [];
      const answers = [
        problemResponse(503, 'upstream-unavailable', '0'),
        problemResponse(409, 'idempotency-conflict', '0'),
      ];
      const busy: FetchLike = async (req) => {
        keys.push(req.headers.get('idempotency-key'));
        return answers.shift() ?? fetch(req);
      };
      const job = await client('hr-demo-key', { fetch: busy }).exportSchemas(['HR']);
      expect(job.state).toBe('EXECUTING');
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(1);
    });

    it('a new create gets a new key', async () => {
      const keys: (string | null)[] = [];
      const c = client('hr-demo-key', {
        fetch: async (r) => {
          keys.push(r.headers.get('idempotency-key'));
          return fetch(r);
        },
      });
      await c.exportSchemas(['HR']);
      await c.exportSchemas(['HR']);
      expect(keys[0]).not.toBe(keys[1]);
    });
  });

  describe('waitForJob', () => {
    // The sleeping schedule, as with a gateway that does not long-poll (long-polls: long-poll.test.ts).
    it('polls with If-None-Match until COMPLETED, reporting progress (longPollSeconds 0)', async () => {
      const job = await hr.exportSchemas(['HR']);
      const statuses: number[] = [];
      const inm: (string | null)[] = [];
      const c = client('hr-demo-key', {
        fetch: async (r) => {
          const res = await fetch(r);
          if (r.url.endsWith(',' + job.job_name + '/')) {
            statuses.push(res.status);
            inm.push(r.headers.get('if-none-match'));
          }
          return res;
        },
      });
      const progress: WaitProgress[] = [];
      const waiting = c.waitForJob(job, {
        longPollSeconds: 0,
        pollIntervalMs: 20,
        maxPollIntervalMs: 40,
        progressLog: true,
        onProgress: (p) => progress.push(p),
      });
      await until(() => statuses.filter((s) => s === 304).length >= 2);
      await stack.emulator.advanceClock(6_000);
      const done = await waiting;
      expect(done.state).toBe('COMPLETED');
      expect(done.outcome.result).toBe('succeeded');
      expect(statuses[0]).toBe(200);
      expect(statuses).toContain(304);
      expect(inm[0]).toBeNull();
      expect(inm.slice(1).every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
      expect(progress[0]).toMatchObject({ state: 'EXECUTING', changed: true });
      expect(progress.some((p) => !p.changed)).toBe(true);
      expect(progress[0]!.outcome.result).toBe('running');
      expect(progress.at(-1)).toMatchObject({ state: 'COMPLETED', changed: true, outcome: { result: 'succeeded' } });
      expect(progress.at(-1)!.lastLogLine).toMatch(/successfully completed/);
    });

    it("rejects with the failed job's state and its last log lines (ORA- errors)", async () => {
      const job = await hr.importDump('HR_FAIL.DMP');
      const waiting = hr.waitForJob(formatJobRef(job), { pollIntervalMs: 20 }).catch((e: unknown) => e);
      await stack.emulator.advanceClock(6_000);
      const error = await waiting;
      expect(error).toBeInstanceOf(DatapumpJobFailedError);
      const failed = error as DatapumpJobFailedError;
      expect(failed.state).toBe('NOT RUNNING');
      expect(failed.outcome).toMatchObject({ result: 'failed', source: 'log' });
      expect(failed.job.job_name).toBe(job.job_name);
      expect(failed.logTail.some((l) => /^ORA-31640: unable to open dump file "HR_FAIL.DMP"/.test(l))).toBe(true);
      expect(failed.logTail.at(-1)).toMatch(/stopped due to fatal error/);
      expect(failed.message).toMatch(/ended NOT RUNNING \(failed\): ORA-39001/);
    });

    it('keeps polling through a 503, after its Retry-After', async () => {
      const job = await hr.exportSchemas(['HR']);
      await stack.emulator.advanceClock(6_000);
      let first = true;
      const c = client('hr-demo-key', {
        fetch: async (r) => {
          if (first) {
            first = false;
            return problemResponse(503, 'upstream-unavailable', '0');
          }
          return fetch(r);
        },
      });
      expect((await c.waitForJob(job, { pollIntervalMs: 10, timeoutMs: 5_000 })).state).toBe('COMPLETED');
    });

    it('stops when its signal aborts, and after timeoutMs', async () => {
      const job = await hr.exportSchemas(['HR']);
      const controller = new AbortController();
      const aborted = hr.waitForJob(job, { signal: controller.signal, pollIntervalMs: 20 }).catch((e: unknown) => e);
      setTimeout(() => controller.abort(), 100);
      expect(await aborted).toMatchObject({ name: 'AbortError' });

      const timedOut = await hr.waitForJob(job, { timeoutMs: 150, pollIntervalMs: 20 }).catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(DatapumpWaitTimeoutError);
      expect((timedOut as DatapumpWaitTimeoutError).job?.state).toBe('EXECUTING');
    });

    it('rejects at once on a problem that waiting cannot fix', async () => {
      await expect(hr.waitForJob('PDBADMIN,NO_SUCH_JOB', { pollIntervalMs: 10 })).rejects.toMatchObject({
        status: 404,
        type: `${PROBLEMS}job-not-found`,
      });
    });
  });
});

function problemResponse(status: number, slug: string, retryAfter: string): Response {
  return new Response(
    JSON.stringify({ type: `${PROBLEMS}${slug}`, title: slug, status, detail: `synthetic ${status}` }),
    {
      status,
      headers: { 'content-type': 'application/problem+json', 'retry-after': retryAfter },
    },
  );
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

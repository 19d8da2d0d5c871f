// A job's files are only the job's files: the gateway asks ORDS's file endpoint only for a name among the job's
// own files (its links, read from ORDS), even when ORDS would serve any name; a HEAD never streams the file.
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createLogger, type RunningGateway, startGateway } from '../../src/gateway/server.js';
import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { testConfig } from '../helpers/gateway-config.js';

const HR = { 'x-api-key': 'hr-demo-key' };
const DBA = { 'x-api-key': 'dba-demo-key' };
const JOBS = '/databases/orcl/datapump/jobs/';
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] };
const problem = (slug: string) => `https://datapump-gateway.dev/problems/${slug}`;
const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // tests inspect arbitrary answers
}

describe("a job's files, against an ORDS that serves any file name of an existing job", () => {
  let emulator: EmulatorProcess;
  let gateway: RunningGateway;

  async function call(
    method: 'GET' | 'HEAD' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<Answer> {
    const res = await request(`${gateway.url}${path}`, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers: res.headers, text, json };
  }

  /** An HR export; its path, and its files as the public job lists them. */
  async function exportJob(): Promise<{ path: string; owner: string; name: string }> {
    const created = await call('POST', JOBS, HR, EXPORT_HR);
    expect(created.status, created.text).toBe(201);
    const { owner_name: owner, job_name: name } = created.json as { owner_name: string; job_name: string };
    return { path: `${JOBS}${owner},${name}/`, owner, name };
  }

  /** The ORDS file requests (GET …/jobs/OWNER,JOB/NAME) the emulator received. */
  async function ordsFileRequests(): Promise<string[]> {
    return (await emulator.requests())
      .filter((r) => /\/datapump\/jobs\/[^/]+\/[^/]+$/.test(r.path))
      .map((r) => `${r.method} ${r.path}`);
  }

  beforeAll(async () => {
    emulator = await startEmulatorProcess({
      clock: 'manual',
      // Pinned: a success shows COMPLETED for 60 s, then vanishes, and ORDS no longer serves its files.
      config: {
        serveAnyFile: true,
        jobDurationMs: 1_000,
        lifecycle: 'dropped',
        completedVisibleMs: 60_000,
        vanishedFiles: 'gone',
      },
    });
    gateway = await startGateway({ config: testConfig({}, { url: emulator.ordsUrl }), logger: createLogger('silent') });
  });
  afterAll(async () => {
    await gateway?.close();
    await emulator?.stop();
  });
  beforeEach(async () => {
    await emulator.clearRequests();
  });

  it("refuses a name that is not among the job's files with 404 file-not-found, without calling ORDS's file endpoint, though ORDS would serve it", async () => {
    const job = await exportJob();
    // ORDS itself would hand the name out: the emulator runs with serveAnyFile.
    const direct = await request(
      `${emulator.apiUrl}database/datapump/jobs/${job.owner},${job.name}/SALES_SECRETS.DMP`,
      { headers: { authorization: basic('pdbadmin:oracle'), 'x-test-direct': '1' } },
    );
    expect(direct.statusCode).toBe(200);
    await direct.body.dump();
    await emulator.clearRequests();

    for (const name of ['SALES_SECRETS.DMP', 'EXPDAT01-00_00_00.DMP', 'expdat.log']) {
      const res = await call('GET', `${job.path}${name}`, HR);
      expect(res.status, name).toBe(404);
      expect(res.json.type).toBe(problem('file-not-found'));
      expect(res.text).not.toContain('EMULATED FILE');
    }
    expect(await ordsFileRequests()).toEqual([]);
  });

  it("refuses another job's file name asked under this job, even for a tenant that sees every job", async () => {
    const mine = await exportJob();
    await emulator.advanceClock(1_000);
    const other = await exportJob();
    const done = await call('GET', mine.path, HR);
    const dump = (done.json.links as Array<{ rel: string; href: string; mediaType?: string }>).find(
      (l) => l.mediaType === 'application/octet-stream',
    )!;
    const dumpName = new URL(dump.href).pathname.split('/').pop()!;
    await emulator.clearRequests();
    for (const headers of [HR, DBA]) {
      const res = await call('GET', `${other.path}${dumpName}`, headers);
      expect(res.status).toBe(404);
      expect(res.json.type).toBe(problem('file-not-found'));
    }
    expect(await ordsFileRequests()).toEqual([]);
    // The file itself, under its own job, is served.
    const own = await call('GET', new URL(dump.href).pathname, HR);
    expect(own.status).toBe(200);
    expect(own.text.startsWith('EMULATED DATA PUMP DUMP FILE')).toBe(true);
  });

  it("serves the job's own files, as its links name them", async () => {
    const job = await exportJob();
    await emulator.advanceClock(1_000);
    const done = await call('GET', job.path, HR);
    expect(done.json.state).toBe('COMPLETED');
    const files = (done.json.links as Array<{ rel: string; href: string }>).filter((l) => l.rel === 'related');
    expect(files).toHaveLength(2);
    for (const file of files) {
      const res = await call('GET', new URL(file.href).pathname, HR);
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/^EMULATED DATA PUMP DUMP FILE|successfully completed/);
    }
  });

  it("answers a job ORDS no longer shows from what the gateway recorded: the log's kept tail, marked partial; any other name 404 without calling ORDS", async () => {
    const job = await exportJob();
    await emulator.advanceClock(1_000);
    const done = await call('GET', job.path, HR);
    expect(done.json.outcome.result).toBe('succeeded');
    const log = (done.json.links as Array<{ href: string; mediaType?: string }>).find(
      (l) => l.mediaType === 'text/plain',
    )!;
    const whole = await call('GET', new URL(log.href).pathname, HR);
    expect(whole.status).toBe(200);
    expect(whole.headers['datapump-log-partial']).toBeUndefined();
    await emulator.advanceClock(61_000); // past completedVisibleMs: ORDS no longer shows the job
    expect((await call('GET', job.path, HR)).json.state).toBe('COMPLETED'); // the registry still knows it
    await emulator.clearRequests();

    // ORDS (vanishedFiles: gone) answers 404 for the log: the kept tail answers, marked as such.
    const res = await call('GET', new URL(log.href).pathname, HR);
    expect(res.status).toBe(200);
    expect(res.headers['datapump-log-partial']).toBe('tail');
    expect(res.text).toBe(whole.text); // the emulator's log is shorter than the 64 KiB kept
    expect(res.text).toMatch(/successfully completed/);

    await emulator.clearRequests();
    for (const name of ['SALES_SECRETS.DMP', 'other.log']) {
      const other = await call('GET', `${job.path}${name}`, HR);
      expect(other.status, name).toBe(404);
      expect(other.json.type).toBe(problem('file-not-found'));
    }
    expect(await ordsFileRequests()).toEqual([]);
  });

  it("answers HEAD from the job's file list, never streaming the file from ORDS", async () => {
    const job = await exportJob();
    const created = await call('GET', job.path, HR);
    const log = new URL(
      (created.json.links as Array<{ href: string; mediaType?: string }>).find((l) => l.mediaType === 'text/plain')!
        .href,
    ).pathname;
    await emulator.clearRequests();

    const head = await call('HEAD', log, HR);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(head.headers['cache-control']).toBe('no-store');
    expect(head.headers['content-length']).toBeUndefined(); // unknown without asking ORDS for the file: never "0"
    expect(head.text).toBe('');
    // A dump before the export completed, and a foreign name: not among the job's files.
    for (const name of ['EXPDAT01-00_00_00.DMP', 'SALES_SECRETS.DMP']) {
      const missing = await call('HEAD', `${job.path}${name}`, HR);
      expect(missing.status, name).toBe(404);
    }
    expect(await ordsFileRequests()).toEqual([]);
    // Another tenant's job: 404 before ORDS is asked anything.
    await emulator.clearRequests();
    expect((await call('HEAD', log, { 'x-api-key': 'sales-demo-key' })).status).toBe(404);
    expect(await emulator.requests()).toEqual([]);
  });
});

// Jobs end the way Data Pump ends them: against the emulator in each documented lifecycle (and either answer to
// "are a vanished job's files still served?"), a success polled through the gateway ends `succeeded` with a terminal
// state, a failure `failed`; both stay in the tenant's list; the log stays readable after ORDS forgot the job.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { testGateway } from '../helpers/gateway-app.js';
import { testConfig } from '../helpers/gateway-config.js';

const HR = { 'X-API-Key': 'hr-demo-key' };
const JOBS = '/databases/orcl/datapump/jobs/';
const TERMINAL = ['COMPLETED', 'NOT RUNNING', 'STOPPED'];
const DURATION_MS = 5_000;

type Lifecycle = 'dropped' | 'kept' | 'completed';
type Vanished = 'gone' | 'served';

const SETTINGS: ReadonlyArray<[Lifecycle, Vanished]> = [
  ['dropped', 'gone'],
  ['dropped', 'served'],
  ['kept', 'gone'],
  ['completed', 'gone'],
];

/** Which `source` the success's outcome rests on, per setting: the log wherever the gateway could read its end. */
const SUCCESS_SOURCE: Record<string, string> = {
  'dropped/gone': 'inferred',
  'dropped/served': 'log',
  'kept/gone': 'log',
  'completed/gone': 'log',
};

describe.each(SETTINGS)('the emulator with lifecycle %s, vanished files %s', (lifecycle, vanished) => {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({
      clock: 'manual',
      config: {
        lifecycle,
        vanishedFiles: vanished,
        jobDurationMs: DURATION_MS,
        completedVisibleMs: 1_000,
        failWhenFileNameContains: 'FAIL',
      },
    });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  const gateway = () => testGateway({ config: testConfig({}, { url: emulator.ordsUrl }) });

  async function start(gw: ReturnType<typeof gateway>, body: Record<string, unknown>) {
    const created = await request(gw.app).post(JOBS).set(HR).send(body);
    expect(created.status, created.text).toBe(201);
    expect(created.body.outcome).toEqual({ result: 'running', source: 'ords' });
    return `${JOBS}${created.body.owner_name},${created.body.job_name}/`;
  }

  /** Polls as a client told to "poll until a terminal state" would; gives up (failing) after a bound. */
  async function pollUntilTerminal(gw: ReturnType<typeof gateway>, url: string) {
    for (let i = 0; i < 10; i++) {
      const res = await request(gw.app).get(url).set(HR);
      expect(res.status, res.text).toBe(200);
      if (TERMINAL.includes(res.body.state)) return res;
      await emulator.advanceClock(1_000);
    }
    throw new Error(`${url} never reached a terminal state`);
  }

  it('a successful export ends succeeded, with a terminal state, in GET and in the list; its log stays readable', async () => {
    const gw = gateway();
    const url = await start(gw, { operation: 'EXPORT' });
    // The watcher looks while it runs (it keeps the log as it grows), then the job ends and ORDS may forget it.
    await gw.watcher.runOnce();
    await emulator.advanceClock(DURATION_MS + 3_000);
    const done = await pollUntilTerminal(gw, url);
    const source = SUCCESS_SOURCE[`${lifecycle}/${vanished}`];
    expect(done.body.outcome).toMatchObject({ result: 'succeeded', source });
    expect(done.body.state).toBe(lifecycle === 'kept' ? 'NOT RUNNING' : 'COMPLETED');
    if (source === 'log') expect(done.body.outcome.finished_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);

    // The ETag is the gateway's: the same body, the same tag; If-None-Match is answered here.
    const again = await request(gw.app).get(url).set(HR);
    expect(again.body).toEqual(done.body);
    expect(again.headers.etag).toBe(done.headers.etag);
    const notModified = await request(gw.app).get(url).set(HR).set('If-None-Match', String(done.headers.etag));
    expect(notModified.status).toBe(304);

    const list = await request(gw.app).get(JOBS).set(HR);
    expect(list.status).toBe(200);
    const listed = list.body.items.find((j: { job_name: string }) => j.job_name === done.body.job_name);
    expect(listed).toMatchObject({ state: done.body.state, outcome: done.body.outcome });

    const log = (done.body.links as Array<{ href: string; mediaType?: string }>).find(
      (l) => l.mediaType === 'text/plain',
    );
    expect(log).toBeDefined();
    const file = await request(gw.app).get(new URL(log!.href).pathname).set(HR).buffer(true);
    expect(file.status, file.text).toBe(200);
    const partial = lifecycle === 'dropped' && vanished === 'gone';
    expect(file.headers['datapump-log-partial']).toBe(partial ? 'tail' : undefined);
    // Whole: the log's end line is there; partial: the tail the watcher kept while the job ran.
    if (partial) expect(file.text).toMatch(/^Starting "/m);
    else expect(file.text).toMatch(/successfully completed at /);
    const head = await request(gw.app).head(new URL(log!.href).pathname).set(HR);
    expect(head.status).toBe(200);
    // The kept tail is the job's tenant's alone: another tenant meets the same 404 as for a job that never was.
    const other = await request(gw.app).get(new URL(log!.href).pathname).set({ 'X-API-Key': 'sales-demo-key' });
    expect(other.status).toBe(404);
    expect(other.headers['datapump-log-partial']).toBeUndefined();
    // Dump files are listed once ORDS showed them: a dropped job vanished before it did (its files are the log alone;
    // the import-provenance rule knows the export's file pattern from its create). A listed one is served.
    const dumps = (done.body.links as Array<{ href: string; mediaType?: string }>).filter(
      (l) => l.mediaType === 'application/octet-stream',
    );
    expect(dumps.length > 0).toBe(lifecycle !== 'dropped');
    for (const dump of dumps) expect((await request(gw.app).get(new URL(dump.href).pathname).set(HR)).status).toBe(200);
    await gw.close();
  });

  // A success shorter than the watcher's interval, its COMPLETED moment unseen (no poll outside a freshness window):
  // the first read finds it gone. Its log is read by the name recorded at its create, where ORDS still serves it.
  it.runIf(lifecycle === 'dropped')(
    'a success nobody read before ORDS dropped it: settled as vanished; its log is what ORDS still serves',
    async () => {
      const gw = gateway();
      const url = await start(gw, { operation: 'EXPORT' });
      await emulator.advanceClock(DURATION_MS + 3_000);
      const done = await request(gw.app).get(url).set(HR);
      expect(done.status, done.text).toBe(200);
      expect(done.body.state).toBe('COMPLETED');
      expect(done.body.outcome).toMatchObject({
        result: 'succeeded',
        source: vanished === 'served' ? 'log' : 'inferred',
      });
      const log = (done.body.links as Array<{ href: string; mediaType?: string }>).find(
        (l) => l.mediaType === 'text/plain',
      );
      const file = await request(gw.app).get(new URL(log!.href).pathname).set(HR).buffer(true);
      // A HEAD answers what the GET does: it asks ORDS for the file too (reading none of it).
      const head = await request(gw.app).head(new URL(log!.href).pathname).set(HR);
      expect(head.status).toBe(file.status);
      if (vanished === 'served') {
        expect(head.headers['content-length']).toBe(String(Buffer.byteLength(file.text)));
        expect(file.status).toBe(200);
        expect(file.headers['datapump-log-partial']).toBeUndefined();
        expect(file.text).toMatch(/successfully completed at /);
      } else {
        // Nothing was kept and ORDS has nothing: a 404, never an empty or invented log.
        expect(file.status).toBe(404);
        expect(file.body.type).toMatch(/\/file-not-found$/);
      }
      await gw.close();
    },
  );

  it('a failing export ends failed (NOT RUNNING, from its log), in GET and in the list', async () => {
    const gw = gateway();
    const url = await start(gw, { operation: 'EXPORT', file_name: 'HR_FAIL_%U.DMP' });
    await emulator.advanceClock(DURATION_MS + 3_000);
    const done = await pollUntilTerminal(gw, url);
    expect(done.body.state).toBe('NOT RUNNING');
    // The job is still shown by ORDS, so the watcher (or this GET) reads its whole log: the end line says how.
    await gw.watcher.runOnce();
    const settled = await request(gw.app).get(url).set(HR);
    expect(settled.body.outcome).toMatchObject({ result: 'failed', source: 'log' });
    const list = await request(gw.app).get(JOBS).set(HR);
    expect(list.body.items.find((j: { job_name: string }) => j.job_name === done.body.job_name)).toMatchObject({
      state: 'NOT RUNNING',
      outcome: { result: 'failed', source: 'log' },
    });
    await gw.close();
  });

  it('the watcher alone settles a job nobody polls: the list shows its outcome', async () => {
    const gw = gateway();
    const url = await start(gw, { operation: 'EXPORT' });
    await gw.watcher.runOnce();
    await emulator.advanceClock(DURATION_MS + 3_000);
    const round = await gw.watcher.runOnce();
    expect(round).toMatchObject({ skipped: false, finished: 1, failed: 0 });
    const name = url.split(',')[1]!.replace(/\/$/, '');
    const list = await request(gw.app).get(JOBS).set(HR);
    expect(list.body.items.find((j: { job_name: string }) => j.job_name === name)).toMatchObject({
      outcome: { result: 'succeeded', source: SUCCESS_SOURCE[`${lifecycle}/${vanished}`] },
    });
    await gw.close();
  });
});

describe('the 201, its replay and GET carry one gateway ETag', () => {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({ clock: 'manual', config: { lifecycle: 'kept', jobDurationMs: 60_000 } });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('is a strong tag of the public body: equal while the body is, another once it changes', async () => {
    const gw = testGateway({ config: testConfig({}, { url: emulator.ordsUrl }) });
    const created = await request(gw.app)
      .post(JOBS)
      .set(HR)
      .set('Idempotency-Key', 'etag-1')
      .send({ operation: 'EXPORT' });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const replay = await request(gw.app)
      .post(JOBS)
      .set(HR)
      .set('Idempotency-Key', 'etag-1')
      .send({ operation: 'EXPORT' });
    expect(replay.status).toBe(201);
    expect(replay.headers.etag).toBe(created.headers.etag);
    const url = new URL(created.headers.location!).pathname;
    const read = await request(gw.app).get(url).set(HR);
    expect(read.body).toEqual(created.body);
    expect(read.headers.etag).toBe(created.headers.etag);
    // If-None-Match is the gateway's to answer: ORDS is not asked conditionally.
    await emulator.clearRequests();
    const cached = await request(gw.app).get(url).set(HR).set('If-None-Match', `W/"other", ${created.headers.etag}`);
    expect(cached.status).toBe(304);
    expect(cached.text).toBe('');
    expect((await emulator.requests()).every((r) => r.headers['if-none-match'] === undefined)).toBe(true);
    // The job ends: the body changes, so does the tag, and the old tag no longer matches.
    await emulator.advanceClock(61_000);
    const ended = await request(gw.app).get(url).set(HR).set('If-None-Match', created.headers.etag!);
    expect(ended.status).toBe(200);
    expect(ended.headers.etag).not.toBe(created.headers.etag);
    await gw.close();
  });
});

// The job watcher over a scripted ORDS and the real memory store: how each way of ending is recorded, the lease
// between replicas, rounds that reach every job, failures that wait for the next round, and the log tail kept.
import { Readable } from 'node:stream';

import fc from 'fast-check';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { createConfigSource } from '../../../src/gateway/config/source.js';
import type { DatabaseConfig } from '../../../src/gateway/config/types.js';
import { createMemoryStore } from '../../../src/gateway/store/memory.js';
import type { JobRecord, StateStore } from '../../../src/gateway/store/types.js';
import type { OrdsJob } from '../../../src/gateway/upstream/ords-contract.js';
import type { JobResult, OrdsPort } from '../../../src/gateway/upstream/ords-port.js';
import {
  BATCH,
  createJobWatcher,
  LOG_TAIL_BYTES,
  RUNNING_LOG_READ_BYTES,
  tailOf,
} from '../../../src/gateway/watch/job-watcher.js';
import { testConfig } from '../../helpers/gateway-config.js';
import { at, job, seed } from '../store/fixtures.js';

const SUCCESS = (name: string) =>
  `Starting "HR"."${name}":\nJob "HR"."${name}" successfully completed at Tue Dec 1 10:33:54 2026 elapsed 0 00:00:05\n`;
const FAILURE = (name: string) =>
  `ORA-39002: invalid operation\nJob "HR"."${name}" stopped due to fatal error at Tue Dec 1 10:33:54 2026 elapsed 0 00:00:01\n`;

/** What the scripted ORDS holds of one job: its state (undefined: gone), its files, and which are served. */
interface Scripted {
  state: string | undefined;
  files: Record<string, string>;
  served: boolean;
  fail?: boolean;
  /** Send Content-Length with the file (ORDS may or may not). */
  length?: boolean;
}

function scriptedOrds(jobs: Map<string, Scripted>) {
  const calls = {
    getJob: 0,
    openFile: [] as Array<{ name: string; file: string; knownFiles?: string[] }>,
    /** Bytes the watcher took of the files' bodies. */
    bytesRead: 0,
  };
  const href = (owner: string, name: string, file: string) =>
    `http://ords.test/ords/orcl/_/db-api/stable/database/datapump/jobs/${owner},${name}/${file}`;
  const port: OrdsPort = {
    async getJob(_db, owner, name): Promise<JobResult> {
      calls.getJob++;
      const scripted = jobs.get(name);
      if (scripted?.fail) throw new Error('ORDS down');
      if (!scripted || scripted.state === undefined) return { kind: 'gone' };
      const ordsJob: OrdsJob = {
        job_name: name,
        owner_name: owner,
        operation: 'EXPORT',
        job_mode: 'SCHEMA',
        state: scripted.state,
        links: Object.keys(scripted.files).map((file) => ({ rel: 'related', href: href(owner, name, file) })),
      } as OrdsJob;
      return { kind: 'job', job: ordsJob, etag: undefined };
    },
    async openFile(_db, _owner, name, file, _meta, options) {
      calls.openFile.push({ name, file, ...(options?.knownFiles ? { knownFiles: [...options.knownFiles] } : {}) });
      const scripted = jobs.get(name);
      const gone = scripted?.state === undefined;
      if (!scripted || (gone && !scripted.served) || scripted.files[file] === undefined) throw new Error('404');
      const bytes = Buffer.from(scripted.files[file]);
      // In 64 KiB chunks, counted as they are taken: a reader that stops early takes less.
      const chunks = function* () {
        for (let i = 0; i < bytes.length; i += 65_536) {
          const chunk = bytes.subarray(i, i + 65_536);
          calls.bytesRead += chunk.length;
          yield chunk;
        }
      };
      return {
        body: Readable.from(chunks(), { highWaterMark: 1 }),
        headers: scripted.length ? { 'content-length': String(bytes.length) } : {},
      };
    },
    create: () => Promise.reject(new Error('not used')),
    listJobs: () => Promise.reject(new Error('not used')),
    jobFiles: () => Promise.reject(new Error('not used')),
  };
  return { port, calls };
}

interface Rig {
  store: StateStore;
  jobs: Map<string, Scripted>;
  calls: ReturnType<typeof scriptedOrds>['calls'];
  watcher: ReturnType<typeof createJobWatcher>;
  finished: Counter<'result' | 'source'>;
  provenance: Array<{ tenant: string; name: string }>;
  other(holder: string): ReturnType<typeof createJobWatcher>;
}

function rig(database: Partial<DatabaseConfig> = {}): Rig {
  const store = createMemoryStore();
  const jobs = new Map<string, Scripted>();
  const { port, calls } = scriptedOrds(jobs);
  const config = createConfigSource(testConfig({}, database));
  const finished = new Counter({
    name: 'jobs_finished_total',
    help: 'test',
    labelNames: ['result', 'source'] as const,
    registers: [new Registry()],
  });
  const provenance: Array<{ tenant: string; name: string }> = [];
  const make = (holder: string) =>
    createJobWatcher({
      config,
      registry: store.registry,
      leases: store.leases,
      provenance: { record: async (p) => void provenance.push({ tenant: p.tenant, name: p.name }) },
      ords: port,
      logger: pino({ level: 'silent' }),
      now: () => new Date(),
      holder,
      finished,
    });
  return { store, jobs, calls, watcher: make('replica-a'), finished, provenance, other: make };
}

async function record(r: Rig, name: string, overrides: Partial<JobRecord> = {}): Promise<void> {
  await seed(r.store, job({ jobName: name, ...overrides }));
}

const found = (r: Rig, name: string) => r.store.registry.find('orcl', 'HR', name);

afterEach(() => {
  vi.useRealTimers();
});

describe('job watcher: how a job ends', () => {
  it('a running job is observed (state, files, log so far) and not finished', async () => {
    const r = rig();
    await record(r, 'RUNNING');
    r.jobs.set('RUNNING', {
      state: 'EXECUTING',
      files: { 'R.LOG': 'Starting "HR"."RUNNING":\n', 'R.DMP': 'x' },
      served: true,
    });
    expect(await r.watcher.runOnce()).toEqual({ skipped: false, looked: 1, finished: 0, failed: 0 });
    expect(await found(r, 'RUNNING')).toMatchObject({
      lastState: 'EXECUTING',
      outcome: null,
      files: ['R.LOG', 'R.DMP'],
      logTail: 'Starting "HR"."RUNNING":\n',
    });
    expect(await r.store.registry.listUnfinished(10)).toHaveLength(1);
  });

  it.each([
    // [what, ORDS state after the end (undefined: gone), files served once gone, log at the end, state, outcome]
    [
      'dropped, files gone with it: the end line was never read, so success is inferred',
      undefined,
      false,
      SUCCESS,
      'COMPLETED',
      { result: 'succeeded', source: 'inferred' },
    ],
    [
      'dropped, files still served: the final log says how',
      undefined,
      true,
      SUCCESS,
      'COMPLETED',
      { result: 'succeeded', source: 'log', errors: 0, finishedAt: '2026-12-01T10:33:54.000Z' },
    ],
    [
      'kept (keep_master=1): a success lingers as NOT RUNNING, and the log tells it from a failure',
      'NOT RUNNING',
      false,
      SUCCESS,
      'NOT RUNNING',
      { result: 'succeeded', source: 'log' },
    ],
    [
      'completed: ORDS shows COMPLETED',
      'COMPLETED',
      false,
      SUCCESS,
      'COMPLETED',
      { result: 'succeeded', source: 'log' },
    ],
    [
      'a failure stays as NOT RUNNING',
      'NOT RUNNING',
      false,
      FAILURE,
      'NOT RUNNING',
      { result: 'failed', source: 'log' },
    ],
    [
      'a failure dropped later (a DBA killed it), its log still served',
      undefined,
      true,
      FAILURE,
      'NOT RUNNING',
      { result: 'failed', source: 'log' },
    ],
  ] as const)('%s', async (_what, after, served, log, state, outcome) => {
    const r = rig();
    await record(r, 'J');
    const running = 'Starting "HR"."J":\n';
    r.jobs.set('J', { state: 'EXECUTING', files: { 'J.LOG': running, 'J.DMP': 'x' }, served });
    await r.watcher.runOnce();
    // It ends: the log gains its last line, ORDS shows the end state (or forgets the job).
    r.jobs.set('J', { state: after, files: { 'J.LOG': log('J'), 'J.DMP': 'x' }, served });
    expect(await r.watcher.runOnce()).toMatchObject({ finished: 1 });
    const ended = await found(r, 'J');
    expect(ended?.lastState).toBe(state);
    expect(ended?.outcome).toMatchObject(outcome);
    expect(ended?.files).toEqual(['J.LOG', 'J.DMP']);
    // Readable: the final log; not served once gone: the tail read while it ran is what is kept.
    expect(ended?.logTail).toBe(after !== undefined || served ? log('J') : running);
    expect(await r.store.registry.listUnfinished(10)).toEqual([]);
    expect((await r.finished.get()).values).toEqual([
      expect.objectContaining({ value: 1, labels: { result: outcome.result, source: outcome.source } }),
    ]);
  });

  it('a job that vanished before its log said anything is succeeded, inferred (the documented exception: a kill)', async () => {
    const r = rig();
    await record(r, 'QUICK');
    r.jobs.set('QUICK', { state: undefined, files: {}, served: false });
    await r.watcher.runOnce();
    expect(await found(r, 'QUICK')).toMatchObject({
      lastState: 'COMPLETED',
      outcome: { result: 'succeeded', source: 'inferred' },
    });
  });

  it("asks a vanished job's log by the names it recorded, and finishes with the whole log where ORDS still serves it", async () => {
    const r = rig();
    await record(r, 'J');
    r.jobs.set('J', { state: 'EXECUTING', files: { 'J.LOG': 'Starting\n' }, served: true });
    await r.watcher.runOnce();
    r.jobs.set('J', { state: undefined, files: { 'J.LOG': SUCCESS('J') }, served: true });
    await r.watcher.runOnce();
    expect(r.calls.openFile.at(-1)).toEqual({ name: 'J', file: 'J.LOG', knownFiles: ['J.LOG'] });
    expect(await found(r, 'J')).toMatchObject({ logTail: SUCCESS('J'), outcome: { source: 'log' } });
  });

  it('a finished job is not looked at again, and its record is not changed by later rounds', async () => {
    const r = rig();
    await record(r, 'J');
    r.jobs.set('J', { state: 'COMPLETED', files: {}, served: true });
    await r.watcher.runOnce();
    const settled = await found(r, 'J');
    r.jobs.set('J', { state: 'EXECUTING', files: {}, served: true });
    const calls = r.calls.getJob;
    expect(await r.watcher.runOnce()).toMatchObject({ looked: 0 });
    expect(r.calls.getJob).toBe(calls);
    expect(await found(r, 'J')).toStrictEqual(settled);
  });

  it("an export's dump files become its tenant's, once it ended (the import-provenance rule)", async () => {
    const r = rig();
    await record(r, 'EXP');
    r.jobs.set('EXP', {
      state: 'COMPLETED',
      files: { 'EXP.LOG': SUCCESS('EXP'), 'EXP01.DMP': 'x', 'EXP02.DMP': 'y' },
      served: true,
    });
    await r.watcher.runOnce();
    expect(r.provenance).toEqual([
      { tenant: 'hr-team', name: 'EXP01.DMP' },
      { tenant: 'hr-team', name: 'EXP02.DMP' },
    ]);
  });
});

describe('job watcher: rounds', () => {
  it('one replica at a time: of two rounds started together, one runs and the other skips', async () => {
    const r = rig();
    await record(r, 'J');
    r.jobs.set('J', { state: 'EXECUTING', files: {}, served: true });
    const b = r.other('replica-b');
    const [one, two] = await Promise.all([r.watcher.runOnce(), b.runOnce()]);
    expect([one.skipped, two.skipped].sort()).toEqual([false, true]);
    expect(r.calls.getJob).toBe(1);
    // Released after the round: the other replica takes the next one.
    expect(await b.runOnce()).toMatchObject({ skipped: false, looked: 1 });
  });

  it('reaches every job in a round, past pages of jobs that never settle', async () => {
    const r = rig();
    // More than a page of jobs on a database no longer configured (they wait), then jobs that have ended.
    for (let i = 0; i < BATCH + 20; i++)
      await record(r, `OLD_${String(i).padStart(4, '0')}`, { database: 'gone', createdAt: at(0, i) });
    for (let i = 0; i < 30; i++) {
      const name = `NEW_${i}`;
      await record(r, name, { createdAt: at(10, i) });
      r.jobs.set(name, { state: 'COMPLETED', files: {}, served: true });
    }
    expect(await r.watcher.runOnce()).toEqual({ skipped: false, looked: BATCH + 50, finished: 30, failed: 0 });
    expect(await r.store.registry.listUnfinished(1000)).toHaveLength(BATCH + 20);
  });

  it('a job ORDS fails on is counted, the others go on, and the next round tries it again', async () => {
    const r = rig();
    await record(r, 'A', { createdAt: at(1) });
    await record(r, 'B', { createdAt: at(2) });
    r.jobs.set('A', { state: 'COMPLETED', files: {}, served: true, fail: true });
    r.jobs.set('B', { state: 'COMPLETED', files: {}, served: true });
    expect(await r.watcher.runOnce()).toMatchObject({ looked: 2, finished: 1, failed: 1 });
    expect((await found(r, 'A'))?.outcome).toBeNull();
    r.jobs.set('A', { state: 'COMPLETED', files: {}, served: true });
    expect(await r.watcher.runOnce()).toMatchObject({ looked: 1, finished: 1, failed: 0 });
  });

  it('start() runs a round now and then every interval, never two at once; stop() waits for the round', async () => {
    vi.useFakeTimers();
    const r = rig();
    await record(r, 'J');
    r.jobs.set('J', { state: 'EXECUTING', files: {}, served: true });
    const loop = r.watcher.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.calls.getJob).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(r.calls.getJob).toBe(2);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(r.calls.getJob).toBe(5);
    await loop.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(r.calls.getJob).toBe(5);
  });

  it('finished_at is read in the database time zone and written in UTC', async () => {
    const r = rig({ timeZone: 'Europe/Berlin' });
    await record(r, 'J');
    r.jobs.set('J', { state: 'COMPLETED', files: { 'J.LOG': SUCCESS('J') }, served: true });
    await r.watcher.runOnce();
    expect((await found(r, 'J'))?.outcome?.finishedAt).toBe('2026-12-01T09:33:54.000Z');
  });
});

describe('tailOf', () => {
  it('keeps the last bytes, cut at a whole character, whatever the chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
        async (text, keep, cuts) => {
          const bytes = Buffer.from(text, 'utf8');
          const chunks: Buffer[] = [];
          for (let i = 0, c = 0; i < bytes.length; c++) {
            const size = cuts[c % cuts.length]!;
            chunks.push(bytes.subarray(i, i + size));
            i += size;
          }
          const tail = await tailOf(Readable.from(chunks), keep, Number.MAX_SAFE_INTEGER);
          expect(text.endsWith(tail)).toBe(true);
          const kept = Buffer.byteLength(tail, 'utf8');
          expect(kept).toBeLessThanOrEqual(keep);
          // At most a character's worth (3 bytes of a 4-byte one) is lost to the boundary.
          expect(kept).toBeGreaterThanOrEqual(Math.min(keep, bytes.length) - 3);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ['with Content-Length: not read at all', true, 0],
    ['without Content-Length: read no further than 4 MiB, and not kept as a tail', false, RUNNING_LOG_READ_BYTES],
  ])(
    "a running job's log over 4 MiB is not read whole every round (%s); once it ends it is",
    async (_what, length, most) => {
      const r = rig();
      await record(r, 'BIG', { logTail: 'kept before' });
      const head = 'Starting "HR"."BIG":\n' + 'Processing object type SCHEMA_EXPORT/TABLE/TABLE_DATA\n'.repeat(100_000);
      r.jobs.set('BIG', { state: 'EXECUTING', files: { 'big.log': head }, served: true, length });
      expect(Buffer.byteLength(head)).toBeGreaterThan(RUNNING_LOG_READ_BYTES);
      await r.watcher.runOnce();
      expect(r.calls.bytesRead).toBeLessThanOrEqual(most + 65_536 * 2); // the stream's own read-ahead at most
      expect((await found(r, 'BIG'))!.logTail).toBe('kept before');

      r.calls.bytesRead = 0;
      r.jobs.set('BIG', { state: 'NOT RUNNING', files: { 'big.log': head + FAILURE('BIG') }, served: true, length });
      await r.watcher.runOnce();
      expect(r.calls.bytesRead).toBe(Buffer.byteLength(head + FAILURE('BIG')));
      expect((await found(r, 'BIG'))!.outcome).toMatchObject({ result: 'failed', source: 'log' });
    },
  );

  it('keeps 64 KiB of a long log', async () => {
    const log = `${'x'.repeat(200_000)}\nJob "HR"."J" successfully completed\n`;
    const tail = await tailOf(Readable.from([Buffer.from(log)]), LOG_TAIL_BYTES, Number.MAX_SAFE_INTEGER);
    expect(tail).toHaveLength(LOG_TAIL_BYTES);
    expect(log.endsWith(tail)).toBe(true);
  });
});

/** @module createJobViews: shared, kept reads of a job, polls waiting for it to change (fake clock, memory store). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createMemoryStore } from '../../../src/gateway/store/memory.js';
import type { JobRecord, StateStore } from '../../../src/gateway/store/types.js';
import type { OrdsJob } from '../../../src/gateway/upstream/ords-contract.js';
import type { JobResult } from '../../../src/gateway/upstream/ords-port.js';
import {
  createJobViews,
  type JobViews,
  recordFingerprint,
  type WaitEnd,
} from '../../../src/gateway/watch/job-views.js';
import { at, job, seed } from '../store/fixtures.js';

const DB = 'orcl';
const OWNER = 'HR';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(Date.UTC(2025, 0, 15, 8));
});
afterEach(() => {
  vi.useRealTimers();
});

/** ORDS's answer for a job in `state`. */
function ordsRead(name: string, state = 'EXECUTING'): JobResult {
  const ords = { job_name: name, owner_name: OWNER, operation: 'EXPORT', job_mode: 'SCHEMA', state } as OrdsJob;
  return { kind: 'job', job: ords, etag: undefined };
}

/** A fetch that answers when the test says: each call is kept with its signal. */
function heldFetch() {
  const calls: { signal: AbortSignal; resolve(read: JobResult): void; reject(error: unknown): void }[] = [];
  const fetch = vi.fn(
    (signal: AbortSignal) =>
      new Promise<JobResult>((resolve, reject) => {
        calls.push({ signal, resolve, reject });
      }),
  );
  return { fetch, calls };
}

/** How a promise ended so far (undefined while pending), for checks between clock steps. */
function track<T>(promise: Promise<T>): { value?: T; error?: unknown; done: boolean } {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

/** Lets the store's promises and the views' callbacks run, without moving the clock. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Rig {
  views: JobViews;
  store: StateStore;
  settings: { freshMs: number; changeCheckMs: number };
  find: ReturnType<typeof vi.spyOn>;
  checkErrors: unknown[];
}

function rig(settings: { freshMs?: number; changeCheckMs?: number } = {}): Rig {
  const store = createMemoryStore();
  const current = { freshMs: 1_000, changeCheckMs: 500, ...settings };
  const find = vi.spyOn(store.registry, 'find');
  const checkErrors: unknown[] = [];
  const views = createJobViews({
    registry: store.registry,
    settings: () => current,
    clock: () => Date.now(),
    onCheckError: (err) => checkErrors.push(err),
  });
  return { views, store, settings: current, find, checkErrors };
}

/** A job recorded as the gateway records one (a completed intent), and its record as the store gives it back. */
async function recorded(r: Rig, name: string): Promise<JobRecord> {
  await seed(r.store, job({ ownerName: OWNER, jobName: name, createdAt: at(0), lastSeenAt: at(0) }));
  r.find.mockClear();
  const record = await r.store.registry.find(DB, OWNER, name);
  r.find.mockClear();
  return record!;
}

const signal = () => new AbortController().signal;

describe('read: one ORDS read at a time per job, kept for fresh_ms', () => {
  it('concurrent reads of one job call fetch once and share its result; own for the first only', async () => {
    const r = rig();
    const { fetch, calls } = heldFetch();
    const record = job({ jobName: 'J' });
    const reads = [
      r.views.read(DB, OWNER, 'J', record, fetch, signal()),
      r.views.read(DB, OWNER, 'J', undefined, fetch, signal()),
      r.views.read(DB, OWNER, 'J', undefined, fetch, signal()),
    ];
    expect(fetch).toHaveBeenCalledTimes(1);
    const answer = ordsRead('J');
    calls[0]!.resolve(answer);
    const got = await Promise.all(reads);
    expect(got.map((g) => g.own)).toEqual([true, false, false]);
    // Every sharer gets the one read, with the record of the poll that made it.
    for (const g of got) {
      expect(g.read).toBe(answer);
      expect(g.record).toBe(record);
    }
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('reads of different jobs do not share', async () => {
    const r = rig();
    const { fetch, calls } = heldFetch();
    const a = r.views.read(DB, OWNER, 'A', undefined, fetch, signal());
    const b = r.views.read(DB, OWNER, 'B', undefined, fetch, signal());
    const c = r.views.read('other', OWNER, 'A', undefined, fetch, signal());
    expect(fetch).toHaveBeenCalledTimes(3);
    calls.forEach((call, i) => call.resolve(ordsRead(`J${i}`)));
    expect((await Promise.all([a, b, c])).map((g) => [g.own, g.read])).toEqual([
      [true, ordsRead('J0')],
      [true, ordsRead('J1')],
      [true, ordsRead('J2')],
    ]);
  });

  it('the read is fresh for fresh_ms after it came back, then no more (and then a read fetches again)', async () => {
    const r = rig({ freshMs: 1_000 });
    const { fetch, calls } = heldFetch();
    const record = job({ jobName: 'J' });
    expect(r.views.fresh(DB, OWNER, 'J')).toBeUndefined();
    const pending = r.views.read(DB, OWNER, 'J', record, fetch, signal());
    vi.advanceTimersByTime(300); // the window starts when ORDS answered, not when it was asked
    calls[0]!.resolve(ordsRead('J'));
    await pending;
    vi.advanceTimersByTime(999);
    expect(r.views.fresh(DB, OWNER, 'J')).toEqual({ read: ordsRead('J'), record, at: Date.now() - 999 });
    vi.advanceTimersByTime(1);
    expect(r.views.fresh(DB, OWNER, 'J')).toBeUndefined();
    expect(r.views.fresh(DB, OWNER, 'J')).toBeUndefined();
    void r.views.read(DB, OWNER, 'J', record, fetch, signal());
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('fresh_ms is read on every use: a reload that shortens it shortens what is fresh', async () => {
    const r = rig({ freshMs: 10_000 });
    r.views.seen(DB, OWNER, 'J', { read: ordsRead('J'), record: undefined });
    vi.advanceTimersByTime(2_000);
    expect(r.views.fresh(DB, OWNER, 'J')).toBeDefined();
    r.settings.freshMs = 1_000;
    expect(r.views.fresh(DB, OWNER, 'J')).toBeUndefined();
  });

  it('fresh_ms 0: every read fetches with its own signal, nothing is fresh, seen keeps nothing', async () => {
    const r = rig({ freshMs: 0 });
    const { fetch, calls } = heldFetch();
    const [s1, s2] = [signal(), signal()];
    const reads = [
      r.views.read(DB, OWNER, 'J', undefined, fetch, s1),
      r.views.read(DB, OWNER, 'J', undefined, fetch, s2),
    ];
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(calls.map((c) => c.signal)).toEqual([s1, s2]);
    calls[0]!.resolve(ordsRead('J', 'EXECUTING'));
    calls[1]!.resolve(ordsRead('J', 'COMPLETED'));
    const got = await Promise.all(reads);
    expect(got.map((g) => [g.own, g.read])).toEqual([
      [true, ordsRead('J', 'EXECUTING')],
      [true, ordsRead('J', 'COMPLETED')],
    ]);
    expect(r.views.fresh(DB, OWNER, 'J')).toBeUndefined();
    r.views.seen(DB, OWNER, 'J', { read: ordsRead('J'), record: undefined });
    expect(r.views.fresh(DB, OWNER, 'J')).toBeUndefined();
  });

  it("the shared fetch's signal aborts only once every sharer's signal aborted", async () => {
    const r = rig();
    const { fetch, calls } = heldFetch();
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const reads = controllers.map((c) => r.views.read(DB, OWNER, 'J', undefined, fetch, c.signal).catch((e) => e));
    const shared = calls[0]!.signal;
    expect(controllers.map((c) => c.signal)).not.toContain(shared);
    controllers[0]!.abort();
    controllers[2]!.abort();
    expect(shared.aborted).toBe(false);
    controllers[1]!.abort();
    expect(shared.aborted).toBe(true);
    calls[0]!.reject(shared.reason);
    expect(await Promise.all(reads)).toEqual([shared.reason, shared.reason, shared.reason]);
  });

  it('a sharer whose signal had already aborted does not keep the read alive', async () => {
    const r = rig();
    const { fetch, calls } = heldFetch();
    const first = new AbortController();
    const gone = new AbortController();
    gone.abort();
    void r.views.read(DB, OWNER, 'J', undefined, fetch, first.signal).catch(() => undefined);
    void r.views.read(DB, OWNER, 'J', undefined, fetch, gone.signal).catch(() => undefined);
    first.abort();
    expect(calls[0]!.signal.aborted).toBe(true);
  });

  it('a failed fetch rejects every sharer and keeps nothing; the next read fetches again', async () => {
    const r = rig();
    const { fetch, calls } = heldFetch();
    const reads = [1, 2, 3].map(() => r.views.read(DB, OWNER, 'J', undefined, fetch, signal()).catch((e) => e));
    const failure = new Error('ORDS 503');
    calls[0]!.reject(failure);
    expect(await Promise.all(reads)).toEqual([failure, failure, failure]);
    expect(r.views.fresh(DB, OWNER, 'J')).toBeUndefined();
    const again = r.views.read(DB, OWNER, 'J', undefined, fetch, signal());
    expect(fetch).toHaveBeenCalledTimes(2);
    calls[1]!.resolve(ordsRead('J'));
    expect(await again).toMatchObject({ own: true, read: ordsRead('J') });
  });

  it('a read arriving once every sharer gave up on the one in flight reads anew, not inheriting its abort', async () => {
    const r = rig();
    // As a real fetch does: an abort rejects it.
    const abortable = vi.fn(
      (s: AbortSignal) => new Promise<JobResult>((_, reject) => s.addEventListener('abort', () => reject(s.reason))),
    );
    const gone = new AbortController();
    const first = r.views.read(DB, OWNER, 'J', undefined, abortable, gone.signal).catch((e: unknown) => e);
    gone.abort(); // the only poll went away: its read is aborted…
    const next = vi.fn(async () => ordsRead('J', 'COMPLETED'));
    const later = await r.views.read(DB, OWNER, 'J', undefined, next, signal()).catch((e: unknown) => e);
    // …and the poll that came next gets a read of its own.
    expect(later).toMatchObject({ own: true, read: ordsRead('J', 'COMPLETED') });
    expect(next).toHaveBeenCalledTimes(1);
    expect(await first).toMatchObject({ name: 'AbortError' });
    // The abandoned read settling later does not forget the new one's result.
    expect(r.views.fresh(DB, OWNER, 'J')?.read).toEqual(ordsRead('J', 'COMPLETED'));
  });
});

describe('seen and changed', () => {
  it('seen keeps a read the caller made (the watcher): fresh for fresh_ms', () => {
    const r = rig();
    const view = { read: ordsRead('J'), record: job({ jobName: 'J' }) };
    r.views.seen(DB, OWNER, 'J', view);
    expect(r.views.fresh(DB, OWNER, 'J')).toMatchObject(view);
    vi.advanceTimersByTime(1_000);
    expect(r.views.fresh(DB, OWNER, 'J')).toBeUndefined();
  });

  it('changed drops the kept read only when asked to', () => {
    const r = rig();
    r.views.seen(DB, OWNER, 'J', { read: ordsRead('J'), record: undefined });
    r.views.changed(DB, OWNER, 'J');
    expect(r.views.fresh(DB, OWNER, 'J')).toBeDefined();
    r.views.changed(DB, OWNER, 'J', true);
    expect(r.views.fresh(DB, OWNER, 'J')).toBeUndefined();
  });
});

describe('once', () => {
  it('runs work once for concurrent callers of one job, who all get its result; then runs it again', async () => {
    const r = rig();
    let release!: (value: string) => void;
    const work = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const callers = [1, 2, 3].map(() => r.views.once(DB, OWNER, 'J', work));
    const other = r.views.once(DB, OWNER, 'K', async () => 'other job');
    expect(work).toHaveBeenCalledTimes(1);
    release('settled');
    expect(await Promise.all(callers)).toEqual(['settled', 'settled', 'settled']);
    expect(await other).toBe('other job');
    const again = vi.fn(async () => 'again');
    expect(await r.views.once(DB, OWNER, 'J', again)).toBe('again');
    expect(again).toHaveBeenCalledTimes(1);
  });

  it('a failure rejects every concurrent caller and is not kept', async () => {
    const r = rig();
    let fail!: (error: Error) => void;
    const work = vi.fn(() => new Promise<string>((_, reject) => (fail = reject)));
    const callers = [1, 2].map(() => r.views.once(DB, OWNER, 'J', work).catch((e: unknown) => e));
    const failure = new Error('store down');
    fail(failure);
    expect(await Promise.all(callers)).toEqual([failure, failure]);
    expect(await r.views.once(DB, OWNER, 'J', async () => 'ok')).toBe('ok');
  });
});

describe('waitForChange', () => {
  it('resolves changed on changed() of its job, and only of its job', async () => {
    const r = rig();
    const j = track(r.views.waitForChange(DB, OWNER, 'J', undefined, 30_000));
    const k = track(r.views.waitForChange(DB, OWNER, 'K', undefined, 30_000));
    r.views.changed(DB, OWNER, 'J');
    await flush();
    expect(j).toEqual({ value: 'changed', done: true });
    expect(k.done).toBe(false);
    expect(r.views.waiting()).toBe(1);
  });

  it.each([
    [
      'observed (a state, files, a log tail)',
      (s: StateStore) =>
        s.registry.observe(DB, OWNER, 'J', { state: 'EXECUTING', files: ['J.LOG'], logTail: 'x', at: at(1) }),
    ],
    [
      'finished (an outcome)',
      (s: StateStore) =>
        s.registry.finish(DB, OWNER, 'J', {
          state: 'COMPLETED',
          outcome: { result: 'succeeded', source: 'log' },
          files: ['J.LOG'],
          logTail: 'done',
          at: at(2),
        }),
    ],
  ])('resolves changed when the store record was %s elsewhere: at the next check, not before', async (_, move) => {
    const r = rig({ changeCheckMs: 500 });
    const since = await recorded(r, 'J');
    const waits = [1, 2].map(() => track(r.views.waitForChange(DB, OWNER, 'J', since, 30_000)));
    await vi.advanceTimersByTimeAsync(500); // a check finds nothing moved
    await flush();
    expect(r.find).toHaveBeenCalledTimes(1);
    expect(waits.map((w) => w.done)).toEqual([false, false]);

    await move(r.store); // another replica writes
    await vi.advanceTimersByTimeAsync(499);
    await flush();
    expect(waits.map((w) => w.done)).toEqual([false, false]);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(waits.map((w) => w.value)).toEqual(['changed', 'changed']);
    expect(r.find).toHaveBeenCalledTimes(2);
    expect(r.views.waiting()).toBe(0);
  });

  it('a record that moved drops the read kept with the older record', async () => {
    const r = rig({ changeCheckMs: 500 });
    const since = await recorded(r, 'J');
    r.views.seen(DB, OWNER, 'J', { read: ordsRead('J'), record: since });
    const wait = track(r.views.waitForChange(DB, OWNER, 'J', since, 30_000));
    await r.store.registry.updateState(DB, OWNER, 'J', 'DEFINING', at(3));
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(wait.value).toBe('changed');
    expect(r.views.fresh(DB, OWNER, 'J')).toBeUndefined();
  });

  it("a read kept with the very record the store now holds (this replica's own write) stays, and still wakes", async () => {
    const r = rig({ changeCheckMs: 500, freshMs: 60_000 });
    const since = await recorded(r, 'J');
    const wait = track(r.views.waitForChange(DB, OWNER, 'J', since, 30_000));
    await r.store.registry.updateState(DB, OWNER, 'J', 'DEFINING', at(3));
    const now = (await r.store.registry.find(DB, OWNER, 'J'))!;
    r.views.seen(DB, OWNER, 'J', { read: ordsRead('J', 'DEFINING'), record: now });
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(wait.value).toBe('changed');
    expect(r.views.fresh(DB, OWNER, 'J')?.record).toEqual(now);
  });

  it('a record that did not move wakes nobody: timeout after ms, to the millisecond', async () => {
    const r = rig({ changeCheckMs: 500 });
    const since = await recorded(r, 'J');
    const wait = track(r.views.waitForChange(DB, OWNER, 'J', since, 10_000));
    await vi.advanceTimersByTimeAsync(9_999);
    await flush();
    expect(wait.done).toBe(false);
    expect(r.find).toHaveBeenCalledTimes(19);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(wait.value).toBe('timeout');
    // Nobody waits: the check due at the same instant is not made, and none is left scheduled.
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(r.find).toHaveBeenCalledTimes(19);
  });

  it('change_check_ms is read when each check is scheduled (a reload changes it)', async () => {
    const r = rig({ changeCheckMs: 500 });
    const since = await recorded(r, 'J');
    void r.views.waitForChange(DB, OWNER, 'J', since, 30_000);
    r.settings.changeCheckMs = 2_000;
    await vi.advanceTimersByTimeAsync(500); // the check scheduled with 500
    await flush();
    expect(r.find).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_999);
    await flush();
    expect(r.find).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(r.find).toHaveBeenCalledTimes(2);
  });

  it('one store read per job per check, however many polls wait on it', async () => {
    const r = rig({ changeCheckMs: 500 });
    const a = await recorded(r, 'A');
    const b = await recorded(r, 'B');
    for (let i = 0; i < 50; i++) void r.views.waitForChange(DB, OWNER, 'A', a, 30_000);
    for (let i = 0; i < 7; i++) void r.views.waitForChange(DB, OWNER, 'B', b, 30_000);
    expect(r.views.waiting()).toBe(57);
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(r.find.mock.calls).toEqual([
      [DB, OWNER, 'A'],
      [DB, OWNER, 'B'],
    ]);
    await vi.advanceTimersByTimeAsync(1_000);
    await flush();
    expect(r.find).toHaveBeenCalledTimes(6);
  });

  it('a store read that fails is reported, and the wait goes on to the next check', async () => {
    const r = rig({ changeCheckMs: 500 });
    const since = await recorded(r, 'J');
    const failure = new Error('store unreachable');
    r.find.mockRejectedValueOnce(failure);
    const wait = track(r.views.waitForChange(DB, OWNER, 'J', since, 30_000));
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(r.checkErrors).toEqual([failure]);
    expect(wait.done).toBe(false);
    await r.store.registry.updateState(DB, OWNER, 'J', 'DEFINING', at(3));
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(wait.value).toBe('changed');
  });

  it('resolves aborted when its signal aborts, and at once for a signal already aborted', async () => {
    const r = rig();
    const controller = new AbortController();
    const wait = track(r.views.waitForChange(DB, OWNER, 'J', undefined, 30_000, controller.signal));
    controller.abort();
    await flush();
    expect(wait.value).toBe('aborted');
    expect(r.views.waiting()).toBe(0);
    expect(await r.views.waitForChange(DB, OWNER, 'J', undefined, 30_000, controller.signal)).toBe('aborted');
    expect(r.views.waiting()).toBe(0);
  });

  it('ms of 0 or less is a timeout at once', async () => {
    const r = rig();
    expect(await r.views.waitForChange(DB, OWNER, 'J', undefined, 0)).toBe('timeout');
    expect(await r.views.waitForChange(DB, OWNER, 'J', undefined, -5)).toBe('timeout');
    expect(r.views.waiting()).toBe(0);
  });

  it('close answers every waiting poll closing, and every later wait at once', async () => {
    const r = rig();
    const since = await recorded(r, 'J');
    const waits = [
      track(r.views.waitForChange(DB, OWNER, 'J', since, 30_000)),
      track(r.views.waitForChange(DB, OWNER, 'J', since, 30_000)),
      track(r.views.waitForChange(DB, OWNER, 'K', undefined, 30_000)),
    ];
    r.views.close();
    await flush();
    expect(waits.map((w) => w.value)).toEqual(['closing', 'closing', 'closing']);
    expect(r.views.waiting()).toBe(0);
    expect(await r.views.waitForChange(DB, OWNER, 'J', since, 30_000)).toBe('closing');
    expect(vi.getTimerCount()).toBe(0);
    expect(r.find).not.toHaveBeenCalled();
  });

  it('waiting counts the polls waiting now, as they come and go', async () => {
    const r = rig();
    expect(r.views.waiting()).toBe(0);
    const controller = new AbortController();
    void r.views.waitForChange(DB, OWNER, 'J', undefined, 1_000);
    void r.views.waitForChange(DB, OWNER, 'J', undefined, 5_000, controller.signal);
    void r.views.waitForChange(DB, OWNER, 'K', undefined, 5_000);
    void r.views.waitForChange(DB, OWNER, 'L', undefined, 5_000);
    expect(r.views.waiting()).toBe(4);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.views.waiting()).toBe(3);
    controller.abort();
    expect(r.views.waiting()).toBe(2);
    r.views.changed(DB, OWNER, 'K');
    expect(r.views.waiting()).toBe(1);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(r.views.waiting()).toBe(0);
  });

  it('a wait that began after a change compares with its own starting record', async () => {
    const r = rig({ changeCheckMs: 500 });
    const since = await recorded(r, 'J');
    await r.store.registry.updateState(DB, OWNER, 'J', 'DEFINING', at(3));
    const wait = track<WaitEnd>(r.views.waitForChange(DB, OWNER, 'J', since, 30_000));
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    expect(wait.value).toBe('changed');
  });
});

describe('bounds', () => {
  it('keeps reads of at most 10,000 jobs, the least recently used going first', () => {
    const r = rig({ freshMs: 60_000 });
    for (let i = 0; i < 10_000; i++) r.views.seen(DB, OWNER, `J${i}`, { read: ordsRead(`J${i}`), record: undefined });
    expect(r.views.fresh(DB, OWNER, 'J0')).toBeDefined(); // J0 is now the most recently used
    r.views.seen(DB, OWNER, 'J10000', { read: ordsRead('J10000'), record: undefined });
    expect(r.views.fresh(DB, OWNER, 'J1')).toBeUndefined();
    expect(r.views.fresh(DB, OWNER, 'J0')).toBeDefined();
    expect(r.views.fresh(DB, OWNER, 'J2')).toBeDefined();
    expect(r.views.fresh(DB, OWNER, 'J10000')).toBeDefined();
    let kept = 0;
    for (let i = 0; i <= 10_000; i++) if (r.views.fresh(DB, OWNER, `J${i}`)) kept++;
    expect(kept).toBe(10_000);
  });
});

describe('recordFingerprint', () => {
  it('moves with what the watcher and polls write, not with the log tail alone', () => {
    const base = job({ jobName: 'J' });
    expect(recordFingerprint(undefined)).toBe('');
    expect(recordFingerprint({ ...base })).toBe(recordFingerprint(base));
    for (const moved of [
      { lastState: 'COMPLETED' },
      { lastSeenAt: at(5) },
      { outcome: { result: 'succeeded', source: 'log' } as const },
      { files: ['J.LOG'] },
    ])
      expect(recordFingerprint({ ...base, ...moved })).not.toBe(recordFingerprint(base));
    expect(recordFingerprint({ ...base, logTail: 'more' })).toBe(recordFingerprint(base));
  });
});

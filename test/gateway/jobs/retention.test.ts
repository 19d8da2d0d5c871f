// The retention purge: its schedule, cutoff, error handling and shutdown, on fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { startRetentionPurge } from '../../../src/gateway/jobs/retention.js';
import { createMemoryStore } from '../../../src/gateway/store/memory.js';
import type { Retention } from '../../../src/gateway/store/types.js';
import { auditEvent, job, seed } from '../store/fixtures.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = new Date('2025-03-01T00:00:00.000Z');

type Purge = Retention['purgeOlderThan'];
const fakeStore = (impl: Purge = async () => ({ jobs: 0, audit: 0 })) => ({ purgeOlderThan: vi.fn(impl) });

describe('startRetentionPurge', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('purges every interval with cutoff = now - retention, and reports each result', async () => {
    const store = fakeStore(async () => ({ jobs: 2, audit: 5 }));
    const onPurged = vi.fn();
    const purge = startRetentionPurge({ store, retentionMs: 30 * DAY, intervalMs: HOUR, onPurged });
    expect(store.purgeOlderThan).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(HOUR);
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(store.purgeOlderThan.mock.calls).toEqual([
      [new Date(T0.getTime() + HOUR - 30 * DAY).toISOString()],
      [new Date(T0.getTime() + 2 * HOUR - 30 * DAY).toISOString()],
    ]);
    expect(onPurged).toHaveBeenLastCalledWith({
      jobs: 2,
      audit: 5,
      cutoff: new Date(T0.getTime() + 2 * HOUR - 30 * DAY).toISOString(),
    });
    await purge.stop();
  });

  it('uses the injected clock and, when asked, purges once right away', async () => {
    const store = fakeStore();
    const purge = startRetentionPurge({
      store,
      retentionMs: DAY,
      intervalMs: HOUR,
      immediate: true,
      now: () => new Date('2030-01-02T00:00:00.000Z'),
    });
    expect(store.purgeOlderThan).toHaveBeenCalledWith('2030-01-01T00:00:00.000Z');
    await purge.stop();
  });

  it('reports failures through onError, never throws, and tries again next tick', async () => {
    let fail = true;
    const store = fakeStore(async () => {
      if (fail) throw new Error('store down');
      return { jobs: 1, audit: 0 };
    });
    const onError = vi.fn(() => {
      throw new Error('even the handler fails');
    });
    const onPurged = vi.fn();
    const purge = startRetentionPurge({ store, retentionMs: DAY, intervalMs: HOUR, onError, onPurged });
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'store down' }));
    fail = false;
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(onPurged).toHaveBeenCalledTimes(1);
    expect(store.purgeOlderThan).toHaveBeenCalledTimes(2);
    await purge.stop();
  });

  it('skips ticks while a slow purge runs; stop() clears the timer and waits for the running purge', async () => {
    let finish!: () => void;
    const store = fakeStore(
      () =>
        new Promise((resolve) => {
          finish = () => resolve({ jobs: 0, audit: 0 });
        }),
    );
    const onPurged = vi.fn();
    const purge = startRetentionPurge({ store, retentionMs: DAY, intervalMs: HOUR, onPurged });
    await vi.advanceTimersByTimeAsync(3 * HOUR);
    expect(store.purgeOlderThan).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = purge.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(onPurged).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5 * HOUR);
    expect(store.purgeOlderThan).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('unrefs its timer (housekeeping never keeps the process alive) and clears the same handle', async () => {
    const handle = { unref: vi.fn() };
    const setInterval = vi.fn(() => handle);
    const clearInterval = vi.fn();
    const purge = startRetentionPurge({
      store: fakeStore(),
      retentionMs: DAY,
      intervalMs: HOUR,
      setInterval,
      clearInterval,
    });
    expect(setInterval).toHaveBeenCalledWith(expect.any(Function), HOUR);
    expect(handle.unref).toHaveBeenCalledTimes(1);
    await purge.stop();
    await purge.stop();
    expect(clearInterval).toHaveBeenCalledTimes(1);
    expect(clearInterval).toHaveBeenCalledWith(handle);
  });

  it('refuses a non-positive retention or interval', () => {
    const store = fakeStore();
    expect(() => startRetentionPurge({ store, retentionMs: 0, intervalMs: HOUR })).toThrow(RangeError);
    expect(() => startRetentionPurge({ store, retentionMs: DAY, intervalMs: -1 })).toThrow(RangeError);
    expect(() => startRetentionPurge({ store, retentionMs: Number.NaN, intervalMs: HOUR })).toThrow(RangeError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('end to end with a real store: old jobs and events go, recent ones stay', async () => {
    const store = createMemoryStore();
    await seed(store, job({ jobName: 'OLD', createdAt: '2025-01-01T00:00:00.000Z', lastState: 'COMPLETED' }));
    await seed(store, job({ jobName: 'NEW', createdAt: '2025-02-27T00:00:00.000Z' }));
    await store.audit.append(auditEvent({ at: '2024-12-31T00:00:00.000Z' }));
    const onPurged = vi.fn();
    const purge = startRetentionPurge({ store: store.retention, retentionMs: 7 * DAY, intervalMs: HOUR, onPurged });
    await vi.advanceTimersByTimeAsync(HOUR);
    // The old job's record and two old audit events go: the one appended, and the one its completion wrote.
    expect(onPurged).toHaveBeenCalledWith(expect.objectContaining({ jobs: 1, audit: 2 }));
    expect(await store.registry.find('orcl', 'HR', 'OLD')).toBeUndefined();
    expect(await store.registry.find('orcl', 'HR', 'NEW')).toBeDefined();
    await purge.stop();
  });

  it('with auditRetentionMs: the audit cutoff is now - audit retention, the job cutoff stays now - retention', async () => {
    const store = fakeStore();
    const purge = startRetentionPurge({ store, retentionMs: 30 * DAY, auditRetentionMs: 400 * DAY, intervalMs: HOUR });
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(store.purgeOlderThan.mock.calls).toEqual([
      [new Date(T0.getTime() + HOUR - 30 * DAY).toISOString(), new Date(T0.getTime() + HOUR - 400 * DAY).toISOString()],
    ]);
    await purge.stop();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses an audit retention of %s', (auditRetentionMs) => {
    expect(() =>
      startRetentionPurge({ store: fakeStore(), retentionMs: DAY, auditRetentionMs, intervalMs: HOUR }),
    ).toThrow(RangeError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('end to end on the controlled clock: audit events outlive their job records, until their own retention', async () => {
    const store = createMemoryStore();
    // T0 is 2025-03-01; the job and its completion's event are 40 days old, another event 500 days old.
    await seed(store, job({ jobName: 'OLD', createdAt: '2025-01-20T00:00:00.000Z', lastState: 'COMPLETED' }));
    await store.audit.append(auditEvent({ at: '2023-10-18T00:00:00.000Z', requestId: 'ancient' }));
    const onPurged = vi.fn();
    const purge = startRetentionPurge({
      store: store.retention,
      retentionMs: 30 * DAY,
      auditRetentionMs: 400 * DAY,
      intervalMs: DAY,
      onPurged,
    });
    await vi.advanceTimersByTimeAsync(DAY);
    expect(onPurged).toHaveBeenLastCalledWith(expect.objectContaining({ jobs: 1, audit: 1 }));
    expect(await store.registry.find('orcl', 'HR', 'OLD')).toBeUndefined();
    expect((await store.audit.list({ limit: 10 })).map((e) => e.requestId)).toEqual(['done:OLD']);
    // 360 days later the job's event is 401 days old: now it goes too.
    await vi.advanceTimersByTimeAsync(360 * DAY);
    expect(await store.audit.list({ limit: 10 })).toEqual([]);
    await purge.stop();
  });
});

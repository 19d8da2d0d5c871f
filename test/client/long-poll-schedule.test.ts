/** @module waitForJob's long-poll schedule against a scripted gateway (no gateway code), on vitest's fake clock. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  createDatapumpClient,
  DatapumpWaitTimeoutError,
  type FetchLike,
  type Job,
  type JobOutcome,
  type WaitOptions,
  type WaitProgress,
} from '../../src/client/index.js';
import { FAKE_URL, FakeGateway, type LongPoll, problem, RUNNING, type SeenRequest } from './fake-gateway.js';

const DONE: JobOutcome = { result: 'succeeded', source: 'log', errors: 0 };
const running = { state: 'EXECUTING', outcome: RUNNING };
const completed = { state: 'COMPLETED', outcome: DONE };

beforeEach(() => {
  // setImmediate and the microtask queue stay real: the fake's Responses are read through them.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets every answer already due be read and acted on, without moving the fake clock. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function rig(longPoll: LongPoll, steps: readonly { state: string; outcome: JobOutcome }[], manual = false) {
  const gateway = new FakeGateway([{ name: 'J', steps, manual }], { longPoll });
  const make = (fetch: FetchLike = gateway.fetch) =>
    createDatapumpClient({ baseUrl: FAKE_URL, apiKey: 'k', database: 'orcl', fetch });
  const progress: WaitProgress[] = [];
  let end: { job?: Job; error?: unknown; at: number } | undefined;
  const wait = (options: WaitOptions = {}, fetch?: FetchLike) => {
    const promise = make(fetch).waitForJob('PDBADMIN,J', {
      pollIntervalMs: 1_000,
      maxPollIntervalMs: 2_000,
      onProgress: (p) => progress.push(p),
      ...options,
    });
    promise.then(
      (job) => (end = { job, at: Date.now() }),
      (error: unknown) => (end = { error, at: Date.now() }),
    );
    return promise;
  };
  const polls = (): SeenRequest[] => gateway.requests.filter((r) => r.path.endsWith(',J/'));
  return { gateway, wait, polls, progress, ended: () => end };
}

describe('waitForJob with a gateway that long-polls (Preference-Applied)', () => {
  it('never sleeps between polls: each answer is followed by the next poll at once, the end reported as it comes', async () => {
    const r = rig('honour', [running, completed], true);
    void r.wait({ pollIntervalMs: 5_000, maxPollIntervalMs: 20_000 });
    await flush();
    // The first read, then at once the first long-poll, which the gateway holds.
    expect(r.polls().map((p) => [p.status, p.prefer])).toEqual([[200, null]]);
    expect(r.gateway.holding('J')).toBe(1);
    // The only timer is the gateway's hold: the client has nothing scheduled of its own.
    expect(vi.getTimerCount()).toBe(1);

    await vi.advanceTimersByTimeAsync(30_000);
    await flush();
    // Its wait ran out: a 304 that says it waited, and the next long-poll is held from the same instant.
    expect(r.polls()[1]).toMatchObject({ status: 304, prefer: 'wait=30', preferenceApplied: 'wait=30' });
    expect(r.polls()[1]!.at).toBe(0);
    expect(r.polls()[1]!.answeredAt).toBe(30_000);
    expect(r.gateway.holding('J')).toBe(1);
    expect(r.gateway.reads('J')).toBe(3);
    expect(r.ended()).toBeUndefined();

    await vi.advanceTimersByTimeAsync(12_345);
    r.gateway.advance('J'); // the job ends: the held poll answers with it
    await flush();
    expect(r.ended()).toMatchObject({ at: 42_345, job: { state: 'COMPLETED', outcome: DONE } });
    const third = r.polls()[2]!;
    expect(third).toMatchObject({ status: 200, prefer: 'wait=30', preferenceApplied: 'wait=30', at: 30_000 });
    expect(third.answeredAt).toBe(42_345);
    expect(r.polls()).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
    // onProgress after every answer, the long-poll's 304 too.
    expect(r.progress.map((p) => [p.state, p.changed, p.elapsedMs])).toEqual([
      ['EXECUTING', true, 0],
      ['EXECUTING', false, 30_000],
      ['COMPLETED', true, 42_345],
    ]);
  });

  it('a 503 while long-polling is waited out (Retry-After), then long-polling goes on', async () => {
    const r = rig('honour', [running, completed], true);
    r.gateway.interruptions.push(() => problem(503, 'upstream-unavailable', '3'));
    void r.wait();
    await flush();
    expect(r.polls().map((p) => p.status)).toEqual([503]);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(r.polls()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(r.polls().map((p) => [p.status, p.at])).toEqual([
      [503, 0],
      [200, 3_000],
    ]);
    expect(r.gateway.holding('J')).toBe(1);
    r.gateway.advance('J');
    await flush();
    expect(r.ended()).toMatchObject({ at: 3_000, job: { state: 'COMPLETED' } });
  });
});

describe('waitForJob with a gateway that does not long-poll', () => {
  // The old schedule: 1 s, then growing by half up to 2 s; the first conditional poll goes at once (it asks to
  // wait, and only its answer tells that the gateway does not).
  const steps = [running, running, running, running, completed];

  it.each([
    ['ignores Prefer (an older gateway, ORDS, a tenant over the waiting cap)', 'ignore'],
    ['says Preference-Applied but answers at once (a gateway shutting down)', 'hurry'],
  ] as const)('one that %s: the sleeping schedule, not a spin', async (_, mode) => {
    const r = rig(mode, steps);
    void r.wait();
    await vi.advanceTimersByTimeAsync(10_000);
    await flush();
    expect(r.ended()).toMatchObject({ at: 4_500, job: { state: 'COMPLETED' } });
    expect(r.polls().map((p) => [p.at, p.status, p.prefer])).toEqual([
      [0, 200, null],
      [0, 304, 'wait=30'],
      [1_000, 304, 'wait=30'],
      [2_500, 304, 'wait=30'],
      [4_500, 200, 'wait=30'],
    ]);
    expect(r.polls().every((p) => p.answeredAt === p.at)).toBe(true);
    expect(r.progress.map((p) => p.changed)).toEqual([true, false, false, false, true]);
  });

  it('longPollSeconds 0 sends no Prefer header, on exactly the schedule of before', async () => {
    const r = rig('honour', steps);
    void r.wait({ longPollSeconds: 0 });
    await vi.advanceTimersByTimeAsync(10_000);
    await flush();
    expect(r.ended()).toMatchObject({ at: 6_500, job: { state: 'COMPLETED' } });
    expect(r.polls().map((p) => [p.at, p.status, p.prefer, p.preferenceApplied])).toEqual([
      [0, 200, null, null],
      [1_000, 304, null, null],
      [2_500, 304, null, null],
      [4_500, 304, null, null],
      [6_500, 200, null, null],
    ]);
  });
});

describe('waitForJob: timeoutMs while long-polling', () => {
  it("asks for no longer than the whole seconds left, and times out on time, whatever the gateway's wait", async () => {
    const r = rig('honour', [running], true);
    const waiting = r.wait({ timeoutMs: 45_500, pollIntervalMs: 5_000 });
    await vi.advanceTimersByTimeAsync(45_499);
    await flush();
    expect(r.ended()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    await expect(waiting).rejects.toBeInstanceOf(DatapumpWaitTimeoutError);
    expect(r.ended()!.at).toBe(45_500);
    // 30 s, then the 15 whole seconds left; with less than a second left, a plain conditional poll.
    expect(r.polls().map((p) => [p.at, p.status, p.prefer, p.preferenceApplied])).toEqual([
      [0, 200, null, null],
      [0, 304, 'wait=30', 'wait=30'],
      [30_000, 304, 'wait=15', 'wait=15'],
      [45_000, 304, null, null],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires while a long-poll is still pending, and aborts it', async () => {
    const r = rig('honour', [running], true);
    const signals: AbortSignal[] = [];
    // Two seconds of network each way round: the held poll is still on its way back at the deadline.
    const slow: FetchLike = async (request) => {
      signals.push(request.signal);
      const response = await r.gateway.fetch(request);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 2_000);
        request.signal.addEventListener('abort', () => (clearTimeout(timer), reject(request.signal.reason)), {
          once: true,
        });
      });
      return response;
    };
    const waiting = r.wait({ timeoutMs: 20_500 }, slow);
    await vi.advanceTimersByTimeAsync(20_500);
    await flush();
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatapumpWaitTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 20_500, job: { state: 'EXECUTING' } });
    expect(r.ended()!.at).toBe(20_500);
    // Sent at 2 s with 18 of the 18.5 s left: the gateway answers at 20 s, the network brings it at 22 s.
    expect(r.polls().map((p) => [p.at, p.prefer])).toEqual([
      [0, null],
      [2_000, 'wait=18'],
    ]);
    expect(signals).toHaveLength(2);
    expect(signals[1]!.aborted).toBe(true);
  });

  it('rejects with the caller’s reason when its signal aborts a pending long-poll', async () => {
    const r = rig('honour', [running], true);
    const controller = new AbortController();
    const waiting = r.wait({ signal: controller.signal });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(r.gateway.holding('J')).toBe(1);
    controller.abort(new Error('stop'));
    await flush();
    await expect(waiting).rejects.toThrow('stop');
    expect(r.gateway.holding('J')).toBe(0);
  });
});

describe('waitForJob: longPollSeconds is checked before anything is sent', () => {
  it.each([
    ['-1', -1],
    ['61', 61],
    ['1.5', 1.5],
    ['0.5', 0.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', '5' as unknown as number],
  ])('%s is a TypeError', async (_, value) => {
    const r = rig('honour', [running]);
    const error = await r.wait({ longPollSeconds: value }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toMatch(
      /^longPollSeconds must be a whole number of seconds from 0 to 60 \(0: no long-poll\), not /,
    );
    expect((error as TypeError).message.endsWith(typeof value === 'string' ? '"5"' : String(value))).toBe(true);
    expect(r.gateway.requests).toHaveLength(0);
  });

  it.each([
    [0, null],
    [1, 'wait=1'],
    [60, 'wait=60'],
  ])('%s is accepted (Prefer: %s)', async (value, prefer) => {
    const r = rig('ignore', [running, completed]);
    void r.wait({ longPollSeconds: value });
    await vi.advanceTimersByTimeAsync(5_000);
    await flush();
    expect(r.ended()?.job?.state).toBe('COMPLETED');
    expect(r.polls()[1]!.prefer).toBe(prefer);
  });
});

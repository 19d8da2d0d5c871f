/** @module waitForJob long-polls a real gateway and ORDS emulator: it hears of the end within a second of it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDatapumpClient, type FetchLike } from '../../src/client/index.js';
import { type Stack, startStack } from './stack.js';

interface Poll {
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly status: number;
  readonly prefer: string | null;
  readonly applied: string | null;
}

describe('waitForJob against a gateway that long-polls', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      emulator: { config: { jobDurationMs: 5_000, lifecycle: 'completed' } },
      // The watcher comes round only when the test says (runOnce), so the test knows when the gateway saw the end;
      // the freshness window and the store check as shipped.
      config: { watch: { intervalMs: 3_600_000, freshMs: 1_000, changeCheckMs: 500 } },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('resolves within a second of the watcher recording the end, long before its 20 s poll interval', async () => {
    const polls: Poll[] = [];
    let longPolling = false;
    const spy: FetchLike = async (request) => {
      const sentAt = Date.now();
      const prefer = request.headers.get('prefer');
      if (prefer) longPolling = true;
      const response = await fetch(request);
      if (/,DATAPUMP_REST_EXPORT_[^/]+\/$/.test(request.url))
        polls.push({
          sentAt,
          answeredAt: Date.now(),
          status: response.status,
          prefer,
          applied: response.headers.get('preference-applied'),
        });
      return response;
    };
    const hr = createDatapumpClient({ baseUrl: stack.url, apiKey: 'hr-demo-key', database: 'orcl', fetch: spy });
    const job = await hr.exportSchemas(['HR']);
    const started = Date.now();
    let resolvedAt = 0;
    const waiting = hr.waitForJob(job, { pollIntervalMs: 20_000, timeoutMs: 19_000 }).then((done) => {
      resolvedAt = Date.now();
      return done;
    });
    await until(() => longPolling);

    await stack.emulator.advanceClock(6_000); // the job completes in ORDS; the gateway does not know yet
    const round = await stack.gateway.watcher.runOnce();
    const recordedAt = Date.now();
    expect(round.finished).toBe(1);

    const done = await waiting;
    expect(done).toMatchObject({ job_name: job.job_name, state: 'COMPLETED', outcome: { result: 'succeeded' } });
    expect(Math.max(0, resolvedAt - recordedAt)).toBeLessThan(1_000);
    expect(resolvedAt - started).toBeLessThan(10_000);
    // The first read, then one long-poll (N cut to the whole seconds left of the 19 s), answered by the end itself.
    expect(polls.map((p) => [p.status, p.prefer])).toEqual([
      [200, null],
      [200, expect.stringMatching(/^wait=1[0-8]$/)],
    ]);
    expect(polls[1]!.applied).toBe(polls[1]!.prefer);
    expect(polls[1]!.sentAt - polls[0]!.answeredAt).toBeLessThan(500);
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

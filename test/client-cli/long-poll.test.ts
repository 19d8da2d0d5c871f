/** @module `datapump --wait` long-polls (a child process): the end printed within about a second; `--long-poll N`. */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { JobOutcome } from '../../src/client/index.js';
import { FakeGateway, RUNNING, serve } from '../client/fake-gateway.js';
import { type Stack, startStack } from '../client/stack.js';
import { datapump, run } from './run-datapump.js';

const JOB_REF = /PDBADMIN,DATAPUMP_REST_EXPORT_\d{14}(?:_\d+)?/;

interface Seen {
  readonly path: string;
  readonly prefer: string | undefined;
  readonly sentAt: number;
  answeredAt?: number;
  status?: number;
}

/** A loopback proxy in front of `target` that notes every request (the child's polls, as they leave it). */
async function recordingProxy(target: string): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const to = new URL(target);
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const note: Seen = {
      path: req.url ?? '',
      prefer: typeof req.headers.prefer === 'string' ? req.headers.prefer : undefined,
      sentAt: Date.now(),
    };
    seen.push(note);
    const upstream = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        note.status = answer.statusCode;
        note.answeredAt = Date.now();
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('datapump --wait long-polls', { timeout: 60_000 }, () => {
  describe('against a real gateway and ORDS emulator', () => {
    let stack: Stack;
    let proxy: Awaited<ReturnType<typeof recordingProxy>>;
    beforeAll(async () => {
      stack = await startStack({
        emulator: { config: { jobDurationMs: 5_000, lifecycle: 'completed' } },
        // The watcher comes round only when the test says, so the test knows when the gateway saw the end.
        config: { watch: { intervalMs: 3_600_000, freshMs: 1_000, changeCheckMs: 500 } },
      });
      proxy = await recordingProxy(stack.url);
    });
    afterAll(async () => {
      await proxy?.close();
      await stack?.close();
    });

    it('prints the end within about a second of the watcher recording it, though --poll-interval is 20 s', async () => {
      const p = datapump(['export', '--schema', 'HR', '--wait', '--poll-interval', '20000'], {
        DATAPUMP_URL: proxy.url,
        DATAPUMP_API_KEY: 'hr-demo-key',
      });
      const polling = () => proxy.seen.filter((s) => JOB_REF.test(s.path) && s.path.endsWith('/'));
      await until(() => polling().some((s) => s.prefer !== undefined && s.answeredAt === undefined));
      expect(polling().map((s) => s.prefer)).toEqual([undefined, 'wait=30']);

      await stack.emulator.advanceClock(6_000); // the job completes in ORDS; the gateway does not know yet
      expect((await stack.gateway.watcher.runOnce()).finished).toBe(1);
      const recordedAt = Date.now();
      await p.waitFor(({ stdout }) => / COMPLETED: succeeded after \d+ s\n$/.test(stdout));
      const printedAt = Date.now();
      const r = await p.done;

      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^${JOB_REF.source} COMPLETED: succeeded after \\d+ s\\n$`));
      // The held long-poll answered with the end, then only the log's last line was read before printing.
      expect(printedAt - recordedAt).toBeLessThan(2_000);
      const longPoll = polling()[1]!;
      expect(longPoll.status).toBe(200);
      expect(longPoll.answeredAt! - recordedAt).toBeLessThan(1_000);
      expect(polling()).toHaveLength(2);
    });
  });

  describe('--long-poll, against a scripted gateway that honours Prefer: wait', () => {
    const DONE: JobOutcome = { result: 'succeeded', source: 'log', errors: 0 };
    const LOG = 'Starting "PDBADMIN"."JOB":\nJob "PDBADMIN"."JOB" successfully completed at Fri Sep 6 15:57:42 2019\n';
    const steps = [
      { state: 'EXECUTING', outcome: RUNNING },
      { state: 'COMPLETED', outcome: DONE },
    ];
    const gateway = new FakeGateway(
      [
        { name: 'LP_5', file: 'LP_5.DMP', steps, logs: ['Starting\n', LOG], manual: true },
        { name: 'LP_0', file: 'LP_0.DMP', steps: [steps[0]!, steps[0]!, steps[1]!], logs: [LOG] },
      ],
      { longPoll: 'honour' },
    );
    let served: Awaited<ReturnType<typeof serve>>;
    let env: Record<string, string>;
    beforeAll(async () => {
      served = await serve(gateway);
      env = { DATAPUMP_URL: served.url, DATAPUMP_API_KEY: 'k' };
    });
    afterAll(async () => {
      await served?.close();
    });
    const polls = (name: string) => gateway.requests.filter((r) => r.path.endsWith(`,${name}/`));

    it('--long-poll 5 sends Prefer: wait=5 and ends as soon as the held poll answers', async () => {
      const p = datapump(
        ['--long-poll', '5', 'export', '--schema', 'HR', '--file', 'LP_5.DMP', '--wait', '--poll-interval', '20000'],
        env,
      );
      await until(() => gateway.holding('LP_5') === 1);
      gateway.advance('LP_5');
      const advancedAt = Date.now();
      await p.waitFor(({ stdout }) => /COMPLETED: succeeded/.test(stdout));
      expect(Date.now() - advancedAt).toBeLessThan(1_500);
      expect((await p.done).code).toBe(0);
      expect(polls('LP_5').map((r) => [r.status, r.prefer, r.preferenceApplied])).toEqual([
        [200, null, null],
        [200, 'wait=5', 'wait=5'],
      ]);
    });

    it('--long-poll 0 sends no Prefer (the --poll-interval schedule)', async () => {
      const r = await run(
        ['--long-poll', '0', 'export', '--schema', 'HR', '--file', 'LP_0.DMP', '--wait', '--poll-interval', '20'],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(polls('LP_0').map((q) => [q.status, q.prefer])).toEqual([
        [200, null],
        [304, null],
        [200, null],
      ]);
    });

    it.each(['61', '-1', '1.5', 'x'])('--long-poll %s is bad usage (exit 2)', async (value) => {
      const r = await run([`--long-poll=${value}`, 'status', 'PDBADMIN,LP_0'], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--long-poll must be an integer from 0 to 60.');
    });
  });
});

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Graceful shutdown: a gateway process on SIGTERM drains in-flight requests within server.shutdown_grace_ms,
// refuses new connections, cuts what is still running at the deadline, closes its stores and exits 0.
import { connect } from 'node:net';

import request from 'supertest';
import { request as httpRequest } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process.js';
import { testGateway } from '../../helpers/gateway-app.js';
import {
  GATEWAY_PROCESS_ENV,
  gatewayConfigTree,
  type GatewayProcess,
  killAllGatewayProcesses,
  startGatewayProcess,
} from '../../helpers/gateway-process.js';

const HR = { authorization: `Basic ${Buffer.from('hr-team:hr-demo-key').toString('base64')}` };
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ( 'HR' )" }] };

const CUT = 'cut the requests still running (grace period over, or a second signal)';

type Answer = { status: number; headers: Record<string, unknown>; body: string } | { error: Error & { code?: string } };

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs`. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves when a TCP connection to `url` is made, rejects with its error (ECONNREFUSED once the listener is closed). */
function tcpConnect(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

describe('graceful shutdown of a gateway process (SIGTERM)', () => {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await startEmulatorProcess();
  });
  afterEach(async () => {
    await emulator.clearFaults();
  });
  afterAll(async () => {
    await killAllGatewayProcesses();
    await emulator?.stop();
  });

  /** A gateway process with one HR job in its registry; returns the job's path. */
  async function gatewayWithJob(graceMs: number): Promise<{ gw: GatewayProcess; jobPath: string }> {
    const gw = await startGatewayProcess({
      config: gatewayConfigTree({ ordsUrl: emulator.ordsUrl, overrides: { server: { shutdown_grace_ms: graceMs } } }),
      env: GATEWAY_PROCESS_ENV,
    });
    const created = await httpRequest(`${gw.url}/databases/orcl/datapump/jobs/`, {
      method: 'POST',
      headers: { ...HR, 'content-type': 'application/json' },
      body: JSON.stringify(EXPORT_HR),
    });
    expect(created.statusCode, await created.body.text()).toBe(201);
    return { gw, jobPath: new URL(String(created.headers.location)).pathname };
  }

  /** Starts GET job with ORDS answering `ms` late; resolves once ORDS has the request (so it is in flight at the gateway). */
  async function slowRequest(gw: GatewayProcess, jobPath: string, ms: number): Promise<{ answer: Promise<Answer> }> {
    await emulator.clearRequests();
    await emulator.setFaults([{ route: 'job', kind: 'latency', ms }]);
    const answer = httpRequest(`${gw.url}${jobPath}`, { headers: HR }).then(
      async (res): Promise<Answer> => ({ status: res.statusCode, headers: res.headers, body: await res.body.text() }),
      (error: Error): Answer => ({ error }),
    );
    const jobName = jobPath.split(',').at(-1)!;
    // The emulator records a request on arrival, before its latency.
    await until(
      async () => (await emulator.requests()).some((r) => r.method === 'GET' && r.path.endsWith(jobName)),
      'the job read to reach ORDS',
    );
    return { answer }; // wrapped: an async function returning a promise would wait for it
  }

  it('lets the in-flight request finish (200), refuses new connections meanwhile, and exits 0', async () => {
    const { gw, jobPath } = await gatewayWithJob(5_000);
    const { answer } = await slowRequest(gw, jobPath, 2_000);

    const mark = gw.output().length;
    gw.signal('SIGTERM');
    const draining = await gw.waitForLog('stopped accepting connections; draining in-flight requests', { from: mark });
    expect(draining).toMatchObject({ graceMs: 5_000, inFlight: 1 });
    await expect(tcpConnect(gw.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const done = await answer;
    expect(done).toMatchObject({ status: 200, headers: { connection: 'close' } });
    expect(JSON.parse((done as { body: string }).body)).toMatchObject({
      job_name: jobPath.split(',').at(-1)!.replace(/\/$/, ''),
    });
    expect(await gw.exited).toEqual({ code: 0, signal: null });
    const messages = gw.logs().map((l) => l.msg);
    expect(messages).toContain('in-flight requests finished');
    expect(messages).toContain('datapump-gateway stopped');
  });

  it('cuts a request still running when the grace period ends, and still exits 0', async () => {
    const { gw, jobPath } = await gatewayWithJob(1_000);
    const { answer } = await slowRequest(gw, jobPath, 6_000);

    const signalledAt = Date.now();
    gw.signal('SIGTERM');
    const exit = await gw.exited;
    const tookMs = Date.now() - signalledAt;
    expect(exit).toEqual({ code: 0, signal: null });
    // After the grace period, long before ORDS would have answered.
    expect(tookMs).toBeGreaterThanOrEqual(900);
    expect(tookMs).toBeLessThan(4_500);
    const done = await answer;
    expect('error' in done, JSON.stringify(done)).toBe(true);
    expect(gw.logs().find((l) => l.msg === CUT)).toMatchObject({ cut: 1 });
  });

  it('on a second signal (SIGINT, then SIGTERM), cuts the requests still draining at once', async () => {
    const { gw, jobPath } = await gatewayWithJob(10_000);
    const { answer } = await slowRequest(gw, jobPath, 6_000);

    const mark = gw.output().length;
    gw.signal('SIGINT');
    await gw.waitForLog('stopped accepting connections; draining in-flight requests', { from: mark });
    const secondAt = Date.now();
    gw.signal('SIGTERM');
    expect(await gw.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - secondAt).toBeLessThan(3_000);
    expect('error' in (await answer)).toBe(true);
    expect(gw.logs().find((l) => l.msg === CUT)).toMatchObject({ cut: 1 });
  });
});

describe('/readyz once shutdown has started', () => {
  it('answers 503 "shutting down" (so a load balancer drains) while /healthz stays 200', async () => {
    const gw = testGateway();
    try {
      gw.lifecycle.beginShutdown();
      const ready = await request(gw.app).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'shutting down', checks: {} });
      expect(ready.headers['cache-control']).toBe('no-store');
      expect((await request(gw.app).get('/healthz')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

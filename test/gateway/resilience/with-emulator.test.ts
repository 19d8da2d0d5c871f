// Resilience against the real ORDS emulator process and its fault injection: creates are sent once whatever
// happens, GETs are retried through resets, the bulkhead refuses the call beyond max_concurrent while ORDS
// hangs, and the breaker stops the traffic ORDS sees, then recovers through /readyz.
import request from 'supertest';
import { request as http } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Fault } from '../../../src/emulator/index.js';
import { type EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { DBA, eventually, EXPORT_HR, HR, LIST, listening, metricValue, problem, resilienceConfig } from './support.js';

let emulator: EmulatorProcess;
beforeAll(async () => {
  emulator = await startEmulatorProcess({ clock: 'manual' });
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(async () => {
  await emulator.clearFaults();
  await emulator.clearRequests();
  await emulator.clearJobs();
});
afterEach(() => {
  vi.useRealTimers();
});

const gatewayFor = (resilience: Parameters<typeof resilienceConfig>[0], readMs = 2_000) =>
  testGateway({
    config: resilienceConfig(resilience, {
      url: emulator.ordsUrl,
      timeouts: { connectMs: 1_000, createMs: 2_000, readMs, fileIdleMs: 2_000, fileMinBytesPerSecond: 0 },
    }),
  });

/** What reached the emulator's ORDS routes, as `METHOD route`. */
async function ordsRequests(): Promise<string[]> {
  return (await emulator.requests()).map((r) => {
    const route = r.path.endsWith('/metadata-catalog/')
      ? 'metadata'
      : r.path.endsWith('/datapump/jobs/')
        ? 'jobs'
        : r.path;
    return `${r.method} ${route}`;
  });
}

async function jobsInEmulator(): Promise<number> {
  const res = await http(`${emulator.apiUrl}database/datapump/jobs/`, {
    headers: { authorization: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}` },
  });
  const body = (await res.body.json()) as { items: unknown[] };
  return body.items.length;
}

describe('creates reach ORDS once, whatever ORDS does', () => {
  it.each<[Fault, number, number]>([
    [{ route: 'create', kind: 'create-then-reset' }, 503, 1],
    [{ route: 'create', kind: 'reset' }, 503, 0],
    [{ route: 'create', kind: 'status', status: 500 }, 502, 0],
    [{ route: 'create', kind: 'status', status: 503 }, 503, 0],
  ])('%j → %i, one POST, %i job(s) in ORDS', async (fault, status, jobs) => {
    const gw = gatewayFor({ getRetries: 3 });
    await emulator.setFaults([fault]);
    const res = await request(gw.app).post(LIST).set(HR).send(EXPORT_HR);
    expect(res.status).toBe(status);
    await emulator.clearFaults();
    expect(await ordsRequests()).toEqual(['POST jobs']);
    expect(await jobsInEmulator()).toBe(jobs);
    await gw.close();
  });
});

describe('GETs are retried through connection resets', () => {
  it('answers 200 after two resets, with three list requests at ORDS', async () => {
    const gw = gatewayFor({ getRetries: 2, retryBaseMs: 5 });
    await emulator.setFaults([{ route: 'list', kind: 'reset', count: 2 }]);
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200);
    expect(await ordsRequests()).toEqual(['GET jobs', 'GET jobs', 'GET jobs']);
    await gw.close();
  });
});

describe('bulkhead', () => {
  it('with max_concurrent 2 and ORDS hanging, refuses the third call at once with 503 gateway-overloaded, and frees the slots', async () => {
    const gw = gatewayFor({ maxConcurrent: 2 }, 10_000);
    const server = await listening(gw.app);
    await emulator.setFaults([{ route: 'list', kind: 'hang' }]);
    const clients = [new AbortController(), new AbortController()];
    const hung = clients.map((c) =>
      http(`${server.url}${LIST}`, { headers: DBA, signal: c.signal }).catch(() => 'aborted'),
    );
    await eventually('both calls are held by ORDS', async () => (await ordsRequests()).length === 2);

    const started = performance.now();
    const third = await request(gw.app).get(LIST).set(DBA);
    expect(performance.now() - started).toBeLessThan(2_000); // not after ORDS's 10 s read timeout
    expect(third.status).toBe(503);
    expect(third.body.type).toBe(problem('gateway-overloaded'));
    expect(third.headers['retry-after']).toBe('1');
    // Readiness is not behind the bulkhead: a busy gateway is still ready.
    expect((await request(gw.app).get('/readyz')).status).toBe(200);
    expect(await ordsRequests()).toEqual(['GET jobs', 'GET jobs', 'GET metadata']);
    const metrics = await gw.metrics.registry.metrics();
    expect(metricValue(metrics, 'datapump_gateway_ords_bulkhead_rejections_total{database="orcl"}')).toBe(1);
    expect(metricValue(metrics, 'datapump_gateway_ords_in_flight{database="orcl"}')).toBe(2);

    // The clients give up: the gateway abandons their ORDS calls and the slots come back.
    await emulator.clearFaults();
    for (const c of clients) c.abort();
    await Promise.all(hung);
    await eventually(
      'the slots are free',
      async () =>
        metricValue(await gw.metrics.registry.metrics(), 'datapump_gateway_ords_in_flight{database="orcl"}') === 0,
    );
    expect((await request(gw.app).get(LIST).set(DBA)).status).toBe(200);
    expect((await request(gw.app).get(LIST).set(DBA)).status).toBe(200);
    await server.close();
    await gw.close();
  });
});

describe('circuit breaker', () => {
  it('stops calling ORDS once open, shows in /readyz, and closes through /readyz when ORDS is back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const gw = gatewayFor({ failureThreshold: 2, halfOpenAfterMs: 20_000 });
    await emulator.setFaults([{ route: 'list', kind: 'status', status: 500, count: 2 }]);
    expect((await request(gw.app).get(LIST).set(DBA)).status).toBe(502);
    expect((await request(gw.app).get(LIST).set(DBA)).status).toBe(502);
    for (let i = 0; i < 3; i++) {
      const res = await request(gw.app).get(LIST).set(DBA);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('20');
    }
    const notReady = await request(gw.app).get('/readyz');
    expect(notReady.body.checks['ords:orcl']).toEqual({ ok: false, detail: 'circuit-open' });
    expect(await ordsRequests()).toEqual(['GET jobs', 'GET jobs']);

    vi.setSystemTime(Date.now() + 20_000);
    const ready = await request(gw.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect((await request(gw.app).get(LIST).set(DBA)).status).toBe(200);
    expect(await ordsRequests()).toEqual(['GET jobs', 'GET jobs', 'GET metadata', 'GET jobs']);
    await gw.close();
  });
});

// The circuit breaker per database, against ORDS behind an undici MockAgent: it opens after N consecutive
// failures and then answers 503 + Retry-After without calling ORDS, half-opens, closes, shows in /readyz and /metrics.
// Time: cockatiel reads Date.now(), so these tests fake `Date` only (timers stay real).
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { testGateway } from '../../helpers/gateway-app.js';
import { mockOrds, ORDS_API } from '../../helpers/mock-ords.js';
import {
  breakerState,
  counting,
  DBA,
  EMPTY_COLLECTION,
  eventually,
  EXPORT_HR,
  HR,
  LIST,
  metricValue,
  ORDS_LIST,
  problem,
  resetError,
  resilienceConfig,
} from './support.js';

const T0 = new Date('2026-03-01T12:00:00Z').getTime();
const METADATA = `${ORDS_API}metadata-catalog/`;
const ordsError = {
  code: 'InternalServerError',
  message: 'boom',
  type: 'tag:oracle.com,2020:error/InternalServerError',
  instance: 'tag:oracle.com,2020:ecid/X',
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

function gatewayWith(resilience: Parameters<typeof resilienceConfig>[0]) {
  const ords = mockOrds();
  const counted = counting(ords.agent);
  const gw = testGateway({ dispatcher: counted.dispatcher, config: resilienceConfig(resilience) });
  return { ords, calls: counted.calls, gw, list: () => request(gw.app).get(LIST).set(DBA) };
}

describe('circuit breaker', () => {
  it('opens after failureThreshold consecutive failures (5xx and resets), then answers 503 + Retry-After without calling ORDS', async () => {
    const { ords, calls, gw, list } = gatewayWith({ failureThreshold: 3, halfOpenAfterMs: 30_000 });
    ords.answer('GET', ORDS_LIST, 500, ordsError);
    ords.pool.intercept({ method: 'GET', path: (p: string) => ORDS_LIST.test(p) }).replyWithError(resetError());
    ords.answer('GET', ORDS_LIST, 503, { ...ordsError, code: 'ServiceUnavailable' }, { 'retry-after': '7' });
    ords.answer('GET', ORDS_LIST, 200, EMPTY_COLLECTION, {}, 10); // would answer if called

    expect((await list()).status).toBe(502);
    expect((await list()).status).toBe(503);
    const third = await list();
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('7'); // still ORDS's own answer
    expect(calls).toHaveLength(3);

    const refused = await list();
    expect(refused.status).toBe(503);
    expect(refused.body.type).toBe(problem('upstream-unavailable'));
    expect(refused.headers['retry-after']).toBe('30');
    expect(JSON.stringify(refused.body)).not.toContain('127.0.0.1');
    // A create is refused as well, and the Retry-After counts down to the half-open time.
    advance(20_500);
    const create = await request(gw.app).post(LIST).set(HR).send(EXPORT_HR);
    expect(create.status).toBe(503);
    expect(create.headers['retry-after']).toBe('10');
    advance(9_400);
    expect((await list()).headers['retry-after']).toBe('1');
    expect(calls).toHaveLength(3); // ORDS was not called once the breaker opened

    const metrics = await gw.metrics.registry.metrics();
    expect(breakerState(metrics)).toBe('open');
    expect(metricValue(metrics, 'datapump_gateway_ords_circuit_opens_total{database="orcl"}')).toBe(1);
    expect(metricValue(metrics, 'datapump_gateway_ords_circuit_rejections_total{database="orcl"}')).toBe(3);
    await gw.close();
  });

  it('does not count 4xx answers as failures, and a 4xx ends a run of consecutive failures', async () => {
    const { ords, calls, gw, list } = gatewayWith({ failureThreshold: 2 });
    for (const status of [500, 404, 500, 400, 500, 401, 404, 404, 404])
      ords.answer('GET', ORDS_LIST, status, ordsError);
    ords.answer('GET', ORDS_LIST, 200, EMPTY_COLLECTION);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await list()).status);
    expect(statuses).toEqual([502, 404, 502, 422, 502, 502, 404, 404, 404, 200]);
    expect(calls).toHaveLength(10);
    expect(breakerState(await gw.metrics.registry.metrics())).toBe('closed');
    await gw.close();
  });

  it('half-opens after halfOpenAfterMs, lets one call through, and closes when it succeeds', async () => {
    const { ords, calls, gw, list } = gatewayWith({ failureThreshold: 1, halfOpenAfterMs: 10_000 });
    ords.answer('GET', ORDS_LIST, 500, ordsError);
    ords.answer('GET', ORDS_LIST, 200, EMPTY_COLLECTION, {}, 3);
    expect((await list()).status).toBe(502);
    advance(9_999);
    expect((await list()).status).toBe(503);
    expect(calls).toHaveLength(1);
    advance(1);
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(200);
    expect(calls).toHaveLength(4);
    expect(breakerState(await gw.metrics.registry.metrics())).toBe('closed');
    await gw.close();
  });

  it('re-opens for another full period when the half-open call fails', async () => {
    const { ords, calls, gw, list } = gatewayWith({ failureThreshold: 1, halfOpenAfterMs: 10_000 });
    ords.answer('GET', ORDS_LIST, 500, ordsError, {}, 2);
    expect((await list()).status).toBe(502);
    advance(12_000);
    expect((await list()).status).toBe(502); // the probe reached ORDS and failed
    const again = await list();
    expect(again.status).toBe(503);
    expect(again.headers['retry-after']).toBe('10');
    expect(calls).toHaveLength(2);
    expect(
      metricValue(await gw.metrics.registry.metrics(), 'datapump_gateway_ords_circuit_opens_total{database="orcl"}'),
    ).toBe(2);
    await gw.close();
  });

  it('refuses other calls at once with Retry-After: 1 while the half-open call is in flight', async () => {
    const { ords, calls, gw, list } = gatewayWith({ failureThreshold: 1, halfOpenAfterMs: 10_000 });
    ords.answer('GET', ORDS_LIST, 500, ordsError);
    ords.pool
      .intercept({ method: 'GET', path: (p: string) => ORDS_LIST.test(p) })
      .reply(200, JSON.stringify(EMPTY_COLLECTION), { headers: { 'content-type': 'application/json' } })
      .delay(600);
    ords.answer('GET', ORDS_LIST, 200, EMPTY_COLLECTION);
    expect((await list()).status).toBe(502);
    advance(10_000);
    let probeDone = false;
    const probe = list().then((r) => {
      probeDone = true;
      return r;
    });
    await eventually('the half-open call reaches ORDS', () => calls.length === 2);
    const refused = await list();
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(probeDone).toBe(false); // answered while the probe was still waiting for ORDS, not queued behind it
    expect(breakerState(await gw.metrics.registry.metrics())).toBe('half_open');
    expect((await probe).status).toBe(200);
    expect((await list()).status).toBe(200);
    expect(calls).toHaveLength(3);
    await gw.close();
  });

  it('shows in /readyz (circuit-open, ORDS not called) and /readyz is the half-open call that closes it', async () => {
    const { ords, calls, gw, list } = gatewayWith({ failureThreshold: 2, halfOpenAfterMs: 15_000 });
    ords.answer('GET', ORDS_LIST, 500, ordsError, {}, 2);
    ords.answer('GET', METADATA, 200, { items: [], links: [] });
    await list();
    await list();
    const notReady = await request(gw.app).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks['ords:orcl']).toEqual({ ok: false, detail: 'circuit-open' });
    expect(notReady.body.checks.store).toEqual({ ok: true });
    expect(calls).toHaveLength(2);

    const open = await request(gw.app).get('/metrics');
    expect(breakerState(open.text)).toBe('open');
    expect(open.text).toMatch(/datapump_gateway_ords_circuit_rejections_total\{database="orcl"\} 1\b/);

    advance(15_000);
    const ready = await request(gw.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks['ords:orcl']).toEqual({ ok: true });
    expect(calls.map((c) => c.path)).toEqual([
      expect.stringMatching(ORDS_LIST),
      expect.stringMatching(ORDS_LIST),
      METADATA,
    ]);
    const closed = await request(gw.app).get('/metrics');
    expect(breakerState(closed.text)).toBe('closed');
    await gw.close();
  });

  it('counts readiness probes that fail as failures too', async () => {
    const { ords, calls, gw, list } = gatewayWith({ failureThreshold: 2 });
    ords.pool.intercept({ method: 'GET', path: METADATA }).replyWithError(resetError()).times(2);
    expect((await request(gw.app).get('/readyz')).body.checks['ords:orcl']).toEqual({
      ok: false,
      detail: 'upstream-unavailable',
    });
    expect((await request(gw.app).get('/readyz')).body.checks['ords:orcl']).toEqual({
      ok: false,
      detail: 'upstream-unavailable',
    });
    expect((await list()).status).toBe(503);
    expect((await request(gw.app).get('/readyz')).body.checks['ords:orcl']).toEqual({
      ok: false,
      detail: 'circuit-open',
    });
    expect(calls).toHaveLength(2);
    await gw.close();
  });
});

// GET retries with jittered backoff (connection errors, ORDS 503 and 571 only), never a POST, files only before
// their first byte; counted at the dispatcher (MockAgent or a real closed port) or by a raw ORDS stand-in.
import request from 'supertest';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

import { testGateway } from '../../helpers/gateway-app.js';
import { mockOrds, ORDS_JOBS } from '../../helpers/mock-ords.js';
import {
  counting,
  DBA,
  EMPTY_COLLECTION,
  EXPORT_HR,
  HR,
  LIST,
  metricValue,
  ORDS_LIST,
  problem,
  rawServer,
  resetError,
  resilienceConfig,
} from './support.js';

const unavailable = {
  code: 'ServiceUnavailable',
  message: 'pool exhausted',
  type: 'tag:oracle.com,2020:error/ServiceUnavailable',
  instance: 'tag:oracle.com,2020:ecid/X',
};

function gatewayWith(resilience: Parameters<typeof resilienceConfig>[0]) {
  const ords = mockOrds();
  const counted = counting(ords.agent);
  const gw = testGateway({ dispatcher: counted.dispatcher, config: resilienceConfig(resilience) });
  return { ords, calls: counted.calls, gw };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('GET retries', () => {
  it('retries a GET after a reset and after a 503, and succeeds when ORDS recovers (1 + retries ORDS calls)', async () => {
    const { ords, calls, gw } = gatewayWith({ getRetries: 3, retryBaseMs: 5 });
    ords.pool.intercept({ method: 'GET', path: (p: string) => ORDS_LIST.test(p) }).replyWithError(resetError());
    ords.answer('GET', ORDS_LIST, 503, unavailable);
    ords.answer('GET', ORDS_LIST, 200, EMPTY_COLLECTION);
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(calls).toHaveLength(3);
    const metrics = await gw.metrics.registry.metrics();
    expect(metricValue(metrics, 'datapump_gateway_ords_retries_total{database="orcl",reason="connection-lost"}')).toBe(
      1,
    );
    expect(metricValue(metrics, 'datapump_gateway_ords_retries_total{database="orcl",reason="ords-503"}')).toBe(1);
    // Each attempt is timed on its own.
    expect(metrics).toMatch(
      /datapump_gateway_ords_request_duration_seconds_count\{database="orcl",call="read",outcome="503"\} 1/,
    );
    expect(metrics).toMatch(
      /datapump_gateway_ords_request_duration_seconds_count\{database="orcl",call="read",outcome="200"\} 1/,
    );
    await gw.close();
  });

  it("gives up after getRetries and answers with ORDS's last 503 and its Retry-After", async () => {
    const { ords, calls, gw } = gatewayWith({ getRetries: 2 });
    ords.answer('GET', ORDS_LIST, 503, unavailable, { 'retry-after': '17' }, 3);
    ords.answer('GET', ORDS_LIST, 200, EMPTY_COLLECTION);
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(503);
    expect(res.body.type).toBe(problem('upstream-unavailable'));
    expect(res.headers['retry-after']).toBe('17');
    expect(calls).toHaveLength(3);
    await gw.close();
  });

  it("retries a GET answered ORDS's 571 (no database connection) like a 503, and answers 503 once retries run out", async () => {
    const { ords, calls, gw } = gatewayWith({ getRetries: 2, retryBaseMs: 5 });
    const noDatabase = { ...unavailable, code: 'DatabaseConnectionError', message: 'cannot connect' };
    ords.answer('GET', ORDS_LIST, 571, noDatabase);
    ords.answer('GET', ORDS_LIST, 200, EMPTY_COLLECTION);
    const recovered = await request(gw.app).get(LIST).set(DBA);
    expect(recovered.status).toBe(200);
    expect(calls).toHaveLength(2);
    const metrics = await gw.metrics.registry.metrics();
    expect(metricValue(metrics, 'datapump_gateway_ords_retries_total{database="orcl",reason="ords-571"}')).toBe(1);

    ords.answer('GET', ORDS_LIST, 571, noDatabase, {}, 3);
    const down = await request(gw.app).get(LIST).set(DBA);
    expect(down.status).toBe(503);
    expect(down.body.type).toBe(problem('upstream-unavailable'));
    expect(calls).toHaveLength(5);
    await gw.close();
  });

  it.each([500, 404])('never retries a GET answered %i', async (status) => {
    const { ords, calls, gw } = gatewayWith({ getRetries: 3 });
    ords.answer('GET', ORDS_LIST, status, { ...unavailable, code: 'Other' });
    ords.answer('GET', ORDS_LIST, 200, EMPTY_COLLECTION, {}, 3);
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).not.toBe(200);
    expect(calls).toHaveLength(1);
    await gw.close();
  });

  it('does not retry a GET whose answer did not come in time (504 after one ORDS request)', async () => {
    const ords = await rawServer(() => {
      /* never answers */
    });
    cleanups.push(ords.close);
    const gw = testGateway({
      config: resilienceConfig(
        { getRetries: 3 },
        {
          url: ords.url,
          timeouts: { connectMs: 500, createMs: 300, readMs: 300, fileIdleMs: 300, fileMinBytesPerSecond: 0 },
        },
      ),
    });
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(504);
    expect(res.body.type).toBe(problem('upstream-timeout'));
    expect(ords.received).toHaveLength(1);
    await gw.close();
  });
});

describe('a POST is never retried', () => {
  it.each([
    [
      'a reset',
      (ords: ReturnType<typeof mockOrds>) => {
        ords.pool.intercept({ method: 'POST', path: ORDS_JOBS }).replyWithError(resetError());
      },
      503,
    ],
    [
      'a 500',
      (ords: ReturnType<typeof mockOrds>) => {
        ords.answer('POST', ORDS_JOBS, 500, { ...unavailable, code: 'InternalServerError' });
      },
      502,
    ],
    [
      'a 503',
      (ords: ReturnType<typeof mockOrds>) => {
        ords.answer('POST', ORDS_JOBS, 503, unavailable);
      },
      503,
    ],
  ] as const)('after %s: exactly one ORDS request', async (_what, fail, status) => {
    const { ords, calls, gw } = gatewayWith({ getRetries: 3 });
    fail(ords);
    ords.answerCreates();
    const res = await request(gw.app).post(LIST).set(HR).send(EXPORT_HR);
    expect(res.status).toBe(status);
    expect(calls).toEqual([{ method: 'POST', path: ORDS_JOBS }]);
    expect(await gw.metrics.registry.metrics()).not.toContain('datapump_gateway_ords_retries_total{');
    await gw.close();
  });

  it('not even when the connection was refused (nothing sent), while a GET refused the same way is retried', async () => {
    const closed = await rawServer(() => {});
    await closed.close(); // the port is now refused
    const agent = new Agent({ connect: { timeout: 500 } });
    cleanups.push(() => agent.close());
    const counted = counting(agent);
    const gw = testGateway({
      dispatcher: counted.dispatcher,
      config: resilienceConfig({ getRetries: 2 }, { url: closed.url }),
    });
    const create = await request(gw.app).post(LIST).set(HR).send(EXPORT_HR);
    expect(create.status).toBe(503);
    expect(counted.calls.map((c) => c.method)).toEqual(['POST']);
    const list = await request(gw.app).get(LIST).set(DBA);
    expect(list.status).toBe(503);
    expect(counted.calls.map((c) => c.method)).toEqual(['POST', 'GET', 'GET', 'GET']);
    expect(
      metricValue(
        await gw.metrics.registry.metrics(),
        'datapump_gateway_ords_retries_total{database="orcl",reason="connect-failed"}',
      ),
    ).toBe(2);
    await gw.close();
  });
});

// File streams (retried only before their first byte, with their own pool and bulkhead): test/gateway/file-streams.test.ts.

// Rate-limit counters in Redis: one budget across gateway replicas, and what happens when Redis dies mid-way.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testGateway } from '../../helpers/gateway-app.js';
import { TEST_LIMITS, testConfig, testTenants } from '../../helpers/gateway-config.js';
import { mockOrds } from '../../helpers/mock-ords.js';
import { redisKeyPrefix, requireRedis, TEST_REDIS_URL } from '../../helpers/redis.js';
import { type RedisServer, startRedisServer } from '../../helpers/redis-server.js';

const JOBS = '/databases/orcl/datapump/jobs/';
const EXPORT = { operation: 'EXPORT' };
const SALES = { 'X-API-Key': 'sales-demo-key' };

function salesLimited(create: number, read = 10_000) {
  const tenants = testTenants();
  tenants['sales-team'] = {
    ...tenants['sales-team']!,
    limits: { ...TEST_LIMITS, create: { limit: create, windowMs: 60_000 }, read: { limit: read, windowMs: 60_000 } },
  };
  return testConfig({ tenants });
}

describe('two gateway replicas sharing Redis', () => {
  beforeAll(async () => {
    await requireRedis();
  });

  it('never let a tenant exceed its budget in total', async () => {
    const prefix = redisKeyPrefix('replicas');
    const ords = mockOrds();
    ords.answerCreates();
    const config = salesLimited(5);
    const a = testGateway({ dispatcher: ords.agent, config, redisUrl: TEST_REDIS_URL, redisKeyPrefix: prefix });
    const b = testGateway({ dispatcher: ords.agent, config, redisUrl: TEST_REDIS_URL, redisKeyPrefix: prefix });
    const statuses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        request((i % 2 ? a : b).app)
          .post(JOBS)
          .set(SALES)
          .send(EXPORT)
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(ords.received).toHaveLength(5);
    // Both replicas see the same remaining budget.
    const fromA = await request(a.app).post(JOBS).set(SALES).send(EXPORT);
    expect(fromA.headers.ratelimit).toMatch(/r=0/);
    await a.close();
    await b.close();
  });
});

describe('when Redis stops in the middle', () => {
  let redis: RedisServer;
  afterAll(async () => {
    await redis?.stop();
  });

  it('refuses creates with 503 (no job created), serves reads from local counters, and recovers when Redis returns', async () => {
    redis = await startRedisServer();
    const ords = mockOrds();
    ords.answerCreates('COMPLETED');
    ords.answer(
      'GET',
      /\/datapump\/jobs\/\?/,
      200,
      { items: [], hasMore: false, limit: 500, offset: 0, count: 0 },
      {},
      100,
    );
    const gw = testGateway({
      dispatcher: ords.agent,
      config: salesLimited(100, 3),
      redisUrl: redis.url,
      redisKeyPrefix: redisKeyPrefix('outage'),
    });

    expect((await request(gw.app).post(JOBS).set(SALES).send(EXPORT)).status).toBe(201);
    expect((await request(gw.app).get(JOBS).set(SALES)).status).toBe(200);

    await redis.stop();
    const created = ords.received.length;
    const refused = await request(gw.app).post(JOBS).set(SALES).send(EXPORT);
    expect(refused.status).toBe(503);
    expect(refused.body.type).toBe('https://datapump-gateway.dev/problems/store-unavailable');
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.headers.ratelimit).toBeUndefined();
    expect(ords.received.length).toBe(created); // ORDS never asked: no job exists

    // Reads are served, counted in this process: the budget of 3 per minute still holds.
    const reads = [];
    for (let i = 0; i < 4; i++) reads.push((await request(gw.app).get(JOBS).set(SALES)).status);
    expect(reads).toEqual([200, 200, 200, 429]);
    const metrics = await gw.metrics.registry.metrics();
    expect(metrics).toMatch(/rate_limit_store_failures_total\{class="create",outcome="refused"\} 1/);
    expect(metrics).toMatch(/rate_limit_store_failures_total\{class="read",outcome="fallback"\} 4/);

    await redis.start();
    let status = 0;
    for (let i = 0; i < 50 && status !== 201; i++) {
      status = (await request(gw.app).post(JOBS).set(SALES).send(EXPORT)).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 100)); // ioredis reconnects on its own schedule
    }
    expect(status).toBe(201);
    await gw.close();
  });
});

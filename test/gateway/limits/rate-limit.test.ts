// Per-tenant rate limits for creates and reads (counters in memory), and the job quotas.
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { GatewayConfig, TenantLimits } from '../../../src/gateway/config/types.js';
import type { StateStore } from '../../../src/gateway/store/types.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { TEST_LIMITS, testConfig, testTenants } from '../../helpers/gateway-config.js';
import { mockOrds, ORDS_JOBS, ordsJob } from '../../helpers/mock-ords.js';

const JOBS = '/databases/orcl/datapump/jobs/';
const EXPORT = { operation: 'EXPORT' };
const SALES = { 'X-API-Key': 'sales-demo-key' };
const HR = { 'X-API-Key': 'hr-demo-key' };

function configWith(
  limits: Partial<Record<'hr-team' | 'sales-team' | 'dba-team', Partial<TenantLimits>>>,
): GatewayConfig {
  const tenants = testTenants();
  for (const [id, l] of Object.entries(limits)) tenants[id] = { ...tenants[id]!, limits: { ...TEST_LIMITS, ...l } };
  return testConfig({ tenants });
}

afterEach(() => {
  vi.useRealTimers();
});

/** A state store whose every call fails, as one whose database went away would. */
function brokenStore(): StateStore {
  const fail = async () => {
    throw new Error('connection refused');
  };
  return {
    registry: {
      find: fail,
      listForTenant: fail,
      listForDatabase: fail,
      updateState: fail,
      owners: fail,
      observe: fail,
      finish: fail,
      listUnfinished: fail,
    },
    intents: { claim: fail, get: fail, complete: fail, transition: fail, release: fail, list: fail, find: fail },
    audit: { append: fail, appendAggregated: fail, list: fail },
    leases: { tryLease: fail, releaseLease: fail },
    retention: { purgeOlderThan: fail },
    provenance: { record: fail, candidates: fail, purgeOlderThan: fail },
    health: { ping: fail },
    close: async () => {},
  };
}

describe('rate limits per tenant and per class', () => {
  it("answers 429 with Retry-After and the IETF RateLimit headers once a tenant's create budget is spent, and frees it after the window", async () => {
    // Only Date: express-rate-limit's memory store resets a window by Date.now(), and faking Node's timers
    // would also fake the HTTP server's own header-timeout checks.
    vi.useFakeTimers({ toFake: ['Date'] });
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({
      dispatcher: ords.agent,
      config: configWith({ 'sales-team': { create: { limit: 2, windowMs: 60_000 } } }),
    });
    const first = await request(gw.app).post(JOBS).set(SALES).send(EXPORT);
    expect(first.status).toBe(201);
    expect(first.headers['ratelimit-policy']).toMatch(/^"create"; q=2; w=60; pk=:[A-Za-z0-9+/=]+:$/);
    expect(first.headers.ratelimit).toBe('"create"; r=1; t=60');
    expect((await request(gw.app).post(JOBS).set(SALES).send(EXPORT)).status).toBe(201);
    const refused = await request(gw.app).post(JOBS).set(SALES).send(EXPORT);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.type).toBe('https://datapump-gateway.dev/problems/rate-limited');
    expect(refused.headers.ratelimit).toBe('"create"; r=0; t=60');
    expect(Number(refused.headers['retry-after'])).toBe(60);
    expect(ords.received).toHaveLength(2); // the refused create never reached ORDS

    // Another tenant, and this tenant's reads, are not affected.
    ords.answer('GET', /\/datapump\/jobs\/\?/, 200, { items: [], hasMore: false, limit: 500, offset: 0, count: 0 });
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(201);
    expect((await request(gw.app).get(JOBS).set(SALES)).status).toBe(200);

    vi.advanceTimersByTime(60_001);
    expect((await request(gw.app).post(JOBS).set(SALES).send(EXPORT)).status).toBe(201);
  });

  it('limits reads separately from creates', async () => {
    // Only Date: express-rate-limit's memory store resets a window by Date.now(), and faking Node's timers
    // would also fake the HTTP server's own header-timeout checks.
    vi.useFakeTimers({ toFake: ['Date'] });
    const gw = testGateway({ config: configWith({ 'hr-team': { read: { limit: 3, windowMs: 1_000 } } }) });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await request(gw.app).get(JOBS).set(HR)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await request(gw.app).get(JOBS).set(HR);
    expect(refused.headers['ratelimit-policy']).toMatch(/^"read"; q=3; w=1; pk=:[A-Za-z0-9+/=]+:$/);
    vi.advanceTimersByTime(1_001);
    expect((await request(gw.app).get(JOBS).set(HR)).status).toBe(200);
  });

  it('keys on the tenant, never on the client address', async () => {
    const gw = testGateway({ config: configWith({ 'hr-team': { read: { limit: 2, windowMs: 60_000 } } }) });
    const from = (ip: string) => request(gw.app).get(JOBS).set(HR).set('X-Forwarded-For', ip);
    expect((await from('10.0.0.1')).status).toBe(200);
    expect((await from('10.0.0.2')).status).toBe(200);
    expect((await from('10.0.0.3')).status).toBe(429); // a new address buys no new budget
  });

  it('does not count requests that fail authentication against any tenant', async () => {
    const gw = testGateway({ config: configWith({ 'hr-team': { read: { limit: 1, windowMs: 60_000 } } }) });
    for (let i = 0; i < 3; i++) expect((await request(gw.app).get(JOBS).set('X-API-Key', 'wrong')).status).toBe(401);
    expect((await request(gw.app).get(JOBS).set(HR)).status).toBe(200);
  });
});

describe('who pays what', () => {
  const limited = () =>
    configWith({ 'hr-team': { create: { limit: 3, windowMs: 60_000 }, read: { limit: 1_000, windowMs: 60_000 } } });

  it('a key reused with 200 other bodies meets 429 once the create budget is spent, and is audited once per minute', async () => {
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({ dispatcher: ords.agent, config: limited() });
    const first = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'reused').send(EXPORT);
    expect(first.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) {
      const body = { operation: 'EXPORT', threads: (i % 4) + 1 };
      statuses.push((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'reused').send(body)).status);
    }
    // Two more attempts fit the budget of 3, each a 422 reuse refusal; then 429.
    expect(statuses.slice(0, 2)).toEqual([422, 422]);
    expect(statuses.slice(2).every((s) => s === 429)).toBe(true);
    expect(ords.received.filter((r) => r.method === 'POST')).toHaveLength(1);
    const audit = await gw.store.audit.list({ tenant: 'hr-team', limit: 100 });
    const reuses = audit.filter((e) => e.status === 422);
    expect(reuses.length).toBeLessThanOrEqual(2); // aggregated: one event per key and minute, with a count
    expect(reuses.reduce((n, e) => n + (e.count ?? 1), 0)).toBe(statuses.filter((s) => s === 422).length);
  });

  it('a true replay spends nothing: the same key and body replay for ever without a 429', async () => {
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({ dispatcher: ords.agent, config: limited() });
    for (let i = 0; i < 20; i++) {
      const res = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'same').send(EXPORT);
      expect(res.status).toBe(201);
      if (i > 0) expect(res.headers['idempotent-replayed']).toBe('true');
    }
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(201); // the budget is untouched: 2 left
  });

  it.each([
    ['malformed JSON', (r: request.Test) => r.set('Content-Type', 'application/json').send('{"operation":')],
    ['another media type (415)', (r: request.Test) => r.set('Content-Type', 'text/plain').send('EXPORT')],
    ['a body the contract refuses (400)', (r: request.Test) => r.send({ operation: 'DELETE' })],
    ['an unknown database (404)', (r: request.Test) => r.send(EXPORT)],
  ])('a POST refused before the policy (%s) spends the read budget, not the create budget', async (what, send) => {
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({
      dispatcher: ords.agent,
      config: configWith({
        'hr-team': { create: { limit: 2, windowMs: 60_000 }, read: { limit: 5, windowMs: 60_000 } },
      }),
    });
    const path = what.includes('404') ? '/databases/nowhere/datapump/jobs/' : JOBS;
    const refused: number[] = [];
    for (let i = 0; i < 7; i++) refused.push((await send(request(gw.app).post(path).set(HR))).status);
    // Five early failures spend the read budget of five; then even an early failure is rate-limited.
    expect(refused.slice(0, 5).every((s) => s >= 400 && s !== 429)).toBe(true);
    expect(refused.slice(5)).toEqual([429, 429]);
    // The create budget is whole: two creates pass.
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(201);
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(201);
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(429);
  });

  it('a POST the policy refuses spends the create budget', async () => {
    const gw = testGateway({ config: limited() });
    const forbidden = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('SALES')" }] };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(gw.app).post(JOBS).set(HR).send(forbidden)).status);
    expect(statuses).toEqual([403, 403, 403, 429]);
  });
});

describe('job quotas', () => {
  it("refuses a create beyond the concurrent-jobs quota until ORDS shows a job finished (the job's own GET, not the list)", async () => {
    const ords = mockOrds();
    ords.answerCreates('EXECUTING');
    const gw = testGateway({ dispatcher: ords.agent, config: configWith({ 'hr-team': { concurrentJobs: 1 } }) });
    const first = await request(gw.app).post(JOBS).set(HR).send(EXPORT);
    expect(first.status).toBe(201);
    const job = `${ORDS_JOBS}${first.body.owner_name},${first.body.job_name}/`;
    // At the limit, the refresh reads the tenant's unfinished job on its own (and, through its links, its log).
    ords.answer('GET', job, 200, ordsJob({ job_name: first.body.job_name, state: 'EXECUTING' }), {}, 2);
    const refused = await request(gw.app).post(JOBS).set(HR).send(EXPORT);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      type: 'https://datapump-gateway.dev/problems/quota-exceeded',
      quota: 'concurrent_jobs',
    });
    expect(refused.headers['retry-after']).toBeDefined();
    // ORDS has since forgotten the job (Data Pump dropped it on success): the quota frees.
    ords.answer('GET', job, 404, { code: 'NotFound', message: 'Not Found' }, {}, 2);
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(201);
    expect(ords.received.some((r) => /\/jobs\/\?/.test(r.path))).toBe(false);
  });

  it('refuses a create beyond the daily quota, saying when it frees', async () => {
    const ords = mockOrds();
    ords.answerCreates('COMPLETED');
    let now = new Date('2026-11-25T23:59:00.000Z');
    const gw = testGateway({
      dispatcher: ords.agent,
      now: () => now,
      config: configWith({ 'hr-team': { jobsPerDay: 2 } }),
    });
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(201);
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(201);
    const refused = await request(gw.app).post(JOBS).set(HR).send(EXPORT);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ quota: 'daily_jobs', resets_at: '2026-11-26T00:00:00.000Z' });
    expect(refused.headers['retry-after']).toBe('60');
    now = new Date('2026-11-26T00:00:01.000Z');
    expect((await request(gw.app).post(JOBS).set(HR).send(EXPORT)).status).toBe(201);
  });
});

describe('when the job registry is unavailable', () => {
  it('refuses creates with 503 and Retry-After before calling ORDS, and reads that need it', async () => {
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({ dispatcher: ords.agent, store: brokenStore() });
    const create = await request(gw.app).post(JOBS).set(HR).send(EXPORT);
    expect(create.status).toBe(503);
    expect(create.body.type).toBe('https://datapump-gateway.dev/problems/store-unavailable');
    expect(create.headers['retry-after']).toBe('5');
    expect(ords.received).toHaveLength(0);
    const list = await request(gw.app).get(JOBS).set(HR);
    expect(list.status).toBe(503);
    const ready = await request(gw.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.store.ok).toBe(false);
  });
});

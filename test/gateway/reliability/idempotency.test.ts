// Idempotency-Key on job creation: one job per key, replays, conflicts, reuse with another body, expiry.
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';

import { createSqliteStore } from '../../../src/gateway/store/sqlite.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { TEST_LIMITS, testConfig, testTenants } from '../../helpers/gateway-config.js';
import { mockOrds, ORDS_JOBS, ordsJob } from '../../helpers/mock-ords.js';

const JOBS = '/databases/orcl/datapump/jobs/';
const HR = { 'X-API-Key': 'hr-demo-key' };
const EXPORT = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] };
const problem = (slug: string) => `https://datapump-gateway.dev/problems/${slug}`;

describe('Idempotency-Key', () => {
  it('replays the original 201 for a repeat with the same key and body, without calling ORDS again', async () => {
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({ dispatcher: ords.agent });
    const first = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', '"k-1"').send(EXPORT);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // The bare token names the same key as the quoted string; the same canonical request, written differently.
    const again = await request(gw.app)
      .post(JOBS)
      .set(HR)
      .set('Idempotency-Key', 'k-1')
      .send({ operation: 'EXPORT', schema_expressions: [{ expression: "in ( 'HR' )" }] });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    for (const h of ['location', 'content-location', 'etag']) expect(again.headers[h]).toBe(first.headers[h]);
    expect(again.body).toEqual(first.body);
    expect(ords.received).toHaveLength(1);
  });

  it('refuses the same key with another body (422) and keeps the first job', async () => {
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({ dispatcher: ords.agent });
    await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'k-2').send(EXPORT);
    const other = await request(gw.app)
      .post(JOBS)
      .set(HR)
      .set('Idempotency-Key', 'k-2')
      .send({ operation: 'EXPORT', threads: 2 });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe(problem('idempotency-key-reused'));
    expect(ords.received).toHaveLength(1);
  });

  it("keeps keys per tenant: another tenant's identical key is its own", async () => {
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({ dispatcher: ords.agent });
    await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'shared').send({ operation: 'EXPORT' });
    const sales = await request(gw.app)
      .post(JOBS)
      .set('X-API-Key', 'sales-demo-key')
      .set('Idempotency-Key', 'shared')
      .send({ operation: 'EXPORT' });
    expect(sales.status).toBe(201);
    expect(sales.headers['idempotent-replayed']).toBeUndefined();
    expect(ords.received).toHaveLength(2);
  });

  it('frees the key when ORDS refused the job, so a corrected retry runs', async () => {
    const ords = mockOrds();
    ords.answer('POST', ORDS_JOBS, 400, { code: 'BadRequest', message: 'nope' });
    ords.answer('POST', ORDS_JOBS, 201, ordsJob());
    const gw = testGateway({ dispatcher: ords.agent });
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'k-3').send(EXPORT)).status).toBe(422);
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'k-3').send(EXPORT)).status).toBe(201);
    expect(ords.received).toHaveLength(2);
  });

  it('holds the key in doubt after ORDS failed mid-way (5xx): a retry gets 409 with Retry-After, never a second job', async () => {
    const ords = mockOrds();
    ords.answer('POST', ORDS_JOBS, 500, { code: 'InternalServerError', message: 'boom' });
    const gw = testGateway({ dispatcher: ords.agent });
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'k-4').send(EXPORT)).status).toBe(502);
    const retry = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'k-4').send(EXPORT);
    expect(retry.status).toBe(409);
    expect(retry.body.type).toBe(problem('idempotency-conflict'));
    expect(Number(retry.headers['retry-after'])).toBeGreaterThan(0);
    expect(ords.received).toHaveLength(1);
  });

  it('answers 409 to a repeat while the first is still in flight', async () => {
    let release: (() => void) | undefined;
    const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
      release = () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ordsJob()));
      };
      req.resume();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const gw = testGateway({ config: testConfig({}, { url: `http://127.0.0.1:${port}/ords/orcl/pdbadmin/` }) });
    const first = request(gw.app)
      .post(JOBS)
      .set(HR)
      .set('Idempotency-Key', 'k-5')
      .send(EXPORT)
      .then((r) => r);
    // Wait until ORDS holds the first create: from then on its key is in flight.
    for (let i = 0; i < 200 && !release; i++) await new Promise((r) => setImmediate(r));
    expect(release).toBeDefined();
    const second = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'k-5').send(EXPORT);
    expect(second.status).toBe(409);
    expect(second.headers['retry-after']).toBe('1');
    release!();
    expect((await first).status).toBe(201);
    const replay = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'k-5').send(EXPORT);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    server.closeAllConnections();
    server.close();
    await gw.close();
  });

  it('does not spend the create budget on replays', async () => {
    const ords = mockOrds();
    ords.answerCreates();
    const tenants = testTenants();
    tenants['hr-team'] = { ...tenants['hr-team']!, limits: { ...TEST_LIMITS, create: { limit: 1, windowMs: 60_000 } } };
    const gw = testGateway({ dispatcher: ords.agent, config: testConfig({ tenants }) });
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'b-1').send(EXPORT)).status).toBe(201);
    for (let i = 0; i < 3; i++)
      expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'b-1').send(EXPORT)).status).toBe(201);
    expect((await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'b-2').send(EXPORT)).status).toBe(429);
  });

  it('can be made mandatory per tenant (400 without it)', async () => {
    const tenants = testTenants();
    tenants['hr-team'] = { ...tenants['hr-team']!, requireIdempotencyKey: true };
    const gw = testGateway({ config: testConfig({ tenants }) });
    const res = await request(gw.app).post(JOBS).set(HR).send(EXPORT);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe(problem('idempotency-key-required'));
  });

  it('forgets a key after its lifetime: the same key then starts a new job', async () => {
    const ords = mockOrds();
    ords.answerCreates();
    let now = new Date('2026-11-25T10:00:00.000Z');
    const gw = testGateway({
      dispatcher: ords.agent,
      now: () => now,
      config: testConfig({ idempotency: { ttlMs: 3_600_000 } }),
    });
    await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'k-6').send(EXPORT);
    now = new Date('2026-11-25T11:00:01.000Z');
    const later = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'k-6').send(EXPORT);
    expect(later.status).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(ords.received).toHaveLength(2);
  });
});

describe('a burst of 200 concurrent identical creates with one key', () => {
  let dir: string | undefined;
  afterEach(() => {
    dir = undefined;
  });

  it('starts exactly one job; every other answer is a replay or a 409', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dpg-burst-'));
    const store = createSqliteStore({ path: join(dir, 'gateway.db') });
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({ dispatcher: ords.agent, store });
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', 'burst').send(EXPORT),
      ),
    );
    expect(ords.received).toHaveLength(1);
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const created = answers.filter((a) => a.status === 201);
    expect(new Set(created.map((a) => a.headers.location)).size).toBe(1);
    expect(created.filter((a) => a.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect((await store.registry.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(1);
    await store.close();
  });
});

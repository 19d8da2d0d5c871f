// Several replicas behave as one: two gateway processes sharing one PostgreSQL schema (job registry) and one
// Redis (rate-limit counters), in front of one ORDS emulator process.
import { Redis } from 'ioredis';
import { type Dispatcher, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import {
  demoTenantsTree,
  GATEWAY_PROCESS_ENV,
  gatewayConfigTree,
  type GatewayProcess,
  killAllGatewayProcesses,
  startGatewayProcess,
  tenantTree,
} from '../helpers/gateway-process.js';
import { requirePostgres, TEST_DATABASE_URL, withPostgresSchema } from '../helpers/postgres.js';
import { redisKeyPrefix, requireRedis, TEST_REDIS_URL } from '../helpers/redis.js';

const basic = (tenant: string, key: string) => ({
  authorization: `Basic ${Buffer.from(`${tenant}:${key}`).toString('base64')}`,
});
const HR = basic('hr-team', 'hr-demo-key');
const SALES = basic('sales-team', 'sales-demo-key');
const BURST = basic('burst-team', 'burst-key');
const JOBS = '/databases/orcl/datapump/jobs/';
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ( 'HR' )" }] };

interface Answer {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  text: string;
  json: any;
}

async function call(
  gw: GatewayProcess,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const res = await request(`${gw.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** The path of an absolute link (the gateway's public_url is not where the test reaches it). */
const pathOf = (href: string) => new URL(href).pathname;

describe('two gateway replicas sharing PostgreSQL and Redis', () => {
  const pg = withPostgresSchema('replicas');
  const keyPrefix = redisKeyPrefix('replicas');
  let emulator: EmulatorProcess;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    await requirePostgres();
    await requireRedis();
    emulator = await startEmulatorProcess();
    const config = gatewayConfigTree({
      ordsUrl: emulator.ordsUrl,
      overrides: {
        store: { postgres: { url: '${DATABASE_URL}', schema: pg.schema } },
        limits: { redis: '${REDIS_URL}', key_prefix: keyPrefix },
        watch: { interval_ms: 500 },
        tenants: {
          ...demoTenantsTree(),
          'burst-team': tenantTree(
            'burst-key',
            {
              operations: ['EXPORT'],
              job_modes: ['SCHEMA'],
              schemas: ['HR'],
              max_threads: 1,
              directories: ['DATA_PUMP_DIR'],
            },
            { create: '5/minute' },
          ),
        },
      },
    });
    const env = { ...GATEWAY_PROCESS_ENV, DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL };
    // Started together: both apply the store's migrations to the one schema (serialised by an advisory lock).
    [a, b] = await Promise.all([startGatewayProcess({ config, env }), startGatewayProcess({ config, env })]);
  });

  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await killAllGatewayProcesses();
    await emulator?.stop();
    await pg.cleanup();
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it('one rate budget: create 5/minute means 5 × 201 in total across both replicas, the rest 429', async () => {
    // Concurrently, half through each replica: counters local to each process would let all ten pass.
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(i % 2 === 0 ? a : b, 'POST', JOBS, BURST, EXPORT_HR)),
    );
    const statuses = answers.map((r) => r.status);
    expect(
      statuses.filter((s) => s === 201),
      JSON.stringify(answers.map((r) => r.text)),
    ).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    for (const refused of answers.filter((r) => r.status === 429)) {
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json.type).toBe('https://datapump-gateway.dev/problems/rate-limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Both replicas refuse from now on, whichever is asked.
    expect((await call(a, 'POST', JOBS, BURST, EXPORT_HR)).status).toBe(429);
    expect((await call(b, 'POST', JOBS, BURST, EXPORT_HR)).status).toBe(429);
  });

  it('one job registry: a job created through A is listed, polled and its log downloaded through B; another tenant gets 404 on both', async () => {
    const created = await call(a, 'POST', JOBS, HR, EXPORT_HR);
    expect(created.status, created.text).toBe(201);
    const jobPath = pathOf(String(created.headers.location));
    const { job_name: jobName } = created.json as { job_name: string };

    const listed = await call(b, 'GET', JOBS, HR);
    expect(listed.status).toBe(200);
    expect(listed.json.items.map((j: { job_name: string }) => j.job_name)).toContain(jobName);

    const polled = await call(b, 'GET', jobPath, HR);
    expect(polled.status).toBe(200);
    expect(polled.json).toMatchObject({ job_name: jobName, owner_name: 'PDBADMIN', operation: 'EXPORT' });

    const logLink = (polled.json.links as Array<{ rel: string; href: string; mediaType?: string }>).find(
      (l) => l.mediaType === 'text/plain',
    );
    expect(logLink).toBeDefined();
    const log = await call(b, 'GET', pathOf(logLink!.href), HR);
    expect(log.status).toBe(200);
    expect(log.headers['content-type']).toMatch(/^text\/plain/);
    expect(log.text.length).toBeGreaterThan(0);

    for (const replica of [a, b]) {
      expect((await call(replica, 'GET', jobPath, SALES)).status).toBe(404);
      expect((await call(replica, 'GET', pathOf(logLink!.href), SALES)).status).toBe(404);
      const theirs = await call(replica, 'GET', JOBS, SALES);
      expect(theirs.status).toBe(200);
      expect(theirs.json.items).toEqual([]);
    }
  });

  it('one idempotency namespace: a key used through A replays the same job through B, and a burst across both makes one job', async () => {
    const first = await call(a, 'POST', JOBS, { ...HR, 'idempotency-key': 'replica-key-1' }, EXPORT_HR);
    expect(first.status).toBe(201);
    const again = await call(b, 'POST', JOBS, { ...HR, 'idempotency-key': 'replica-key-1' }, EXPORT_HR);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    const other = await call(
      b,
      'POST',
      JOBS,
      { ...HR, 'idempotency-key': 'replica-key-1' },
      { operation: 'EXPORT', threads: 2 },
    );
    expect(other.status).toBe(422);

    const before = (await emulator.requests()).filter((r) => r.method === 'POST').length;
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(i % 2 ? a : b, 'POST', JOBS, { ...HR, 'idempotency-key': 'replica-burst' }, EXPORT_HR),
      ),
    );
    const creates = (await emulator.requests()).filter((r) => r.method === 'POST').length - before;
    expect(creates).toBe(1);
    expect(burst.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(new Set(burst.filter((r) => r.status === 201).map((r) => r.headers.location)).size).toBe(1);
  });

  it('one job watcher: a job created through A is settled by one replica, and both answer with its outcome', async () => {
    const created = await call(a, 'POST', JOBS, HR, EXPORT_HR);
    expect(created.status, created.text).toBe(201);
    const jobName = (created.json as { job_name: string }).job_name;
    // Nobody polls the job: the watchers (one round at a time, under the shared lease) see it end. The emulator runs
    // on its real clock here (5 s jobs), so the test waits for the record, bounded.
    const outcomeIn = async (gw: GatewayProcess) => {
      const list = await call(gw, 'GET', JOBS, HR);
      return (list.json.items as Array<{ job_name: string; outcome: { result: string } }>).find(
        (j) => j.job_name === jobName,
      )?.outcome.result;
    };
    const deadline = Date.now() + 30_000;
    while ((await outcomeIn(b)) === 'running' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await outcomeIn(b)).toBe('succeeded');
    expect(await outcomeIn(a)).toBe('succeeded');
    const ended = (gw: GatewayProcess) =>
      gw.logs().filter((l) => l.msg === 'job ended' && String(l.job).endsWith(`,${jobName}`)).length;
    // Recorded once, by one replica: the other read the same record from PostgreSQL.
    expect(ended(a) + ended(b)).toBe(1);
  });
});

// Tenant isolation against a real emulator: each route refuses another tenant's job without asking ORDS, lists page cleanly.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLogger, type RunningGateway, startGateway } from '../../src/gateway/server.js';
import { createSqliteStore } from '../../src/gateway/store/sqlite.js';
import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { testConfig } from '../helpers/gateway-config.js';

const keys = { hr: 'hr-demo-key', sales: 'sales-demo-key' } as const;

describe('tenant isolation through the gateway', () => {
  let emulator: EmulatorProcess;
  let gateway: RunningGateway;
  const created: Record<keyof typeof keys, string[]> = { hr: [], sales: [] };
  const call = async (who: keyof typeof keys, path: string, method: 'GET' | 'POST' = 'GET', body?: unknown) => {
    const res = await request(`${gateway.url}${path}`, {
      method,
      headers: { 'x-api-key': keys[who], 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: text.startsWith('{') ? JSON.parse(text) : text };
  };

  beforeAll(async () => {
    emulator = await startEmulatorProcess({
      clock: 'manual',
      config: { jobDurationMs: 1_000, lifecycle: 'completed' },
    });
    gateway = await startGateway({
      config: testConfig({}, { url: emulator.ordsUrl }),
      store: createSqliteStore({ path: ':memory:' }),
      logger: createLogger('silent'),
    });
    for (let i = 0; i < 6; i++) {
      for (const who of ['hr', 'sales'] as const) {
        const res = await call(who, '/databases/orcl/datapump/jobs/', 'POST', { operation: 'EXPORT' });
        expect(res.status).toBe(201);
        created[who].push(res.json.job_name);
      }
    }
    await emulator.advanceClock(2_000);
    // The watcher's round records how each job ended; tenant lists read those records (no ORDS list).
    await gateway.watcher.runOnce();
  });
  afterAll(async () => {
    await gateway?.close();
    await emulator?.stop();
  });

  it("pages a tenant's own jobs, interleaved with another's, without skipping or repeating", async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 8; offset += 4) {
      const page = await call('hr', `/databases/orcl/datapump/jobs/?limit=4&offset=${offset}`);
      expect(page.status).toBe(200);
      expect(page.json).toMatchObject({ limit: 4, offset, count: offset === 0 ? 4 : 2, hasMore: offset === 0 });
      seen.push(...page.json.items.map((j: { job_name: string }) => j.job_name));
      for (const item of page.json.items) {
        expect(item.state).toBe('COMPLETED');
        expect(item.outcome).toMatchObject({ result: 'succeeded', source: 'log' });
      }
    }
    expect([...seen].sort()).toEqual([...created.hr].sort());
    expect(new Set(seen).size).toBe(6);
  });

  it("refuses every route on another tenant's job with 404, without a request reaching ORDS", async () => {
    const job = `PDBADMIN,${created.hr[0]}`;
    const log = (await call('hr', `/databases/orcl/datapump/jobs/${job}/`)).json.links.find(
      (l: { mediaType?: string }) => l.mediaType === 'text/plain',
    ).href as string;
    await emulator.clearRequests();
    for (const path of [
      `/databases/orcl/datapump/jobs/${job}/`,
      new URL(log).pathname,
      `/databases/orcl/datapump/jobs/${job}/NOT_THERE.LOG`,
    ]) {
      const res = await call('sales', path);
      expect(res.status, path).toBe(404);
      expect(res.json.type).toBe('https://datapump-gateway.dev/problems/job-not-found');
    }
    expect(await emulator.requests()).toEqual([]);
    const list = await call('sales', '/databases/orcl/datapump/jobs/?limit=100');
    expect(list.json.items.map((j: { job_name: string }) => j.job_name).sort()).toEqual([...created.sales].sort());
  });

  it('serves the owner its job and log', async () => {
    const job = await call('hr', `/databases/orcl/datapump/jobs/PDBADMIN,${created.hr[1]}`);
    expect(job.status).toBe(200);
    const log = job.json.links.find((l: { mediaType?: string }) => l.mediaType === 'text/plain').href as string;
    const text = await call('hr', new URL(log).pathname);
    expect(text.status).toBe(200);
    expect(String(text.json)).toMatch(/successfully completed/);
  });
});

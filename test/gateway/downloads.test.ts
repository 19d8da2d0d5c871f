// Downloads cannot starve everyone else: files have their own connections and bulkhead, a tenant may hold only
// `concurrent_downloads` of them, a client that stops reading (or reads too slowly) is cut, and a JSON call's
// deadline covers its wait for a connection. Against a real emulator process serving a 64 MiB dump, with raw
// sockets as the clients that stop reading.
import { connect, type Socket } from 'node:net';

import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseConfig, GatewayConfig } from '../../src/gateway/config/types.js';
import { createDownloadLimits } from '../../src/gateway/limits/downloads.js';
import { type RunningGateway, startGateway } from '../../src/gateway/server.js';
import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { TEST_LIMITS, testConfig, testDatabase, testTenants } from '../helpers/gateway-config.js';

const SIZE = 64 * 1024 * 1024;
const HR_KEY = 'hr-demo-key';
const HR = { 'x-api-key': HR_KEY };
const SALES = { 'x-api-key': 'sales-demo-key' };
const DBA = { 'x-api-key': 'dba-demo-key' };
const JOBS = '/databases/orcl/datapump/jobs/';
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] };
const EXPORT_SALES = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('SALES')" }] };
const problem = (slug: string) => `https://datapump-gateway.dev/problems/${slug}`;

type Log = Record<string, unknown>;

/** Polls `check` until it holds; fails naming `what` after `ms`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The gateway's config in front of `emulator`, with these database settings and hr-team's download cap. */
function configFor(emulator: EmulatorProcess, database: Partial<DatabaseConfig>, hrDownloads = 2): GatewayConfig {
  const tenants = testTenants(['orcl']);
  const base = testDatabase();
  return testConfig(
    {
      tenants: {
        ...tenants,
        'hr-team': { ...tenants['hr-team']!, limits: { ...TEST_LIMITS, concurrentDownloads: hrDownloads } },
      },
    },
    { url: emulator.ordsUrl, ...database, timeouts: { ...base.timeouts, ...database.timeouts } },
  );
}

interface Gw {
  readonly gateway: RunningGateway;
  readonly logs: Log[];
  call(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; headers: Record<string, unknown>; json: any; ms: number }>;
  /** A finished HR export's dump file path (the job completes at once: jobDurationMs 0). */
  dumpOfNewExport(): Promise<string>;
}

async function gatewayFor(config: GatewayConfig): Promise<Gw> {
  const logs: Log[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Log) });
  const gateway = await startGateway({ config, logger });
  const call: Gw['call'] = async (method, path, headers, body) => {
    const started = performance.now();
    const res = await request(`${gateway.url}${path}`, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers: res.headers, json, ms: performance.now() - started };
  };
  return {
    gateway,
    logs,
    call,
    async dumpOfNewExport() {
      const created = await call('POST', JOBS, HR, EXPORT_HR);
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      const job = await call('GET', `${JOBS}${created.json.owner_name},${created.json.job_name}/`, HR);
      const dump = (job.json.links as Array<{ href: string; mediaType?: string }>).find(
        (l) => l.mediaType === 'application/octet-stream',
      );
      expect(dump, JSON.stringify(job.json)).toBeDefined();
      return new URL(dump!.href).pathname;
    },
  };
}

interface RawDownload {
  /** The status line and headers, as received. */
  readonly head: string;
  readonly socket: Socket;
  /** Body bytes (with any chunk framing) read so far. */
  bytes(): number;
  /** Reads whatever is left at full speed; resolves with the body bytes read in all once the connection ends. */
  drain(): Promise<number>;
}

/**
 * A download by a raw socket: once the headers are in, `stall` stops reading (a client that went to sleep);
 * `slow` reads `bytes`, then pauses for `pauseMs`, and so on.
 */
function rawDownload(
  base: string,
  path: string,
  apiKey: string,
  mode: { kind: 'stall' } | { kind: 'slow'; bytes: number; pauseMs: number },
): Promise<RawDownload> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  let received = Buffer.alloc(0);
  let head: string | undefined;
  let body = 0;
  let sincePause = 0;
  let ended = false;
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      ended = true;
      resolve();
    });
  });
  socket.on('error', () => {}); // a reset is how a cut may look
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nX-API-Key: ${apiKey}\r\nConnection: close\r\n\r\n`,
  );
  return new Promise<RawDownload>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (head === undefined) {
        received = Buffer.concat([received, chunk]);
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = received.subarray(0, end).toString('latin1');
        body += received.length - end - 4;
        resolve({
          head,
          socket,
          bytes: () => body,
          async drain() {
            socket.off('data', onData);
            socket.on('data', (c: Buffer) => {
              body += c.length;
            });
            socket.resume();
            if (!ended) await closed;
            return body;
          },
        });
      } else body += chunk.length;
      if (mode.kind === 'stall') {
        socket.pause();
        return;
      }
      sincePause += chunk.length;
      if (sincePause < mode.bytes) return;
      sincePause = 0;
      socket.pause();
      setTimeout(() => socket.resume(), mode.pauseMs).unref();
    };
    socket.on('data', onData);
    void closed.then(() => {
      if (head === undefined) reject(new Error('the connection closed before the headers came'));
    });
  });
}

const status = (head: string) => Number(head.split(' ')[1]);
const cuts = (logs: Log[]) => logs.filter((l) => String(l.msg).startsWith('download cut'));

describe('downloads against a 64 MiB dump', () => {
  let emulator: EmulatorProcess;
  const open: Array<{ socket: Socket }> = [];
  let gw: Gw | undefined;

  beforeAll(async () => {
    emulator = await startEmulatorProcess({ config: { dumpBytes: SIZE, jobDurationMs: 0, lifecycle: 'completed' } });
  });
  afterEach(async () => {
    for (const d of open.splice(0)) d.socket.destroy();
    await gw?.gateway.close();
    gw = undefined;
    await emulator.clearFaults();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("two stalled downloads hold neither the JSON calls' bulkhead nor their connections: another tenant's create and poll answer in time", async () => {
    // Before files had their own pool and bulkhead, these two stalls took both slots of max_concurrent 2 (the
    // create got 503 gateway-overloaded) and both connections (the create waited as long as the stall lasted).
    gw = await gatewayFor(
      configFor(emulator, {
        connections: 2,
        fileConnections: 2,
        resilience: { ...testDatabase().resilience, maxConcurrent: 2 },
        timeouts: { connectMs: 1_000, createMs: 2_000, readMs: 2_000, fileIdleMs: 30_000, fileMinBytesPerSecond: 0 },
      }),
    );
    const dump = await gw.dumpOfNewExport();
    for (let i = 0; i < 2; i++) {
      const stalled = await rawDownload(gw.gateway.url, dump, HR_KEY, { kind: 'stall' });
      open.push(stalled);
      expect(status(stalled.head), stalled.head).toBe(200);
    }
    const inFlight = async () => {
      const text = await (await request(`${gw!.gateway.url}/metrics`)).body.text();
      const line = text.split('\n').find((l) => l.startsWith('datapump_gateway_ords_in_flight{database="orcl"} '));
      return Number(line?.split(' ')[1]);
    };
    expect(await inFlight(), 'both stalled downloads still hold their ORDS connections').toBe(2);

    const created = await gw.call('POST', JOBS, SALES, EXPORT_SALES);
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.ms).toBeLessThan(2_000 + 1_000);
    const polled = await gw.call('GET', `${JOBS}${created.json.owner_name},${created.json.job_name}/`, SALES);
    expect(polled.status).toBe(200);
    expect(polled.ms).toBeLessThan(2_000 + 1_000);
    const listed = await gw.call('GET', JOBS, SALES);
    expect(listed.status).toBe(200);

    // hr-team holds its two downloads: a third is 429, before ORDS is asked.
    await emulator.clearRequests();
    const third = await gw.call('GET', dump, HR);
    expect(third.status).toBe(429);
    expect(third.json.type).toBe(problem('rate-limited'));
    expect(third.json.detail).toMatch(/at most 2 files at once/);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await emulator.requests()).toEqual([]);
    // Another tenant's download finds the files' bulkhead full (file_connections 2): 503 at once.
    const other = await gw.call('GET', dump, DBA);
    expect(other.status).toBe(503);
    expect(other.json.type).toBe(problem('gateway-overloaded'));
    expect(other.headers['retry-after']).toBe('1');
    expect(other.ms).toBeLessThan(1_000);
    expect(await inFlight()).toBe(2);
  });

  it('cuts a download whose client stops reading for file_idle_ms, at both ends, logs it, and frees its slots', async () => {
    gw = await gatewayFor(
      configFor(
        emulator,
        {
          fileConnections: 1,
          timeouts: { connectMs: 1_000, createMs: 2_000, readMs: 2_000, fileIdleMs: 500, fileMinBytesPerSecond: 0 },
        },
        1,
      ),
    );
    const dump = await gw.dumpOfNewExport();
    const started = performance.now();
    const stalled = await rawDownload(gw.gateway.url, dump, HR_KEY, { kind: 'stall' });
    open.push(stalled);
    expect(status(stalled.head)).toBe(200);
    await eventually('the download is cut', () => cuts(gw!.logs).length === 1, 5_000);
    expect(performance.now() - started).toBeLessThan(500 + 3_000);
    expect(cuts(gw.logs)[0]).toMatchObject({ reason: 'idle', tenant: 'hr-team', database: 'orcl', level: 40 });
    // The client gets what was buffered, then the end: a body short of its Content-Length, never a whole one.
    expect(await stalled.drain()).toBeLessThan(SIZE);

    // The tenant's one download slot and the one file connection are free again: the same download is served.
    await eventually('the slots are free', async () => {
      const res = await request(`${gw!.gateway.url}${dump}`, { headers: HR });
      res.body.destroy();
      return res.statusCode === 200;
    });
  });

  it('cuts a download whose client reads slower than file_min_bytes_per_second, and not one read at full speed', async () => {
    const MIN = 4 * 1024 * 1024;
    const limits = (min: number) => ({
      timeouts: { connectMs: 1_000, createMs: 2_000, readMs: 2_000, fileIdleMs: 1_000, fileMinBytesPerSecond: min },
    });
    gw = await gatewayFor(configFor(emulator, limits(MIN)));
    const dump = await gw.dumpOfNewExport();
    // 128 KiB every 50 ms, under 2.5 MiB/s: below the minimum, yet it never stops reading for file_idle_ms.
    const slow = await rawDownload(gw.gateway.url, dump, HR_KEY, { kind: 'slow', bytes: 128 * 1024, pauseMs: 50 });
    open.push(slow);
    expect(status(slow.head)).toBe(200);
    await eventually('the slow download is cut', () => cuts(gw!.logs).length === 1, 8_000);
    expect(cuts(gw.logs)[0]).toMatchObject({ reason: 'slow', tenant: 'hr-team', windowMs: 1_000 });
    expect(cuts(gw.logs)[0]!.bytesPerSecond).toBeLessThan(MIN);
    expect(await slow.drain()).toBeLessThan(SIZE);

    // A client that reads at full speed, with a rate check on, gets every byte. (Its own gateway, at 1 MiB/s: the
    // client shares this test process with the gateway, so a busy machine must not make it look slow.)
    const fast = await gatewayFor(configFor(emulator, limits(1024 * 1024)));
    try {
      const whole = await request(`${fast.gateway.url}${await fast.dumpOfNewExport()}`, { headers: HR });
      let bytes = 0;
      for await (const chunk of whole.body) bytes += (chunk as Buffer).length;
      expect(whole.statusCode).toBe(200);
      expect(bytes).toBe(SIZE);
      expect(cuts(fast.logs)).toEqual([]);
    } finally {
      await fast.gateway.close();
    }
  });

  it('releases a download slot however the response closes: refused names, a client that goes away', async () => {
    gw = await gatewayFor(configFor(emulator, {}, 1));
    const dump = await gw.dumpOfNewExport();
    const job = dump.slice(0, dump.lastIndexOf('/') + 1);
    for (let i = 0; i < 3; i++) expect((await gw.call('GET', `${job}NOT_MINE_${i}.DMP`, HR)).status).toBe(404);
    const first = await request(`${gw.gateway.url}${dump}`, { headers: HR });
    expect(first.statusCode).toBe(200);
    // While it runs, the tenant's one slot is taken.
    expect((await gw.call('GET', dump, HR)).status).toBe(429);
    first.body.destroy(); // the client goes away part-way
    await eventually('the slot is free once the response closed', async () => {
      const res = await request(`${gw!.gateway.url}${dump}`, { headers: HR });
      res.body.destroy();
      return res.statusCode === 200;
    });
  });

  it("makes a JSON call's deadline cover its wait for a connection: 503 within create_ms, nothing sent, the key free", async () => {
    gw = await gatewayFor(
      configFor(emulator, {
        connections: 1,
        timeouts: { connectMs: 1_000, createMs: 1_000, readMs: 3_000, fileIdleMs: 2_000, fileMinBytesPerSecond: 0 },
      }),
    );
    const created = await gw.call('POST', JOBS, HR, EXPORT_HR);
    const job = `${JOBS}${created.json.owner_name},${created.json.job_name}/`;
    // ORDS hangs on one poll: it holds the database's only JSON connection for read_ms.
    await emulator.setFaults([{ route: 'job', kind: 'hang', count: 1 }]);
    await emulator.clearRequests();
    const hanging = gw.call('GET', job, HR);
    await eventually('the poll reached ORDS', async () => (await emulator.requests()).length === 1);

    const key = { ...SALES, 'idempotency-key': 'queued-create' };
    const queued = await gw.call('POST', JOBS, key, EXPORT_SALES);
    expect(queued.status, JSON.stringify(queued.json)).toBe(503);
    expect(queued.json.type).toBe(problem('gateway-overloaded'));
    expect(queued.headers['retry-after']).toBe('1');
    expect(queued.ms).toBeGreaterThanOrEqual(900);
    expect(queued.ms).toBeLessThan(1_000 + 1_000);
    // Nothing was sent: ORDS saw only the hanging poll, never the create.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await emulator.requests()).map((r) => r.method)).toEqual(['GET']);

    expect((await hanging).status).toBe(504);
    // The key was freed, not held in doubt: the retry creates the one job.
    const retried = await gw.call('POST', JOBS, key, EXPORT_SALES);
    expect(retried.status, JSON.stringify(retried.json)).toBe(201);
    expect((await emulator.requests()).filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});

describe('the per-tenant download count', () => {
  const tenant = testTenants()['hr-team']!;
  const capped = { ...tenant, limits: { ...tenant.limits, concurrentDownloads: 2 } };

  it('refuses beyond the cap with 429 and Retry-After, counts per tenant, and a release is idempotent', () => {
    const limits = createDownloadLimits();
    const a = limits.acquire(capped);
    const b = limits.acquire(capped);
    expect(() => limits.acquire(capped)).toThrow(/at most 2 files at once/);
    try {
      limits.acquire(capped);
    } catch (err) {
      expect(err).toMatchObject({ slug: 'rate-limited', status: 429, headers: { 'Retry-After': '5' } });
    }
    const other = testTenants()['sales-team']!;
    limits.acquire({ ...other, limits: { ...other.limits, concurrentDownloads: 1 } })();
    a();
    a();
    expect(limits.active('hr-team')).toBe(1);
    limits.acquire(capped);
    b();
    expect(limits.active('hr-team')).toBe(1);
  });
});

// The gateway in front of a real ORDS emulator process: the reference flow, no leaks, faults, OAuth2, streaming.
import { createHash } from 'node:crypto';

import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { GatewayConfig } from '../../src/gateway/config/types.js';
import { startGateway } from '../../src/gateway/server.js';
import { createLogger } from '../../src/gateway/server.js';
import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { testConfig } from '../helpers/gateway-config.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
const HR = { authorization: basic('hr-team:hr-demo-key') }; // as the reference's curl -u sends it
const DBA = { authorization: basic('dba-team:dba-demo-key') };
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ( 'HR' )" }] };
const IMPORT_BLAKE = {
  operation: 'IMPORT',
  job_mode: 'FULL',
  file_name: 'EXPDAT%U2019-03-25-12_55_03.DMP',
  remap_schemas: [{ source: 'HR', target: 'BLAKE' }],
};

interface Seen {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/** A gateway on a real port in front of `emulator`; every answer is kept for the no-leak check. */
async function gatewayFor(emulator: EmulatorProcess, database: Partial<GatewayConfig['databases'][string]> = {}) {
  const config = testConfig(
    { publicUrl: 'http://gateway.test', logLevel: 'silent' },
    { url: emulator.ordsUrl, ...database },
  );
  const gateway = await startGateway({ config, logger: createLogger('silent') });
  const seen: Seen[] = [];
  async function call(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<Seen & { json: any }> {
    const res = await request(`${gateway.url}${path.replace('http://gateway.test', '')}`, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    const entry = { status: res.statusCode, headers: res.headers, body: text };
    seen.push(entry);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { ...entry, json };
  }
  return { gateway, call, seen };
}

describe('the ORDS reference flow through the gateway', () => {
  let emulator: EmulatorProcess;
  let gw: Awaited<ReturnType<typeof gatewayFor>>;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({
      clock: 'manual',
      config: { jobDurationMs: 5_000, lifecycle: 'completed' },
    });
    gw = await gatewayFor(emulator);
  });
  afterAll(async () => {
    await gw?.gateway.close();
    await emulator?.stop();
  });

  it('creates the reference export as hr-team, follows it to COMPLETED and downloads its log and dump', async () => {
    const created = await gw.call('POST', '/databases/orcl/datapump/jobs/', HR, EXPORT_HR);
    expect(created.status).toBe(201);
    const location = String(created.headers.location);
    expect(location).toMatch(
      /^http:\/\/gateway\.test\/databases\/orcl\/datapump\/jobs\/PDBADMIN,DATAPUMP_REST_EXPORT_\d{14}\/$/,
    );
    expect(created.json.state).toBe('EXECUTING');

    await emulator.advanceClock(6_000);
    const done = await gw.call('GET', location, HR);
    expect(done.status).toBe(200);
    expect(done.json.state).toBe('COMPLETED');
    const files = done.json.links.filter((l: { rel: string }) => l.rel === 'related');
    const log = files.find((l: { mediaType: string }) => l.mediaType === 'text/plain');
    const dump = files.find((l: { mediaType: string }) => l.mediaType === 'application/octet-stream');
    const logText = await gw.call('GET', log.href, HR);
    expect(logText.status).toBe(200);
    expect(logText.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(logText.body).toMatch(/successfully completed/);
    // ORDS received the gateway's canonical expression, never the client's text.
    expect(logText.body).toContain("IN ('HR')");
    expect(logText.body).not.toContain("IN ( 'HR' )");
    const dumpFile = await request(`${gw.gateway.url}${new URL(dump.href).pathname}`, { headers: HR });
    const viaGateway = Buffer.from(await dumpFile.body.arrayBuffer());
    const direct = await request(
      `${emulator.baseUrl}${new URL(dump.href).pathname.replace('/databases/orcl/datapump/jobs/', '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/')}`,
      { headers: { authorization: basic('pdbadmin:oracle'), 'x-test-direct': '1' } },
    );
    expect(dumpFile.headers['content-type']).toBe('application/octet-stream');
    expect(viaGateway.equals(Buffer.from(await direct.body.arrayBuffer()))).toBe(true);
  });

  it('creates the reference import as dba-team', async () => {
    const created = await gw.call('POST', '/databases/orcl/datapump/jobs', DBA, IMPORT_BLAKE);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ operation: 'IMPORT', job_mode: 'FULL', owner_name: 'PDBADMIN' });
  });

  it("lists the caller's jobs only, and answers 404 for another tenant's", async () => {
    const hr = await gw.call('GET', '/databases/orcl/datapump/jobs/', HR);
    expect(hr.json.items.map((j: { operation: string }) => j.operation)).toEqual(['EXPORT']);
    const job = hr.json.items[0].links.find((l: { rel: string }) => l.rel === 'self').href;
    const sales = await gw.call('GET', job, { 'x-api-key': 'sales-demo-key' });
    expect(sales.status).toBe(404);
    const dba = await gw.call('GET', '/databases/orcl/datapump/jobs/', DBA);
    expect(dba.json.items.length).toBe(2);
  });

  it('sends ORDS its own credentials only, with the request id', async () => {
    const received = (await emulator.requests()).map((r) =>
      Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])),
    );
    const fromGateway = received.filter((headers) => headers['x-test-direct'] === undefined);
    expect(fromGateway.length).toBeGreaterThan(3);
    for (const headers of fromGateway) {
      expect(headers.authorization).toBe(basic('pdbadmin:oracle'));
      expect(headers['x-api-key']).toBeUndefined();
      expect(headers['x-request-id']).toBeDefined();
    }
  });

  it('never shows the ORDS address in any header or body it answered with', () => {
    expect(gw.seen.length).toBeGreaterThan(5);
    const host = new URL(emulator.baseUrl).host;
    for (const s of gw.seen) {
      const text = JSON.stringify(s.headers) + s.body;
      expect(text).not.toContain(host);
      expect(text).not.toContain('/ords/');
      expect(text).not.toContain('db-api');
    }
  });
});

describe('ORDS faults, as the emulator injects them', () => {
  let emulator: EmulatorProcess;
  let gw: Awaited<ReturnType<typeof gatewayFor>>;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({ clock: 'manual' });
    gw = await gatewayFor(emulator, {
      timeouts: { connectMs: 1_000, createMs: 800, readMs: 800, fileIdleMs: 800, fileMinBytesPerSecond: 0 },
    });
  });
  afterAll(async () => {
    await gw?.gateway.close();
    await emulator?.stop();
  });
  beforeEach(async () => {
    await emulator.clearFaults();
  });

  // [fault, client status, problem slug]
  const table: Array<[object, number, string]> = [
    [{ route: 'create', kind: 'status', status: 500 }, 502, 'upstream-error'],
    [{ route: 'create', kind: 'status', status: 503 }, 503, 'upstream-unavailable'],
    [{ route: 'create', kind: 'reset' }, 503, 'upstream-unavailable'],
    [{ route: 'create', kind: 'hang' }, 504, 'upstream-timeout'],
    [{ route: 'create', kind: 'malformed' }, 502, 'upstream-invalid-response'],
    [{ route: 'create', kind: 'redirect' }, 502, 'upstream-error'],
    [{ route: 'create', kind: 'create-then-reset' }, 503, 'upstream-unavailable'],
    [{ route: 'create', kind: 'create-then-hang' }, 504, 'upstream-timeout'],
  ];

  it.each(table)('%j → %i', async (fault, status, slug) => {
    await emulator.setFaults([{ ...fault, count: 1 } as never]);
    const res = await gw.call('POST', '/databases/orcl/datapump/jobs/', HR, EXPORT_HR);
    expect(res.status).toBe(status);
    expect(res.json.type).toBe(`https://datapump-gateway.dev/problems/${slug}`);
    if (status === 503) expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).not.toContain(new URL(emulator.baseUrl).host);
  });

  it("cuts the client's connection when ORDS fails in the middle of a file, rather than ending it as if whole", async () => {
    const created = await gw.call('POST', '/databases/orcl/datapump/jobs/', HR, EXPORT_HR);
    const log = created.json.links.find((l: { mediaType?: string }) => l.mediaType === 'text/plain').href;
    await emulator.setFaults([{ route: 'file', kind: 'reset-mid-body', count: 1 }]);
    const res = await request(`${gw.gateway.url}${new URL(log).pathname}`, { headers: HR });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
  });
});

describe('OAuth2 towards the emulator', () => {
  let emulator: EmulatorProcess;
  let gw: Awaited<ReturnType<typeof gatewayFor>>;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({
      clock: 'manual',
      config: { clients: { gateway: 'gw-secret' }, tokenTtlSeconds: 600 },
    });
    gw = await gatewayFor(emulator, {
      auth: {
        kind: 'oauth2',
        clientId: 'gateway',
        clientSecret: 'gw-secret',
        tokenUrl: `${emulator.ordsUrl}oauth/token`,
      },
    });
  });
  afterAll(async () => {
    await gw?.gateway.close();
    await emulator?.stop();
  });

  it('gets one token, reuses it, and gets a new one when ORDS says it expired', async () => {
    for (let i = 0; i < 3; i++)
      expect((await gw.call('POST', '/databases/orcl/datapump/jobs/', HR, EXPORT_HR)).status).toBe(201);
    const tokenCalls = async () => (await emulator.requests()).filter((r) => r.path.endsWith('/oauth/token')).length;
    const bearer = async () =>
      new Set(
        (await emulator.requests())
          .filter((r) => r.path.includes('/datapump/'))
          .map((r) => r.headers.authorization ?? r.headers.Authorization),
      );
    expect(await bearer()).toHaveProperty('size', 1);
    const before = await tokenCalls();
    await emulator.advanceClock(601_000); // the emulator now refuses the cached token
    expect((await gw.call('POST', '/databases/orcl/datapump/jobs/', HR, EXPORT_HR)).status).toBe(201);
    expect(await bearer()).toHaveProperty('size', 2);
    if (before > 0) expect(await tokenCalls()).toBe(before + 1);
  });
});

describe('streaming a large log', () => {
  let emulator: EmulatorProcess;
  let gw: Awaited<ReturnType<typeof gatewayFor>>;
  const SIZE = 64 * 1024 * 1024;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({ clock: 'manual', config: { logBytes: SIZE } });
    gw = await gatewayFor(emulator);
  });
  afterAll(async () => {
    await gw?.gateway.close();
    await emulator?.stop();
  });

  it('passes every byte through: the same length and hash as from ORDS directly', async () => {
    const created = await gw.call('POST', '/databases/orcl/datapump/jobs/', HR, EXPORT_HR);
    const log = new URL(created.json.links.find((l: { mediaType?: string }) => l.mediaType === 'text/plain').href)
      .pathname;
    const digest = async (res: Awaited<ReturnType<typeof request>>) => {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of res.body) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      return { bytes, sha: hash.digest('hex') };
    };
    const through = await digest(await request(`${gw.gateway.url}${log}`, { headers: HR }));
    const direct = await digest(
      await request(`${emulator.ordsUrl}_/db-api/stable/database/datapump/jobs/${log.split('/jobs/')[1]}`, {
        headers: { authorization: basic('pdbadmin:oracle') },
      }),
    );
    expect(through.bytes).toBe(SIZE);
    expect(through).toEqual(direct);
  });
});

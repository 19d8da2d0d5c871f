// Polls of one job share this replica's reads of it: against the emulator as a real process and a listening gateway,
// many parallel polls cost ORDS one read per freshness window, never another tenant's job; with `fresh_ms: 0` every
// poll reads ORDS; long-polls (`Prefer: wait=N`) answer when the job changes, at their timeout, or at shutdown.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { request as httpRequest } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { GatewayConfig } from '../../../src/gateway/config/types.js';
import { createSqliteStore } from '../../../src/gateway/store/sqlite.js';
import type { StateStore } from '../../../src/gateway/store/types.js';
import { deepFreeze } from '../../../src/lib/deep-freeze.js';
import { type EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { DEMO_KEYS, testConfig } from '../../helpers/gateway-config.js';

const HR = { 'x-api-key': DEMO_KEYS['hr-team'] };
const SALES = { 'x-api-key': DEMO_KEYS['sales-team'] };
const DBA = { 'x-api-key': DEMO_KEYS['dba-team'] };
const JOBS = '/databases/orcl/datapump/jobs/';
const DURATION_MS = 5_000;

type Gw = ReturnType<typeof testGateway>;
interface Listening {
  readonly gw: Gw;
  readonly url: string;
  close(): Promise<void>;
}

let emulator: EmulatorProcess;
const open: Listening[] = [];

beforeAll(async () => {
  emulator = await startEmulatorProcess({ clock: 'manual', config: { jobDurationMs: DURATION_MS } });
});
afterAll(async () => {
  await emulator?.stop();
});
afterEach(async () => {
  for (const l of open.splice(0)) await l.close();
});

function configWith(watch: Partial<GatewayConfig['watch']>): GatewayConfig {
  const base = testConfig({}, { url: emulator.ordsUrl });
  return deepFreeze({ ...base, watch: { ...base.watch, ...watch } });
}

/** An in-process gateway on a real port (parallel polls need real sockets), with a clock the test moves. */
async function listening(
  watch: Partial<GatewayConfig['watch']>,
  options: { store?: StateStore; clock?: { ms: number } } = {},
): Promise<Listening> {
  const clock = options.clock;
  const gw = testGateway({
    config: configWith(watch),
    ...(options.store ? { store: options.store } : {}),
    ...(clock ? { now: () => new Date(clock.ms) } : {}),
  });
  const server: Server = await new Promise((resolve) => {
    const s = gw.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const l: Listening = {
    gw,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      gw.lifecycle.beginShutdown();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gw.close();
    },
  };
  open.push(l);
  return l;
}

async function get(url: string, headers: Record<string, string>) {
  const res = await httpRequest(url, { headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

async function createExport(l: Listening): Promise<{ url: string; name: string }> {
  const res = await httpRequest(`${l.url}${JOBS}`, {
    method: 'POST',
    headers: { ...HR, 'content-type': 'application/json' },
    body: JSON.stringify({ operation: 'EXPORT' }),
  });
  const body = (await res.body.json()) as { owner_name: string; job_name: string };
  expect(res.statusCode, JSON.stringify(body)).toBe(201);
  return { url: `${l.url}${JOBS}${body.owner_name},${body.job_name}/`, name: body.job_name };
}

/** The ORDS reads of this one job the emulator received since the last clear. */
async function ordsReadsOf(name: string): Promise<number> {
  return (await emulator.requests()).filter((r) => r.method === 'GET' && r.path.endsWith(`,${name}/`)).length;
}

describe('shared reads within the freshness window', () => {
  it('50 parallel polls of one job cost ORDS one read, and all get the same answer and ETag', async () => {
    const l = await listening({ freshMs: 60_000 });
    const job = await createExport(l);
    await emulator.clearRequests();
    const answers = await Promise.all(Array.from({ length: 50 }, () => get(job.url, HR)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((a) => a.headers.etag)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(await ordsReadsOf(job.name)).toBe(1);
    // And polls after it, within the window, read nothing more.
    for (let i = 0; i < 10; i++) expect((await get(job.url, HR)).status).toBe(200);
    expect(await ordsReadsOf(job.name)).toBe(1);
  });

  it('another tenant polling in parallel gets 404 from the same shared read, never the job; a DBA sees it', async () => {
    const l = await listening({ freshMs: 60_000 });
    const job = await createExport(l);
    await get(job.url, HR); // the read is now kept
    const [mine, theirs, dba] = await Promise.all([get(job.url, HR), get(job.url, SALES), get(job.url, DBA)]);
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(404);
    expect(theirs.body).not.toContain(job.name);
    expect(dba.status).toBe(200);
    expect(dba.body).toBe(mine.body);
  });

  it('after the window the next poll reads ORDS again (the clock moved past fresh_ms)', async () => {
    const clock = { ms: Date.parse('2026-12-01T10:00:00Z') };
    const l = await listening({ freshMs: 1_000 }, { clock });
    const job = await createExport(l);
    await emulator.clearRequests();
    await get(job.url, HR);
    clock.ms += 999;
    await get(job.url, HR);
    expect(await ordsReadsOf(job.name)).toBe(1);
    clock.ms += 1;
    await get(job.url, HR);
    expect(await ordsReadsOf(job.name)).toBe(2);
  });

  it('with fresh_ms 0 every poll reads ORDS, parallel ones too (the behaviour before the window)', async () => {
    const l = await listening({ freshMs: 0 });
    const job = await createExport(l);
    await emulator.clearRequests();
    await Promise.all(Array.from({ length: 10 }, () => get(job.url, HR)));
    expect(await ordsReadsOf(job.name)).toBe(10);
  });

  it("the watcher's read serves the polls after it: no read of their own", async () => {
    const l = await listening({ freshMs: 60_000 });
    const job = await createExport(l);
    await l.gw.watcher.runOnce();
    await emulator.clearRequests();
    expect((await get(job.url, HR)).status).toBe(200);
    expect(await ordsReadsOf(job.name)).toBe(0);
  });
});

describe('long-poll: Prefer: wait=N with If-None-Match', () => {
  it('answers 200 with the end as soon as the watcher records it, long before N seconds', async () => {
    const l = await listening({ freshMs: 1_000 });
    const job = await createExport(l);
    const first = await get(job.url, HR);
    const etag = String(first.headers.etag);
    const began = Date.now();
    const done = await waitThroughTheEnd(l, job.url, etag);
    expect(done.status).toBe(200);
    expect(done.headers['preference-applied']).toBe('wait=20');
    expect(done.headers.etag).not.toBe(etag);
    expect(JSON.parse(done.body).outcome.result).toBe('succeeded');
    // Woken by the watcher's record, not by the 20 s timeout.
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(l.gw.views.waiting()).toBe(0);
  });

  it("ORDS's own path shape long-polls the same way, with its own links and ETag", async () => {
    const l = await listening({ freshMs: 1_000 });
    const job = await createExport(l);
    const ordsShaped = job.url.replace(
      '/databases/orcl/datapump/',
      '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/',
    );
    const first = await get(ordsShaped, HR);
    expect(first.status).toBe(200);
    expect(first.headers.etag).not.toBe((await get(job.url, HR)).headers.etag);
    const done = await waitThroughTheEnd(l, ordsShaped, String(first.headers.etag));
    expect(done.status).toBe(200);
    expect(done.headers['preference-applied']).toBe('wait=20');
    expect(JSON.parse(done.body).links.find((k: { rel: string }) => k.rel === 'self').href).toContain(
      '/_/db-api/stable/',
    );
  });

  it('answers 304 with Preference-Applied when nothing changed in N seconds', async () => {
    const l = await listening({ freshMs: 1_000 });
    const job = await createExport(l);
    const etag = String((await get(job.url, HR)).headers.etag);
    const began = Date.now();
    const done = await get(job.url, { ...HR, 'if-none-match': etag, prefer: 'wait=1' });
    expect(done.status).toBe(304);
    expect(done.headers['preference-applied']).toBe('wait=1');
    expect(done.headers.etag).toBe(etag);
    expect(Date.now() - began).toBeGreaterThanOrEqual(950);
  });

  it.each([
    ['no If-None-Match', {}, 'wait=5', undefined],
    ['a wait that is not whole seconds', { 'if-none-match': '"x"' }, 'wait=1.5', undefined],
    ['another preference only', { 'if-none-match': '"x"' }, 'respond-async', undefined],
    ['a wait over 60 (cut to 60)', { 'if-none-match': '"x"' }, 'wait=600', 'wait=60'],
    ['wait=0', { 'if-none-match': '"x"' }, 'wait=0', 'wait=0'],
  ])('%s: answered at once (the tag differs)', async (_title, extra, prefer, applied) => {
    const l = await listening({ freshMs: 1_000 });
    const job = await createExport(l);
    const done = await get(job.url, { ...HR, ...extra, prefer });
    expect(done.status).toBe(200);
    expect(done.headers['preference-applied']).toBe(applied);
  });

  it('a job that already ended is answered at once (304): it will never change', async () => {
    const l = await listening({ freshMs: 1_000 });
    const job = await createExport(l);
    await emulator.advanceClock(DURATION_MS + 1_000);
    await l.gw.watcher.runOnce();
    const ended = await get(job.url, HR);
    expect(JSON.parse(ended.body).outcome.result).toBe('succeeded');
    const began = Date.now();
    const done = await get(job.url, { ...HR, 'if-none-match': String(ended.headers.etag), prefer: 'wait=30' });
    expect(done.status).toBe(304);
    expect(Date.now() - began).toBeLessThan(5_000);
  });

  it('on shutdown, waiting polls are answered at once with what is known', async () => {
    const l = await listening({ freshMs: 1_000 });
    const job = await createExport(l);
    const etag = String((await get(job.url, HR)).headers.etag);
    const waiting = Promise.all([1, 2, 3].map(() => get(job.url, { ...HR, 'if-none-match': etag, prefer: 'wait=30' })));
    await until(() => l.gw.views.waiting() === 3);
    const began = Date.now();
    l.gw.lifecycle.beginShutdown();
    const done = await waiting;
    expect(done.map((d) => d.status)).toEqual([304, 304, 304]);
    // The wait was cut short: the answers do not claim it was honoured.
    expect(done.every((d) => d.headers['preference-applied'] === undefined)).toBe(true);
    expect(Date.now() - began).toBeLessThan(5_000);
  });

  it('a client that goes away stops waiting (nothing is left behind)', async () => {
    const l = await listening({ freshMs: 1_000 });
    const job = await createExport(l);
    const etag = String((await get(job.url, HR)).headers.etag);
    const controller = new AbortController();
    const waiting = httpRequest(job.url, {
      headers: { ...HR, 'if-none-match': etag, prefer: 'wait=30' },
      signal: controller.signal,
    }).catch((err: Error) => err);
    await until(() => l.gw.views.waiting() === 1);
    controller.abort();
    expect(await waiting).toBeInstanceOf(Error);
    await until(() => l.gw.views.waiting() === 0);
  });

  it('one tenant cannot hold more than 100 waiting polls: the 101st is answered at once, without Preference-Applied', async () => {
    const l = await listening({ freshMs: 60_000 });
    const job = await createExport(l);
    const etag = String((await get(job.url, HR)).headers.etag);
    const held = Promise.all(
      Array.from({ length: 100 }, () => get(job.url, { ...HR, 'if-none-match': etag, prefer: 'wait=30' })),
    );
    await until(() => l.gw.views.waiting() === 100);
    const extra = await get(job.url, { ...HR, 'if-none-match': etag, prefer: 'wait=30' });
    expect(extra.status).toBe(304);
    expect(extra.headers['preference-applied']).toBeUndefined();
    // Another tenant's budget is its own.
    const dba = await get(job.url, { ...DBA, prefer: 'wait=1', 'if-none-match': etag });
    expect(dba.headers['preference-applied']).toBe('wait=1');
    l.gw.lifecycle.beginShutdown();
    expect((await held).every((d) => d.status === 304)).toBe(true);
  });

  it('another replica (its own store connection on the same SQLite file) learns of the end within change_check_ms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpg-replicas-'));
    try {
      const path = join(dir, 'state.db');
      const a = await listening({ freshMs: 1_000, changeCheckMs: 100 }, { store: createSqliteStore({ path }) });
      const b = await listening({ freshMs: 1_000, changeCheckMs: 100 }, { store: createSqliteStore({ path }) });
      const job = await createExport(a);
      const onB = job.url.replace(a.url, b.url);
      const etag = String((await get(onB, HR)).headers.etag);
      const waiting = get(onB, { ...HR, 'if-none-match': etag, prefer: 'wait=20' });
      await until(() => b.gw.views.waiting() === 1);
      await emulator.advanceClock(DURATION_MS + 1_000);
      await a.gw.watcher.runOnce(); // replica A's watcher records the end; B only sees the store
      const done = await waiting;
      expect(done.status).toBe(200);
      expect(JSON.parse(done.body).outcome.result).toBe('succeeded');
      await a.close();
      await b.close();
      await a.gw.store.close();
      await b.gw.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A long-poll of `url` (wait=20) while the job ends and the watcher's round records it; the poll's answer. */
async function waitThroughTheEnd(l: Listening, url: string, etag: string) {
  const waiting = get(url, { ...HR, 'if-none-match': etag, prefer: 'wait=20' });
  await until(() => l.gw.views.waiting() === 1);
  await emulator.advanceClock(DURATION_MS + 1_000);
  await l.gw.watcher.runOnce();
  return waiting;
}

/** Polls a condition of this process's own state (no sleeps in the assertion itself). */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// How a job ends is not the same on every ORDS (README, "How jobs end"): a long-poll is woken by the end however
// the emulator shows it, a kept job (NOT RUNNING, still listed) and a completed one (COMPLETED, then gone) too.
describe.each(['kept', 'completed'] as const)('long-poll with the emulator lifecycle %s', (lifecycle) => {
  let shared: EmulatorProcess;
  let own: EmulatorProcess | undefined;
  beforeAll(async () => {
    own = await startEmulatorProcess({
      clock: 'manual',
      config: { jobDurationMs: DURATION_MS, lifecycle, completedVisibleMs: 60_000 },
    });
    shared = emulator;
    emulator = own; // the helpers above talk to `emulator`
  });
  afterAll(async () => {
    emulator = shared;
    await own?.stop();
  });

  it('answers 200 with the end once the watcher records it', async () => {
    const l = await listening({ freshMs: 1_000 });
    const job = await createExport(l);
    const etag = String((await get(job.url, HR)).headers.etag);
    const done = await waitThroughTheEnd(l, job.url, etag);
    expect(done.status).toBe(200);
    expect(done.headers['preference-applied']).toBe('wait=20');
    const body = JSON.parse(done.body) as { state: string; outcome: { result: string } };
    expect(body.outcome.result).toBe('succeeded');
    expect(['COMPLETED', 'NOT RUNNING']).toContain(body.state);
  });
});

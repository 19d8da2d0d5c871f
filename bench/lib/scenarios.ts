/** @module The benchmark's scenarios: each sets up what it needs, measures its targets in interleaved rounds and returns table rows. */
import { Redis } from 'ioredis';
import pg from 'pg';

import { cpuMsOf, memoryOf, type Service } from './children.js';
import { gatewayConfig, keyOf, scaleTenantId, tenantEntry, writeYaml } from './configs.js';
import { clearEmulatorJobs, createJob, createJobs, download, etagOf, expectStatus, type JobRef } from './http.js';
import { type Emulator, type Gateway, type Lab, PG_URL, REDIS_URL } from './lab.js';
import { type LoadSpec, type MeasuredRun, median, percentile, pool, runLoad } from './load.js';
import type { Row } from './report.js';

export interface Scenario {
  readonly id: string;
  readonly title: string;
  run(lab: Lab): Promise<Row[]>;
}

/** A target of a scenario; `spec` is called once per round (a fresh tenant per round where it matters). */
interface Target {
  readonly name: string;
  spec(): LoadSpec | Promise<LoadSpec>;
  /** The process whose CPU time per answered request is reported (the target itself, not what it calls). */
  readonly pid?: number;
}

interface Measured {
  readonly name: string;
  readonly runs: MeasuredRun[];
  /** Median of the rounds. */
  readonly rps: number;
  /** Of every round's latencies pooled. */
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly rounds: number[];
  /** (max − min) / median of the rounds' req/s: the noise of this target. */
  readonly spread: number;
  /** CPU time of the target's process per answered request (all rounds), in µs. */
  readonly cpuUs: number | undefined;
  /** The same, per round. */
  readonly cpuRounds: number[];
}

const MAIN = { name: 'main', store: 'sqlite' } as const;
const HR_KEY = keyOf('hr-team');
export const HR_BODY = JSON.stringify({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });
const MiB = 2 ** 20;

const jobsPath = '/databases/orcl/datapump/jobs/';
const jobPath = (j: JobRef) => `${jobsPath}${j.owner},${j.job}/`;
const ordsJobsUrl = (emu: Emulator) => `${emu.apiUrl}database/datapump/jobs/`;
const ordsJobUrl = (emu: Emulator, j: JobRef) => `${ordsJobsUrl(emu)}${j.owner},${j.job}/`;

/**
 * Each round runs every target once (warm-up, then the measured run), starting one target later each round. The
 * first warm-up of a target is the full `warmupS` (JIT, connection pools); later ones only refill the pools.
 */
async function measure(lab: Lab, scenario: string, targets: readonly Target[]): Promise<Map<string, Measured>> {
  const { rounds, warmupS, durationS } = lab.settings;
  const runs = new Map<string, MeasuredRun[]>(targets.map((t) => [t.name, []]));
  const cpu = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + r) % targets.length]!;
      const spec = await target.spec();
      if (warmupS > 0) await runLoad(spec, r === 0 ? warmupS : Math.min(warmupS, 0.5));
      const cpuBefore = target.pid === undefined ? 0 : cpuMsOf(target.pid);
      const run = await runLoad(spec, durationS);
      if (target.pid !== undefined) cpu.get(target.name)!.push(cpuMsOf(target.pid) - cpuBefore);
      runs.get(target.name)!.push(run);
      const errors = run.errors > 0 ? `, ${run.errors} unexpected answers ${JSON.stringify(run.statuses)}` : '';
      lab.log(
        `  ${scenario} · round ${r + 1}/${rounds} · ${target.name}: ${run.rps.toFixed(0)} req/s, p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(2)} ms${errors}`,
      );
    }
  }
  const out = new Map<string, Measured>();
  for (const target of targets) {
    const name = target.name;
    const list = runs.get(name)!;
    const answered = list.reduce((n, r) => n + r.count, 0);
    const cpuMs = cpu.get(name)!;
    const all = pool(list);
    const perRound = list.map((r) => r.rps);
    const rps = median(perRound);
    out.set(name, {
      name,
      runs: list,
      rps,
      p50: percentile(all, 0.5),
      p99: percentile(all, 0.99),
      errors: list.reduce((n, r) => n + r.errors, 0),
      rounds: perRound,
      spread: rps > 0 ? (Math.max(...perRound) - Math.min(...perRound)) / rps : 0,
      cpuUs:
        target.pid === undefined || answered === 0 ? undefined : (cpuMs.reduce((a, b) => a + b, 0) * 1000) / answered,
      cpuRounds: cpuMs.map((ms, i) => (ms * 1000) / Math.max(1, list[i]!.count)),
    });
  }
  return out;
}

function row(
  scenario: string,
  m: Measured,
  refs: { bare?: Measured; emulator?: Measured } = {},
  extra: Partial<Row> = {},
): Row {
  return {
    scenario,
    target: m.name,
    rps: m.rps,
    p50: m.p50,
    p99: m.p99,
    ...(m.cpuUs !== undefined ? { cpuUs: m.cpuUs } : {}),
    ...(refs.bare && refs.bare !== m ? { vsBare: m.rps / refs.bare.rps } : {}),
    ...(refs.emulator && refs.emulator !== m ? { vsEmulator: m.rps / refs.emulator.rps } : {}),
    rounds: m.rounds.map((x) => Math.round(x)),
    errors: m.errors,
    ...(m.errors > 0 ? { other: `${m.errors} unexpected answers` } : {}),
    ...extra,
  };
}

/** Every target answers as expected once before the load starts. */
async function sanity(targets: readonly Target[]): Promise<void> {
  for (const t of targets) {
    const spec = await t.spec();
    const headers = {
      ...spec.headers,
      ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(spec.uniqueHeader
        ? { [spec.uniqueHeader]: `sanity-${Date.now()}-${Math.random().toString(36).slice(2)}` }
        : {}),
    };
    await expectStatus(
      spec.url,
      { method: spec.method ?? 'GET', headers, ...(spec.body !== undefined ? { body: spec.body } : {}) },
      spec.expectStatus,
    );
  }
}

/** The three ways to reach one ORDS path: the emulator itself, the bare proxy, a gateway (as `tenant`). */
function threeWays(
  lab: Lab,
  emu: Emulator,
  bare: Service,
  gw: Gateway,
  o: {
    ordsUrl: string;
    publicPath: string;
    method?: 'GET' | 'POST';
    body?: string;
    headers?: Record<string, string>;
    /** Headers for the gateway alone, over `headers` (its ETag is its own, not ORDS's). */
    gatewayHeaders?: Record<string, string>;
    expectStatus: number;
    tenant: () => string;
    unique?: boolean;
  },
): Target[] {
  const common = {
    ...(o.method ? { method: o.method } : {}),
    ...(o.body !== undefined ? { body: o.body } : {}),
    expectStatus: o.expectStatus,
    connections: lab.settings.connections,
    ...(o.unique ? { uniqueHeader: 'idempotency-key' } : {}),
  };
  return [
    {
      name: 'emulator (direct)',
      pid: emu.service.pid,
      spec: () => ({ ...common, url: o.ordsUrl, headers: { ...o.headers, authorization: emu.basicAuth } }),
    },
    {
      name: 'bare proxy',
      pid: bare.pid,
      spec: () => ({ ...common, url: `${bare.url}${o.publicPath}`, headers: { ...o.headers } }),
    },
    {
      name: `gateway`,
      pid: gw.service.pid,
      spec: () => ({
        ...common,
        url: `${gw.url}${o.publicPath}`,
        headers: { ...o.headers, ...o.gatewayHeaders, 'x-api-key': keyOf(o.tenant()) },
      }),
    },
  ];
}

function fmtMiB(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

// ── GET one job (the polling path), and the same at a fixed rate ────────────────────────────────────────────

const getJob: Scenario = {
  id: 'get-job',
  title: 'GET one job (polling path)',
  async run(lab) {
    const [emu, bare, gw] = await Promise.all([lab.emulator(), lab.bare(), lab.gateway(MAIN)]);
    const job = await createJob(gw.url, HR_KEY, HR_BODY);
    const targets = threeWays(lab, emu, bare, gw, {
      ordsUrl: ordsJobUrl(emu, job),
      publicPath: jobPath(job),
      expectStatus: 200,
      tenant: () => 'hr-team',
    });
    await sanity(targets);
    const m = await measure(lab, this.id, targets);
    const [emuM, bareM, gwM] = [m.get('emulator (direct)')!, m.get('bare proxy')!, m.get('gateway')!];
    const refs = { bare: bareM, emulator: emuM };
    const rps = gwM.rps / bareM.rps;

    // Fixed rate: half of what the bare proxy managed, for both (autocannon overallRate).
    const rate = Math.max(10, Math.round(bareM.rps / 2));
    const atRate = (t: Target): Target => ({
      name: `${t.name} @ ${rate}/s`,
      ...(t.pid !== undefined ? { pid: t.pid } : {}),
      spec: async () => ({ ...(await t.spec()), overallRate: rate, connections: lab.settings.rateConnections }),
    });
    const r = await measure(lab, `${this.id} @ ${rate}/s`, [atRate(targets[1]!), atRate(targets[2]!)]);
    const [bareR, gwR] = [r.get(`bare proxy @ ${rate}/s`)!, r.get(`gateway @ ${rate}/s`)!];
    // And at half of the gateway's own maximum, a rate it sustains: the latency it adds when not saturated.
    const rate2 = Math.max(10, Math.round(gwM.rps / 2));
    const atRate2 = (t: Target): Target => ({
      name: `${t.name} @ ${rate2}/s`,
      ...(t.pid !== undefined ? { pid: t.pid } : {}),
      spec: async () => ({ ...(await t.spec()), overallRate: rate2, connections: lab.settings.rateConnections }),
    });
    const r2 = await measure(lab, `${this.id} @ ${rate2}/s`, [atRate2(targets[1]!), atRate2(targets[2]!)]);
    const [bareR2, gwR2] = [r2.get(`bare proxy @ ${rate2}/s`)!, r2.get(`gateway @ ${rate2}/s`)!];
    return [
      row(this.title, emuM, refs),
      row(this.title, bareM, refs),
      row(this.title, gwM, refs, { goal: { text: '≥ 0.5× bare req/s', value: `${rps.toFixed(2)}×`, met: rps >= 0.5 } }),
      row(
        `${this.title}, fixed rate`,
        bareR,
        {},
        { other: `half the bare maximum; ${lab.settings.rateConnections} connections` },
      ),
      row(
        `${this.title}, fixed rate`,
        gwR,
        { bare: bareR },
        {
          goal: {
            text: 'p99 ≤ bare p99 + 5 ms',
            value: `${gwR.p99.toFixed(2)} vs ${bareR.p99.toFixed(2)} ms`,
            met: gwR.p99 <= bareR.p99 + 5,
          },
          ...(gwR.rps < rate * 0.95 ? { other: `did not reach ${rate}/s` } : {}),
        },
      ),
      row(`${this.title}, fixed rate`, bareR2, {}, { other: 'half the gateway maximum (no goal)' }),
      row(
        `${this.title}, fixed rate`,
        gwR2,
        { bare: bareR2 },
        { other: `p99 +${(gwR2.p99 - bareR2.p99).toFixed(2)} ms over bare at the same rate` },
      ),
    ];
  },
};

// ── GET with If-None-Match (the 304 path) ──────────────────────────────────────────────────────────────────────

const get304: Scenario = {
  id: 'get-304',
  title: 'GET job, If-None-Match (304)',
  async run(lab) {
    const [emu, bare, gw] = await Promise.all([lab.emulator(), lab.bare(), lab.gateway(MAIN)]);
    const job = await createJob(gw.url, HR_KEY, HR_BODY);
    // ORDS's ETag for the emulator and the bare proxy (which passes it through); the gateway's own for the gateway,
    // whose ETag describes its public body (issue 15).
    const ordsEtag = await etagOf(ordsJobUrl(emu, job), { authorization: emu.basicAuth });
    const etag = await etagOf(`${gw.url}${jobPath(job)}`, { 'x-api-key': HR_KEY });
    const targets = threeWays(lab, emu, bare, gw, {
      ordsUrl: ordsJobUrl(emu, job),
      publicPath: jobPath(job),
      headers: { 'if-none-match': ordsEtag },
      gatewayHeaders: { 'if-none-match': etag },
      expectStatus: 304,
      tenant: () => 'hr-team',
    });
    await sanity(targets);
    const m = await measure(lab, this.id, targets);
    const refs = { bare: m.get('bare proxy')!, emulator: m.get('emulator (direct)')! };
    return [...m.values()].map((x) => row(this.title, x, refs));
  },
};

// ── POST create (unique Idempotency-Key each) ──────────────────────────────────────────────────────────────────

const post: Scenario = {
  id: 'post',
  title: 'POST create job',
  async run(lab) {
    const [emu, bare, gw] = await Promise.all([lab.emulator(), lab.bare(), lab.gateway(MAIN)]);
    await clearEmulatorJobs(emu.base);
    const targets = threeWays(lab, emu, bare, gw, {
      ordsUrl: ordsJobsUrl(emu),
      publicPath: jobsPath,
      method: 'POST',
      body: HR_BODY,
      expectStatus: 201,
      unique: true,
      tenant: () => gw.freshTenant('post'),
    });
    targets[2] = { ...targets[2]!, name: 'gateway (SQLite)' };
    await sanity(targets);
    const m = await measure(lab, this.id, targets);
    const [emuM, bareM, gwM] = [m.get('emulator (direct)')!, m.get('bare proxy')!, m.get('gateway (SQLite)')!];
    const refs = { bare: bareM, emulator: emuM };
    const x = gwM.rps / bareM.rps;
    return [
      row(this.title, emuM, refs),
      row(this.title, bareM, refs),
      row(this.title, gwM, refs, { goal: { text: '≥ 0.3× bare req/s', value: `${x.toFixed(2)}×`, met: x >= 0.3 } }),
    ];
  },
};

// ── The list of a tenant with 1,000 jobs ───────────────────────────────────────────────────────────────────────

const list: Scenario = {
  id: 'list',
  title: 'GET list, tenant with 1,000 jobs',
  async run(lab) {
    const [emu, bare, gw] = await Promise.all([lab.emulator(), lab.bare(), lab.gateway(MAIN)]);
    // ORDS (the emulator) then lists exactly the tenant's jobs, as it would for a database used by one tenant.
    await clearEmulatorJobs(emu.base);
    const began = performance.now();
    await createJobs(gw.url, keyOf('list-team'), HR_BODY, lab.settings.listJobs);
    lab.log(
      `  list · ${lab.settings.listJobs} jobs created through the gateway in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    const targets = threeWays(lab, emu, bare, gw, {
      ordsUrl: ordsJobsUrl(emu),
      publicPath: jobsPath,
      expectStatus: 200,
      tenant: () => 'list-team',
    });
    await sanity(targets);
    const m = await measure(lab, this.id, targets);
    const refs = { bare: m.get('bare proxy')!, emulator: m.get('emulator (direct)')! };
    return [...m.values()].map((x) =>
      row(
        this.title,
        x,
        refs,
        x.name === 'gateway'
          ? { other: 'first page (25), from the job registry (no ORDS call)' }
          : { other: 'ORDS list, first page (25)' },
      ),
    );
  },
};

// ── POST with PostgreSQL (store) and Redis (rate-limit counters) ───────────────────────────────────────────────

async function reachable(): Promise<string | undefined> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    problems.push(`PostgreSQL at ${PG_URL.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')}: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    problems.push(`Redis at ${REDIS_URL}: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

const postStores: Scenario = {
  id: 'post-stores',
  title: 'POST create, PostgreSQL / Redis',
  async run(lab) {
    const unreachable = await reachable();
    if (unreachable) {
      lab.log(`  post-stores skipped: ${unreachable}`);
      return [{ scenario: this.title, target: 'skipped', other: unreachable }];
    }
    const [emu, bare, gw, sqliteRedis, pgRedis] = await Promise.all([
      lab.emulator(),
      lab.bare(),
      lab.gateway(MAIN),
      lab.gateway({ name: 'sqlite-redis', store: 'sqlite', redis: true }),
      lab.gateway({ name: 'postgres-redis', store: 'postgres', redis: true }),
    ]);
    try {
      await clearEmulatorJobs(emu.base);
      const postTo = (name: string, g: Gateway): Target => ({
        name,
        pid: g.service.pid,
        spec: () => ({
          url: `${g.url}${jobsPath}`,
          method: 'POST',
          body: HR_BODY,
          expectStatus: 201,
          connections: lab.settings.connections,
          uniqueHeader: 'idempotency-key',
          headers: { 'x-api-key': keyOf(g.freshTenant('post')) },
        }),
      });
      const targets: Target[] = [
        {
          name: 'bare proxy',
          pid: bare.pid,
          spec: () => ({
            url: `${bare.url}${jobsPath}`,
            method: 'POST',
            body: HR_BODY,
            expectStatus: 201,
            connections: lab.settings.connections,
            uniqueHeader: 'idempotency-key',
          }),
        },
        postTo('gateway (SQLite)', gw),
        postTo('gateway (SQLite + Redis limits)', sqliteRedis),
        postTo('gateway (PostgreSQL + Redis limits)', pgRedis),
      ];
      await sanity(targets);
      const m = await measure(lab, this.id, targets);
      const bareM = m.get('bare proxy')!;
      const sqliteM = m.get('gateway (SQLite)')!;
      return [...m.values()].map((x) =>
        row(
          this.title,
          x,
          { bare: bareM },
          x === bareM || x === sqliteM ? {} : { other: `${(x.rps / sqliteM.rps).toFixed(2)}× SQLite req/s` },
        ),
      );
    } finally {
      await Promise.all([lab.stopGateway('sqlite-redis'), lab.stopGateway('postgres-redis')]);
    }
  },
};

// ── Downloading a 1 GiB log: memory and throughput ─────────────────────────────────────────────────────────────

const log1GiB: Scenario = {
  id: 'log',
  title: 'Download the job log',
  async run(lab) {
    const [emu, bare] = await Promise.all([lab.emulator(), lab.bare()]);
    // A gateway of its own: its peak RSS then says what this download costs, not what earlier load left behind.
    const gw = await lab.gateway({ name: 'memory', store: 'sqlite' });
    try {
      const job = await createJob(gw.url, HR_KEY, HR_BODY);
      if (!job.logFile) throw new Error('the job has no log link');
      const file = `${job.owner},${job.job}/${job.logFile}`;
      // Ordinary traffic first, so "before" is a gateway that has served requests, not a fresh one.
      await runLoad(
        { url: `${gw.url}${jobPath(job)}`, headers: { 'x-api-key': HR_KEY }, expectStatus: 200, connections: 8 },
        lab.settings.quick ? 0.3 : 1,
      );
      await new Promise((r) => setTimeout(r, 500));
      const pid = gw.service.pid;
      const before = memoryOf(pid);
      let sampledPeak = before.rss;
      const sample = () => {
        try {
          sampledPeak = Math.max(sampledPeak, memoryOf(pid).rss);
        } catch {
          // the process is gone; the download fails on its own
        }
      };
      const ways: Array<{ name: string; url: string; headers: Record<string, string> }> = [
        { name: 'emulator (direct)', url: `${ordsJobsUrl(emu)}${file}`, headers: { authorization: emu.basicAuth } },
        { name: 'bare proxy', url: `${bare.url}${jobsPath}${file}`, headers: {} },
        { name: 'gateway', url: `${gw.url}${jobsPath}${file}`, headers: { 'x-api-key': HR_KEY } },
      ];
      const speeds = new Map<string, number[]>(ways.map((w) => [w.name, []]));
      for (let r = 0; r < lab.settings.downloadRounds; r++) {
        for (let i = 0; i < ways.length; i++) {
          const way = ways[(i + r) % ways.length]!;
          const d = await download(way.url, way.headers, way.name === 'gateway' ? sample : undefined);
          if (d.bytes !== lab.settings.logBytes)
            throw new Error(`${way.name}: downloaded ${d.bytes} bytes, expected ${lab.settings.logBytes}`);
          speeds.get(way.name)!.push(d.bytesPerSecond);
          lab.log(
            `  log · round ${r + 1}/${lab.settings.downloadRounds} · ${way.name}: ${(d.bytesPerSecond / MiB).toFixed(0)} MiB/s (${d.seconds.toFixed(2)} s)`,
          );
        }
      }
      const after = memoryOf(pid);
      // VmHWM only counts as the download's peak if it moved during the download; the sampled VmRSS always does.
      const peak = Math.max(sampledPeak, after.hwm > before.hwm ? after.hwm : 0);
      const growth = peak - before.rss;
      const speed = (name: string) => median(speeds.get(name)!);
      const direct = speed('emulator (direct)');
      const size =
        lab.settings.logBytes >= 2 ** 30 ? `${lab.settings.logBytes / 2 ** 30} GiB` : fmtMiB(lab.settings.logBytes);
      const title = `${this.title} (${size})`;
      const tp = (name: string) => `${(speed(name) / MiB).toFixed(0)} MiB/s`;
      const x = speed('gateway') / direct;
      return [
        { scenario: title, target: 'emulator (direct)', other: tp('emulator (direct)') },
        {
          scenario: title,
          target: 'bare proxy',
          other: `${tp('bare proxy')} (${(speed('bare proxy') / direct).toFixed(2)}× direct)`,
        },
        {
          scenario: title,
          target: 'gateway: throughput',
          other: tp('gateway'),
          goal: { text: '≥ 0.8× direct', value: `${x.toFixed(2)}×`, met: x >= 0.8 },
        },
        {
          scenario: title,
          target: 'gateway: RSS',
          other: `before ${fmtMiB(before.rss)} (peak so far ${fmtMiB(before.hwm)}), during ≤ ${fmtMiB(peak)}`,
          goal: { text: 'growth < 64 MiB', value: `+${(growth / MiB).toFixed(1)} MiB`, met: growth < 64 * MiB },
          details: { before, after, sampledPeak, growth, speeds: Object.fromEntries(speeds) },
        },
      ];
    } finally {
      await lab.stopGateway('memory');
    }
  },
};

// ── 10,000 tenants: start-up and per-request cost ──────────────────────────────────────────────────────────────

const tenants: Scenario = {
  id: 'tenants',
  title: 'Tenants configured',
  async run(lab) {
    const emu = await lab.emulator();
    const n = lab.settings.scaleTenants;
    // The same three tenants exist in both configurations; the per-request runs use them, one per round.
    const shared = [4998, 4999, 5000].map(scaleTenantId);
    const config = (ids: string[]) =>
      gatewayConfig({
        ordsUrl: emu.ordsUrl,
        store: { kind: 'sqlite', path: '${BENCH_DB}' },
        tenants: Object.fromEntries(ids.map((id) => [id, tenantEntry(id, 'hr')])),
      });
    const bigIds = Array.from({ length: n }, (_, i) => scaleTenantId(i));
    for (const id of shared) if (!bigIds.includes(id)) bigIds.push(id);
    const variants = [
      { name: '3 tenants', path: lab.file('tenants-3.yaml'), ids: shared },
      { name: `${n.toLocaleString('en-US')} tenants`, path: lab.file(`tenants-${n}.yaml`), ids: bigIds },
    ];
    const sizes = variants.map((v) => writeYaml(v.path, config(v.ids)));
    lab.log(`  tenants · configs written: ${sizes.map((s) => `${(s / 1024).toFixed(0)} KiB`).join(', ')}`);

    const startups = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    const rssAtStart = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    const live = new Map<string, Service>();
    let db = 0;
    try {
      const rounds = lab.settings.startupRounds;
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < variants.length; i++) {
          const v = variants[(i + r) % variants.length]!;
          const last = r === rounds - 1;
          const service = await lab.startGatewayProcess(
            `scale-${v.ids.length}`,
            v.path,
            { BENCH_DB: lab.file(`scale-${(db += 1)}.db`) },
            last ? `gateway-scale-${v.ids.length}` : undefined,
          );
          startups.get(v.name)!.push(service.startMs);
          rssAtStart.get(v.name)!.push(memoryOf(service.pid).rss);
          lab.log(`  tenants · start-up ${r + 1}/${rounds} · ${v.name}: ${service.startMs.toFixed(0)} ms`);
          if (last) live.set(v.name, service);
          else await service.stop(15_000);
        }
      }
      // Per request: a POST (authentication, rate limits, policy, quotas, ORDS, registry) as one of the shared tenants.
      await clearEmulatorJobs(emu.base);
      const targets: Target[] = variants.map((v) => {
        let round = 0;
        return {
          name: `POST, ${v.name}`,
          pid: live.get(v.name)!.pid,
          spec: () => ({
            url: `${live.get(v.name)!.url}${jobsPath}`,
            method: 'POST',
            body: HR_BODY,
            expectStatus: 201,
            connections: lab.settings.connections,
            uniqueHeader: 'idempotency-key',
            headers: { 'x-api-key': keyOf(shared[round++ % shared.length]!) },
          }),
        };
      });
      await sanity(targets);
      const m = await measure(lab, this.id, targets);
      const [small, big] = variants.map((v) => m.get(`POST, ${v.name}`)!) as [Measured, Measured];
      const [s0, s1] = variants.map((v) => median(startups.get(v.name)!)) as [number, number];
      const rss = (v: (typeof variants)[number]) => fmtMiB(median(rssAtStart.get(v.name)!));
      // Judged on CPU time per request, which other load on the machine disturbs far less than req/s.
      const spreadOf = (xs: number[]) => (xs.length > 1 ? (Math.max(...xs) - Math.min(...xs)) / median(xs) : 0);
      const diff = (big.cpuUs ?? Number.NaN) / (small.cpuUs ?? Number.NaN) - 1;
      const noise = Math.max(spreadOf(small.cpuRounds), spreadOf(big.cpuRounds), 0.05);
      return [
        {
          scenario: 'Start-up (spawn → listening line)',
          target: variants[0]!.name,
          other: `${(s0 / 1000).toFixed(2)} s, RSS ${rss(variants[0]!)}`,
          details: { startupsMs: startups.get(variants[0]!.name) },
        },
        {
          scenario: 'Start-up (spawn → listening line)',
          target: variants[1]!.name,
          other: `${(s1 / 1000).toFixed(2)} s, RSS ${rss(variants[1]!)}`,
          goal: {
            text: '< 1 s more than 3 tenants',
            value: `${s1 - s0 >= 0 ? '+' : ''}${((s1 - s0) / 1000).toFixed(2)} s`,
            met: s1 - s0 < 1000,
          },
          details: { startupsMs: startups.get(variants[1]!.name), configBytes: sizes[1] },
        },
        row('Auth + policy per request (POST)', small),
        row(
          'Auth + policy per request (POST)',
          big,
          {},
          {
            other: `${((big.rps / small.rps - 1) * 100).toFixed(1)}% req/s vs 3 tenants`,
            goal: {
              text: 'CPU/req unchanged within noise',
              value: `${diff >= 0 ? '+' : ''}${(diff * 100).toFixed(1)}%, noise ±${(noise * 100).toFixed(0)}%`,
              met: Math.abs(diff) <= noise,
            },
          },
        ),
      ];
    } finally {
      await Promise.all([...live.values()].map((s) => s.stop(15_000)));
    }
  },
};

// ── Policy cost of a 1,000-name IN list ────────────────────────────────────────────────────────────────────────

export function inListBody(names: number): string {
  const list = Array.from({ length: names }, (_, i) => `'T${String(i).padStart(4, '0')}'`).join(', ');
  return JSON.stringify({
    operation: 'EXPORT',
    job_mode: 'TABLE',
    schema_expressions: [{ expression: "IN ('HR')" }],
    name_expressions: [{ expression: `IN (${list})` }],
  });
}

const inList: Scenario = {
  id: 'in-list',
  title: 'POST, name_expressions IN list',
  async run(lab) {
    const [emu, gw] = await Promise.all([lab.emulator(), lab.gateway(MAIN)]);
    await clearEmulatorJobs(emu.base);
    const n = lab.settings.inListNames;
    const target = (label: string, body: string): Target => ({
      name: label,
      pid: gw.service.pid,
      spec: () => ({
        url: `${gw.url}${jobsPath}`,
        method: 'POST',
        body,
        expectStatus: 201,
        connections: lab.settings.connections,
        uniqueHeader: 'idempotency-key',
        headers: { 'x-api-key': keyOf(gw.freshTenant('dba')) },
      }),
    });
    const targets = [
      target('gateway, 1 name (dba)', inListBody(1)),
      target(`gateway, ${n.toLocaleString('en-US')} names (dba)`, inListBody(n)),
    ];
    await sanity(targets);
    const m = await measure(lab, this.id, targets);
    const [one, many] = targets.map((t) => m.get(t.name)!) as [Measured, Measured];
    return [
      row(this.title, one),
      row(
        this.title,
        many,
        {},
        {
          other: `${(many.rps / one.rps).toFixed(2)}× the 1-name req/s; p50 +${(many.p50 - one.p50).toFixed(2)} ms; body ${(Buffer.byteLength(inListBody(n)) / 1024).toFixed(1)} KiB`,
        },
      ),
    ];
  },
};

export const SCENARIOS: readonly Scenario[] = [getJob, get304, post, list, postStores, log1GiB, tenants, inList];

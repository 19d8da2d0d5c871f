/** @module The benchmark's scenarios: each sets up what it needs, measures its targets in interleaved rounds and returns table rows. */
import { readFileSync } from 'node:fs';

import { Redis } from 'ioredis';
import pg from 'pg';

import { cpuMsOfAll, memoryOf, type Service } from './children.js';
import { gatewayConfig, keyOf, scaleTenantId, tenantEntry, writeYaml } from './configs.js';
import {
  type AddedJob,
  addEmulatorJobs,
  advanceClock,
  clearEmulatorJobs,
  createJob,
  createJobs,
  download,
  etagOf,
  expectStatus,
  type JobRef,
  metricSum,
  type TimedAnswer,
  timedGet,
} from './http.js';
import { type Emulator, type Gateway, type GatewayOptions, type Lab, PG_URL, REDIS_URL } from './lab.js';
import { type LoadSpec, type MeasuredRun, median, percentile, pool, runLoad } from './load.js';
import type { Goal, Row } from './report.js';

export interface Scenario {
  readonly id: string;
  readonly title: string;
  /**
   * Starts the processes `run` will ask the lab for (the lab's calls are memoised), so that `--quick` can start
   * every scenario's processes at once instead of one scenario after another; the full run does not use it.
   */
  prepare?(lab: Lab): Promise<unknown>;
  run(lab: Lab): Promise<Row[]>;
}

/** A target of a scenario; `spec` is called once per round (a fresh tenant per round where it matters). */
interface Target {
  readonly name: string;
  spec(): LoadSpec | Promise<LoadSpec>;
  /**
   * CPU time (ms) used so far by the target's own processes, not what it calls: its per-request CPU is the
   * difference over a measured run divided by the answers.
   */
  readonly cpu?: () => number;
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
  /** CPU time of the target's processes per answered request (all rounds), in µs. */
  readonly cpuUs: number | undefined;
  /** The same, per round. */
  readonly cpuRounds: number[];
}

/**
 * The gateway of get-job, get-304, post, list and in-list. `fresh_ms: 0`: every poll of a job reads ORDS, the cost
 * issue 18's polling goal is about (without it a poll within a second of the last read is answered from that read).
 */
const main = (lab: Lab): GatewayOptions => ({
  name: 'main',
  store: 'sqlite',
  watch: lab.watch({ interval_ms: 3_600_000, fresh_ms: 0 }),
});
/** get-job's second gateway: every poll after the first within a minute of the last ORDS read is answered from it. */
const freshGateway = (lab: Lab): GatewayOptions => ({
  name: 'fresh',
  store: 'sqlite',
  watch: lab.watch({ interval_ms: 3_600_000, fresh_ms: 60_000 }),
});
/** Default watch.fresh_ms (1000): polls of a job within a second of its last ORDS read share that read. */
const stormGateway = (lab: Lab): GatewayOptions => ({
  name: 'storm',
  store: 'sqlite',
  watch: lab.watch({ interval_ms: 5_000 }),
});
/**
 * The long-poll's emulator: moving its manual clock ends its jobs and no other scenario's. Jobs stay visible once
 * ended (kept), so the watcher reads the end from ORDS and the log, not from a vanished job.
 */
const LONG_POLL_JOB_MS = 5_000;
const longPollEmulator = (lab: Lab) =>
  lab.extraEmulator({
    name: 'emulator-longpoll',
    args: ['--lifecycle', 'kept', '--job-duration', String(LONG_POLL_JOB_MS), '--log-bytes', String(64 * 1024)],
  });
const longPollGateway = (lab: Lab, emulator: Emulator): GatewayOptions => ({
  name: 'longpoll',
  store: 'sqlite',
  emulator,
  watch: lab.watch({ interval_ms: 1_000 }),
});
/** The log scenario's gateway of its own: its peak RSS then says what the download costs. */
const MEMORY: GatewayOptions = { name: 'memory', store: 'sqlite' };
const SQLITE_REDIS: GatewayOptions = { name: 'sqlite-redis', store: 'sqlite', redis: true };
const POSTGRES_REDIS: GatewayOptions = { name: 'postgres-redis', store: 'postgres', redis: true };
const HR_KEY = keyOf('hr-team');
export const HR_BODY = JSON.stringify({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });
const MiB = 2 ** 20;

const jobsPath = '/databases/orcl/datapump/jobs/';
const jobPath = (j: JobRef) => `${jobsPath}${j.owner},${j.job}/`;
const ordsJobsUrl = (emu: Emulator) => `${emu.apiUrl}database/datapump/jobs/`;
const ordsJobUrl = (emu: Emulator, j: JobRef) => `${ordsJobsUrl(emu)}${j.owner},${j.job}/`;
const cpuOf = (service: Service) => () => cpuMsOfAll(service.pids());

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
      const cpuBefore = target.cpu?.() ?? 0;
      const run = await runLoad(spec, durationS);
      if (target.cpu) cpu.get(target.name)!.push(target.cpu() - cpuBefore);
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
      cpuUs: !target.cpu || answered === 0 ? undefined : (cpuMs.reduce((a, b) => a + b, 0) * 1000) / answered,
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

/** The references every request scenario measures the gateway against; nginx only when it could be had. */
interface References {
  readonly emu: Emulator;
  readonly bare: Service;
  readonly floor: Service;
  readonly nginx: Service | { readonly skipped: string };
}

async function references(lab: Lab): Promise<References> {
  const [emu, bare, floor, nginx] = await Promise.all([lab.emulator(), lab.bare(), lab.floor(), lab.nginx()]);
  return { emu, bare, floor, nginx };
}

const EMULATOR = 'emulator (direct)';
const BARE = 'bare proxy';
const FLOOR = 'Express floor';
const NGINX = 'nginx';

/**
 * The ways to reach one ORDS path: the emulator itself, the bare proxy, the Express floor, nginx (when there is
 * one) and a gateway (as `tenant`). The references map the same public path onto ORDS's; nginx wants an allowed key.
 */
function ways(
  lab: Lab,
  refs: References,
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
    /** The gateway target's name (default `gateway`). */
    gatewayName?: string;
  },
): Target[] {
  const common = {
    ...(o.method ? { method: o.method } : {}),
    ...(o.body !== undefined ? { body: o.body } : {}),
    expectStatus: o.expectStatus,
    connections: lab.settings.connections,
    ...(o.unique ? { uniqueHeader: 'idempotency-key' } : {}),
  };
  const via = (name: string, service: Service, headers: Record<string, string> = {}): Target => ({
    name,
    cpu: cpuOf(service),
    spec: () => ({ ...common, url: `${service.url}${o.publicPath}`, headers: { ...o.headers, ...headers } }),
  });
  return [
    {
      name: EMULATOR,
      cpu: cpuOf(refs.emu.service),
      spec: () => ({ ...common, url: o.ordsUrl, headers: { ...o.headers, authorization: refs.emu.basicAuth } }),
    },
    via(BARE, refs.bare),
    via(FLOOR, refs.floor),
    ...('skipped' in refs.nginx ? [] : [via(NGINX, refs.nginx, { 'x-api-key': HR_KEY })]),
    {
      name: o.gatewayName ?? 'gateway',
      cpu: cpuOf(gw.service),
      spec: () => ({
        ...common,
        url: `${gw.url}${o.publicPath}`,
        headers: { ...o.headers, ...o.gatewayHeaders, 'x-api-key': keyOf(o.tenant()) },
      }),
    },
  ];
}

/** The reference rows, in a fixed order, with nginx's skip reason when it did not run. */
function referenceRows(title: string, m: Map<string, Measured>, refs: References, other?: string): Row[] {
  const rowRefs = { bare: m.get(BARE)!, emulator: m.get(EMULATOR)! };
  const extra = other ? { other } : {};
  return [
    row(title, m.get(EMULATOR)!, rowRefs, extra),
    row(title, m.get(BARE)!, rowRefs, extra),
    row(title, m.get(FLOOR)!, rowRefs, extra),
    'skipped' in refs.nginx
      ? { scenario: title, target: NGINX, other: `skipped: ${refs.nginx.skipped}` }
      : row(title, m.get(NGINX)!, rowRefs, extra),
  ];
}

const times = (x: number) => `${x.toFixed(2)}×`;

function fmtMiB(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

const NO_FRESH_MS = "watch.fresh_ms is not in the gateway's schema yet: the gateway ran without it";

// ── GET one job (the polling path), through ORDS and within the freshness window ──────────────────────────────

const getJob: Scenario = {
  id: 'get-job',
  title: 'GET one job (polling path)',
  prepare: (lab) => Promise.all([references(lab), lab.gateway(main(lab)), lab.gateway(freshGateway(lab))]),
  async run(lab) {
    const [refs, gw, fresh] = await Promise.all([
      references(lab),
      lab.gateway(main(lab)),
      lab.gateway(freshGateway(lab)),
    ]);
    const [job, freshJob] = await Promise.all([
      createJob(gw.url, HR_KEY, HR_BODY),
      createJob(fresh.url, HR_KEY, HR_BODY),
    ]);
    const targets = ways(lab, refs, gw, {
      ordsUrl: ordsJobUrl(refs.emu, job),
      publicPath: jobPath(job),
      expectStatus: 200,
      tenant: () => 'hr-team',
    });
    const FRESH = 'gateway (freshness window)';
    targets.push({
      name: FRESH,
      cpu: cpuOf(fresh.service),
      spec: () => ({
        url: `${fresh.url}${jobPath(freshJob)}`,
        headers: { 'x-api-key': HR_KEY },
        expectStatus: 200,
        connections: lab.settings.connections,
      }),
    });
    await sanity(targets);
    const m = await measure(lab, this.id, targets);
    const [bareM, floorM, gwM, freshM] = [m.get(BARE)!, m.get(FLOOR)!, m.get('gateway')!, m.get(FRESH)!];
    const rowRefs = { bare: bareM, emulator: m.get(EMULATOR)! };
    const x = gwM.rps / bareM.rps;
    const cpuX = (gwM.cpuUs ?? Number.NaN) / (floorM.cpuUs ?? Number.NaN);
    const xFresh = freshM.rps / bareM.rps;
    const supported = lab.freshMsSupported;
    const gwGoal: Goal = {
      text: '≥ 0.35× bare req/s and CPU/req ≤ 2× Express floor',
      value: `${times(x)} bare, CPU ${times(cpuX)} floor`,
      met: x >= 0.35 && cpuX <= 2,
    };
    const freshGoal: Goal = {
      text: '≥ 0.5× bare req/s',
      value: supported ? times(xFresh) : `${times(xFresh)}; ${NO_FRESH_MS}`,
      met: supported && xFresh >= 0.5,
    };
    return [
      ...referenceRows(this.title, m, refs),
      row(this.title, gwM, rowRefs, {
        other: supported ? 'watch.fresh_ms 0: every poll reads ORDS' : NO_FRESH_MS,
        goal: gwGoal,
      }),
      row(this.title, freshM, rowRefs, {
        other: supported ? 'watch.fresh_ms 60000: polls after the first answered from the last read' : NO_FRESH_MS,
        goal: freshGoal,
      }),
    ];
  },
};

// ── GET with If-None-Match (the 304 path) ──────────────────────────────────────────────────────────────────────

const get304: Scenario = {
  id: 'get-304',
  prepare: (lab) => Promise.all([references(lab), lab.gateway(main(lab))]),
  title: 'GET job, If-None-Match (304)',
  async run(lab) {
    const [refs, gw] = await Promise.all([references(lab), lab.gateway(main(lab))]);
    const job = await createJob(gw.url, HR_KEY, HR_BODY);
    // ORDS's ETag for the emulator and the proxies (which pass it through); the gateway's own for the gateway,
    // whose ETag describes its public body (issue 15).
    const ordsEtag = await etagOf(ordsJobUrl(refs.emu, job), { authorization: refs.emu.basicAuth });
    const etag = await etagOf(`${gw.url}${jobPath(job)}`, { 'x-api-key': HR_KEY });
    const targets = ways(lab, refs, gw, {
      ordsUrl: ordsJobUrl(refs.emu, job),
      publicPath: jobPath(job),
      headers: { 'if-none-match': ordsEtag },
      gatewayHeaders: { 'if-none-match': etag },
      expectStatus: 304,
      tenant: () => 'hr-team',
    });
    await sanity(targets);
    const m = await measure(lab, this.id, targets);
    const rowRefs = { bare: m.get(BARE)!, emulator: m.get(EMULATOR)! };
    return [...referenceRows(this.title, m, refs), row(this.title, m.get('gateway')!, rowRefs)];
  },
};

// ── POST create (unique Idempotency-Key each) ──────────────────────────────────────────────────────────────────

const post: Scenario = {
  id: 'post',
  prepare: (lab) => Promise.all([references(lab), lab.gateway(main(lab))]),
  title: 'POST create job',
  async run(lab) {
    const [refs, gw] = await Promise.all([references(lab), lab.gateway(main(lab))]);
    await clearEmulatorJobs(refs.emu.base);
    const targets = ways(lab, refs, gw, {
      ordsUrl: ordsJobsUrl(refs.emu),
      publicPath: jobsPath,
      method: 'POST',
      body: HR_BODY,
      expectStatus: 201,
      unique: true,
      tenant: () => gw.freshTenant('post'),
      gatewayName: 'gateway (SQLite)',
    });
    await sanity(targets);
    const m = await measure(lab, this.id, targets);
    const [bareM, gwM] = [m.get(BARE)!, m.get('gateway (SQLite)')!];
    const x = gwM.rps / bareM.rps;
    return [
      ...referenceRows(this.title, m, refs),
      row(
        this.title,
        gwM,
        { bare: bareM, emulator: m.get(EMULATOR)! },
        { goal: { text: '≥ 0.2× bare req/s', value: times(x), met: x >= 0.2 } },
      ),
    ];
  },
};

// ── The list of a tenant with 1,000 jobs, ORDS holding many or few jobs besides ────────────────────────────────

/** Other tools' jobs (`ETL_TOOL`): owners and names no gateway tenant has. */
const otherJobs = (n: number): AddedJob[] =>
  Array.from({ length: n }, (_, i) => ({
    owner_name: 'ETL_TOOL',
    job_name: `NIGHTLY_EXPORT_${String(i).padStart(5, '0')}`,
    operation: 'EXPORT',
    job_mode: 'SCHEMA',
    state: 'EXECUTING',
  }));

const list: Scenario = {
  id: 'list',
  prepare: (lab) => Promise.all([references(lab), lab.gateway(main(lab))]),
  title: 'GET list, tenant with 1,000 jobs',
  async run(lab) {
    // The title says how many the tenant has (fewer with --quick).
    const title = `GET list, tenant with ${lab.settings.listJobs.toLocaleString('en-US')} jobs`;
    const [refs, gw] = await Promise.all([references(lab), lab.gateway(main(lab))]);
    const emu = refs.emu;
    const { ordsManyJobs: many, ordsFewJobs: few } = lab.settings;
    await clearEmulatorJobs(emu.base);
    const began = performance.now();
    await createJobs(gw.url, keyOf('list-team'), HR_BODY, lab.settings.listJobs);
    // The gateway's own GET job, measured in the same rounds: the list's first goal is relative to it.
    const polled = await createJob(gw.url, HR_KEY, HR_BODY);
    lab.log(
      `  list · ${lab.settings.listJobs} jobs created through the gateway in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    // What ORDS holds is switched between targets: other tools' jobs, and the polled job again (as another tool's
    // row of the same name: clearing the emulator forgets it). A tenant's page is read from the registry, so the
    // gateway should not care; the references list ORDS's first page of `many`.
    let holding = -1;
    const ordsHolding = async (n: number) => {
      if (holding === n) return;
      await clearEmulatorJobs(emu.base);
      await addEmulatorJobs(emu.base, [
        { owner_name: polled.owner, job_name: polled.job, operation: 'EXPORT', job_mode: 'SCHEMA', state: 'EXECUTING' },
        ...otherJobs(n - 1),
      ]);
      holding = n;
    };
    const holdingMany = <T extends Target>(t: T): T => ({
      ...t,
      spec: async () => {
        await ordsHolding(many);
        return t.spec();
      },
    });
    const manyLabel = `gateway, ORDS holding ${many.toLocaleString('en-US')} jobs`;
    const fewLabel = `gateway, ORDS holding ${few.toLocaleString('en-US')} jobs`;
    const GET_ONE = 'gateway, GET one job (same rounds)';
    const listSpec = (): LoadSpec => ({
      url: `${gw.url}${jobsPath}`,
      headers: { 'x-api-key': keyOf('list-team') },
      expectStatus: 200,
      connections: lab.settings.connections,
    });
    const targets: Target[] = [
      ...ways(lab, refs, gw, {
        ordsUrl: ordsJobsUrl(emu),
        publicPath: jobsPath,
        expectStatus: 200,
        tenant: () => 'list-team',
        gatewayName: manyLabel,
      }).map(holdingMany),
      {
        name: fewLabel,
        cpu: cpuOf(gw.service),
        spec: async () => {
          await ordsHolding(few);
          return listSpec();
        },
      },
      {
        name: GET_ONE,
        cpu: cpuOf(gw.service),
        spec: () => ({
          url: `${gw.url}${jobPath(polled)}`,
          headers: { 'x-api-key': HR_KEY },
          expectStatus: 200,
          connections: lab.settings.connections,
        }),
      },
    ];
    await sanity(targets);
    const m = await measure(lab, this.id, targets);
    const [manyM, fewM, oneM] = [m.get(manyLabel)!, m.get(fewLabel)!, m.get(GET_ONE)!];
    const rowRefs = { bare: m.get(BARE)!, emulator: m.get(EMULATOR)! };
    const vsGet = manyM.rps / oneM.rps;
    const vsFew = fewM.rps / manyM.rps;
    const page = 'first page (25), from the job registry (no ORDS call)';
    return [
      ...referenceRows(title, m, refs, `ORDS list, first page (25) of ${many.toLocaleString('en-US')}`),
      row(title, manyM, rowRefs, {
        other: page,
        goal: { text: "≥ 0.5× the gateway's own GET job req/s", value: times(vsGet), met: vsGet >= 0.5 },
      }),
      row(title, fewM, rowRefs, {
        other: page,
        goal: {
          text: `the ${many.toLocaleString('en-US')}-job page within 1.2× of this one`,
          value: `this one ${times(vsFew)} the ${many.toLocaleString('en-US')}-job page's req/s`,
          met: vsFew <= 1.2,
        },
      }),
      row(title, oneM, rowRefs, { other: 'the reference of the first goal (watch.fresh_ms 0)' }),
    ];
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
  async prepare(lab) {
    if (await reachable()) return;
    await Promise.all([lab.gateway(SQLITE_REDIS), lab.gateway(POSTGRES_REDIS)]);
  },
  async run(lab) {
    const unreachable = await reachable();
    if (unreachable) {
      lab.log(`  post-stores skipped: ${unreachable}`);
      return [{ scenario: this.title, target: 'skipped', other: unreachable }];
    }
    const [emu, bare, gw, sqliteRedis, pgRedis] = await Promise.all([
      lab.emulator(),
      lab.bare(),
      lab.gateway(main(lab)),
      lab.gateway(SQLITE_REDIS),
      lab.gateway(POSTGRES_REDIS),
    ]);
    try {
      await clearEmulatorJobs(emu.base);
      const postTo = (name: string, g: Gateway): Target => ({
        name,
        cpu: cpuOf(g.service),
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
          cpu: cpuOf(bare),
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
  prepare: (lab) => Promise.all([lab.emulator(), lab.bare(), lab.gateway(MEMORY)]),
  async run(lab) {
    const [emu, bare] = await Promise.all([lab.emulator(), lab.bare()]);
    // A gateway of its own: its peak RSS then says what this download costs, not what earlier load left behind.
    const gw = await lab.gateway(MEMORY);
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
      const bareSpeed = speed('bare proxy');
      const size =
        lab.settings.logBytes >= 2 ** 30 ? `${lab.settings.logBytes / 2 ** 30} GiB` : fmtMiB(lab.settings.logBytes);
      const title = `${this.title} (${size})`;
      const tp = (name: string) => `${(speed(name) / MiB).toFixed(0)} MiB/s`;
      const x = speed('gateway') / bareSpeed;
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
          other: `${tp('gateway')} (${(speed('gateway') / direct).toFixed(2)}× direct)`,
          goal: { text: '≥ 0.95× bare proxy throughput', value: `${x.toFixed(2)}×`, met: x >= 0.95 },
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
          cpu: cpuOf(live.get(v.name)!),
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
  prepare: (lab) => Promise.all([references(lab), lab.gateway(main(lab))]),
  title: 'POST, name_expressions IN list',
  async run(lab) {
    const [emu, gw] = await Promise.all([lab.emulator(), lab.gateway(main(lab))]);
    await clearEmulatorJobs(emu.base);
    const n = lab.settings.inListNames;
    const target = (label: string, body: string): Target => ({
      name: label,
      cpu: cpuOf(gw.service),
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

// ── Poll storm: one client, then many, polling the same jobs ───────────────────────────────────────────────────

/** Every ORDS call the gateway made, all series summed: its polls' reads, the watcher's job and log reads, probes. */
const ORDS_CALLS = 'datapump_gateway_ords_request_duration_seconds_count';

const pollStorm: Scenario = {
  id: 'poll-storm',
  title: 'Poll storm (GET jobs round-robin)',
  prepare: (lab) => lab.gateway(stormGateway(lab)),
  async run(lab) {
    const { stormJobs, stormS, stormClients, warmupS } = lab.settings;
    const gw = await lab.gateway(stormGateway(lab));
    try {
      const jobs = await createJobs(gw.url, HR_KEY, HR_BODY, stormJobs, 4);
      const paths = jobs.map(jobPath);
      const spec = (connections: number): LoadSpec => ({
        url: `${gw.url}${paths[0]}`,
        paths,
        headers: { 'x-api-key': HR_KEY },
        expectStatus: 200,
        connections,
      });
      await expectStatus(`${gw.url}${paths[0]}`, { headers: { 'x-api-key': HR_KEY } }, 200);
      if (warmupS > 0) await runLoad(spec(1), warmupS);
      const cpu = cpuOf(gw.service);
      const storm = async (clients: number) => {
        const calls0 = await metricSum(`${gw.url}/metrics`, ORDS_CALLS);
        const cpu0 = cpu();
        const run = await runLoad(spec(clients), stormS);
        const cpuMs = cpu() - cpu0;
        const calls = (await metricSum(`${gw.url}/metrics`, ORDS_CALLS)) - calls0;
        lab.log(
          `  poll-storm · ${clients} client(s): ${run.rps.toFixed(0)} req/s, ${calls} ORDS calls in ${run.seconds.toFixed(1)} s${run.errors > 0 ? `, ${run.errors} unexpected answers ${JSON.stringify(run.statuses)}` : ''}`,
        );
        return { run, calls, perSecond: calls / run.seconds, cpuUs: run.count > 0 ? (cpuMs * 1000) / run.count : 0 };
      };
      const one = await storm(1);
      const many = await storm(stormClients);
      const title = `${this.title}, ${stormJobs} jobs, ${stormS} s each`;
      const stormRow = (name: string, s: typeof one, extra: Partial<Row> = {}): Row => ({
        scenario: title,
        target: name,
        rps: s.run.rps,
        p50: s.run.p50,
        p99: s.run.p99,
        cpuUs: s.cpuUs,
        errors: s.run.errors,
        other: `${s.calls.toLocaleString('en-US')} ORDS calls (${s.perSecond.toFixed(1)}/s)${s.run.errors > 0 ? `; ${s.run.errors} unexpected answers` : ''}`,
        details: { statuses: s.run.statuses, calls: s.calls, seconds: s.run.seconds },
        ...extra,
      });
      const x = many.perSecond / one.perSecond;
      return [
        stormRow('gateway, 1 client', one),
        stormRow(`gateway, ${stormClients} clients`, many, {
          goal: {
            text: 'ORDS calls ≤ 1.2× those of 1 client',
            value: `${times(x)} (per second of run)${lab.freshMsSupported ? '' : `; ${NO_FRESH_MS}`}`,
            met: x <= 1.2,
          },
        }),
      ];
    } finally {
      await lab.stopGateway('storm');
    }
  },
};

// ── Long-poll: answered when the watcher sees the job end ─────────────────────────────────────────────────────

/** When the gateway logged each job's end (pino's `time`, ms since the epoch), by `OWNER,NAME`. */
function endsLogged(logFile: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"job ended"')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; job?: string; time?: number | string };
      if (entry.msg !== 'job ended' || typeof entry.job !== 'string' || entry.time === undefined) continue;
      out.set(entry.job, typeof entry.time === 'number' ? entry.time : Date.parse(entry.time));
    } catch {
      // not a JSON line
    }
  }
  return out;
}

const longPoll: Scenario = {
  id: 'long-poll',
  title: 'Long-poll (If-None-Match, Prefer: wait=30) until the job ends',
  prepare: async (lab) => lab.gateway(longPollGateway(lab, await longPollEmulator(lab))),
  async run(lab) {
    const n = lab.settings.longPollJobs;
    const emu = await longPollEmulator(lab);
    const title = this.title;
    try {
      const gw = await lab.gateway(longPollGateway(lab, emu));
      const jobs = await createJobs(gw.url, HR_KEY, HR_BODY, n, n);
      const url = (j: JobRef) => `${gw.url}${jobPath(j)}`;
      const etags = await Promise.all(jobs.map((j) => etagOf(url(j), { 'x-api-key': HR_KEY })));
      const sentAt = Date.now();
      const arrived: Array<TimedAnswer | undefined> = jobs.map(() => undefined);
      const answers = jobs.map((j, i) =>
        timedGet(url(j), { 'x-api-key': HR_KEY, 'if-none-match': etags[i]!, prefer: 'wait=30' }, 45_000).then(
          (a) => (arrived[i] = a),
        ),
      );
      // Handled by Promise.all below; until then a failed request must not count as an unhandled rejection.
      for (const a of answers) a.catch(() => undefined);
      // A gateway without long-poll answers at once (304, no Preference-Applied): give it the time to.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const early = arrived.filter((a) => a !== undefined);
      if (early.length === n) {
        const a = early[0]!;
        return [
          {
            scenario: title,
            target: `gateway, ${n} jobs waiting`,
            other: `answered ${a.status} after ${a.answeredAt - sentAt} ms, before the job ended`,
            goal: {
              text: 'answered ≤ 1 s after the watcher sees the end',
              value: a.headers['preference-applied']
                ? `answered before the end (Preference-Applied: ${String(a.headers['preference-applied'])})`
                : 'no Preference-Applied: the gateway does not support long-poll yet',
              met: false,
            },
          },
        ];
      }
      await advanceClock(emu.base, LONG_POLL_JOB_MS + 1_000);
      const advancedAt = Date.now();
      const got = await Promise.all(answers);
      // The "job ended" line is written before the waiter is woken; give the log file a moment to be flushed.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const ends = endsLogged(gw.logFile);
      const statuses: Record<string, number> = {};
      const deltas: number[] = [];
      const problems: string[] = [];
      got.forEach((a, i) => {
        const key = `${jobs[i]!.owner},${jobs[i]!.job}`;
        statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        const applied = a.headers['preference-applied'];
        if (a.status !== 200) problems.push(`${key} answered ${a.status}`);
        if (applied !== 'wait=30')
          problems.push(`${key}: Preference-Applied ${applied === undefined ? 'missing' : String(applied)}`);
        if (a.answeredAt < advancedAt - 100) problems.push(`${key} answered before its job ended`);
        const end = ends.get(key);
        if (end === undefined) problems.push(`no "job ended" line for ${key} in the gateway's log`);
        else deltas.push(a.answeredAt - end);
      });
      const max = deltas.length > 0 ? Math.max(...deltas) : Number.NaN;
      const med = median(deltas);
      const noLongPoll = got.every((a) => a.headers['preference-applied'] === undefined);
      return [
        {
          scenario: title,
          target: `gateway, ${n} jobs waiting`,
          other: `answered ${med.toFixed(0)} ms (median), ${max.toFixed(0)} ms (max) after the watcher logged the end; statuses ${JSON.stringify(statuses)}; ${(Math.max(...got.map((a) => a.answeredAt)) - advancedAt).toFixed(0)} ms after the clock moved`,
          goal: {
            text: 'answered ≤ 1 s after the watcher sees the end',
            value:
              problems.length > 0
                ? `${noLongPoll ? 'no Preference-Applied: the gateway does not support long-poll yet; ' : ''}${problems.slice(0, 3).join('; ')}`
                : `max ${max.toFixed(0)} ms, median ${med.toFixed(0)} ms`,
            met: problems.length === 0 && max <= 1_000,
          },
          details: { deltasMs: deltas, statuses, problems },
        },
      ];
    } finally {
      await lab.stopGateway('longpoll');
      await lab.stopEmulator('emulator-longpoll');
    }
  },
};

export const SCENARIOS: readonly Scenario[] = [
  getJob,
  get304,
  post,
  list,
  postStores,
  log1GiB,
  tenants,
  inList,
  pollStorm,
  longPoll,
];

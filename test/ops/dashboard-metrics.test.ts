// The shipped Grafana dashboard and Prometheus alert rules ask only for metrics a real gateway shows: a gateway
// (with its default process metrics) in front of a real emulator process is exercised — a create (chunked body),
// a poll, a dump download of a known size, a HEAD, a refused request, a database whose breaker opens, /readyz,
// a watcher round — and every metric name in every panel's and rule's PromQL must be on its live /metrics.
// The same scrape shows the byte counters, the breaker series and the standard Node process metrics.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { type RunningGateway, startGateway } from '../../src/gateway/server.js';
import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { freePort } from '../helpers/free-port.js';
import { testConfig, testDatabase, testTenants } from '../helpers/gateway-config.js';
import { metricNames, type MetricsPage, parseMetricsPage } from './promql-names.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DUMP_BYTES = 300_007; // not a multiple of any chunk size
const HR = { 'x-api-key': 'hr-demo-key' };
const DBA = { 'x-api-key': 'dba-demo-key' };
const JOBS = '/databases/orcl/datapump/jobs/';
const JOBS_ROUTE = '/databases/{database}/datapump/jobs/';
const FILE_ROUTE = '/databases/{database}/datapump/jobs/{owner_name},{job_name}/{filename}';
const JOB_ROUTE = '/databases/{database}/datapump/jobs/{owner_name},{job_name}/';
const CREATE_BODY = JSON.stringify({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });

interface Dashboard {
  panels: Array<{ title: string; targets?: Array<{ expr: string }>; panels?: Dashboard['panels'] }>;
}
interface RuleFile {
  groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }>;
}

function dashboardExpressions(): Array<{ where: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(`${ROOT}ops/grafana/datapump-gateway.json`, 'utf8')) as Dashboard;
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  return panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })));
}

function alertExpressions(): Array<{ where: string; expr: string }> {
  const rules = parse(readFileSync(`${ROOT}ops/prometheus/alerts.yaml`, 'utf8')) as RuleFile;
  return rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr })));
}

let emulator: EmulatorProcess;
let gateway: RunningGateway;
let page: MetricsPage;
const seen: { downloaded: number; jobBytes: number; downStatus: number } = {
  downloaded: 0,
  jobBytes: 0,
  downStatus: 0,
};

async function call(method: string, path: string, headers: Record<string, string>, body?: string | Readable) {
  const res = await request(`${gateway.url}${path}`, { method: method as 'GET', headers, body: body ?? null });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, bytes, json: () => JSON.parse(bytes.toString()) };
}

beforeAll(async () => {
  emulator = await startEmulatorProcess({
    config: { dumpBytes: DUMP_BYTES, jobDurationMs: 0, lifecycle: 'completed' },
  });
  // `down` is an ORDS nobody listens on: one refused connect opens its breaker (failureThreshold 1).
  const down = testDatabase({
    name: 'down',
    url: `http://127.0.0.1:${await freePort()}/ords/down/pdbadmin/`,
    resilience: { ...testDatabase().resilience, failureThreshold: 1, halfOpenAfterMs: 600_000 },
  });
  const orcl = testDatabase({ url: emulator.ordsUrl });
  const config = testConfig({
    databases: { orcl, down },
    tenants: testTenants(['orcl', 'down']),
    readiness: { ords: 'any', cacheMs: 0 },
  });
  gateway = await startGateway({ config, logger: pino({ level: 'silent' }) });

  // A create whose body comes chunked (no Content-Length): its bytes are counted as read.
  const created = await call(
    'POST',
    JOBS,
    { ...HR, 'content-type': 'application/json' },
    Readable.from([CREATE_BODY.slice(0, 10), CREATE_BODY.slice(10)].map((s) => Buffer.from(s))),
  );
  expect(created.status, created.bytes.toString()).toBe(201);
  const { owner_name, job_name } = created.json() as { owner_name: string; job_name: string };
  const job = await call('GET', `${JOBS}${owner_name},${job_name}/`, HR);
  expect(job.status).toBe(200);
  seen.jobBytes = job.bytes.length;
  const dump = (job.json().links as Array<{ href: string; mediaType?: string }>).find(
    (l) => l.mediaType === 'application/octet-stream',
  );
  expect(dump, job.bytes.toString()).toBeDefined();
  const file = new URL(dump!.href).pathname;
  const downloaded = await call('GET', file, HR);
  expect(downloaded.status).toBe(200);
  seen.downloaded = downloaded.bytes.length;
  expect((await call('HEAD', file, HR)).status).toBe(200);
  expect((await call('GET', JOBS, { 'x-api-key': 'wrong' })).status).toBe(401);
  seen.downStatus = (await call('GET', '/databases/down/datapump/jobs/', DBA)).status;
  expect((await call('GET', '/readyz', {})).status).toBe(200);
  await gateway.watcher.runOnce();
  const scraped = await call('GET', '/metrics', {});
  expect(scraped.status).toBe(200);
  page = parseMetricsPage(scraped.bytes.toString());
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await emulator?.stop();
});

describe('the dashboard and the alert rules ask for metrics the gateway has', () => {
  // Metrics the exercise above cannot make appear, with the reason. Keep empty unless a metric is truly
  // conditional: a name here still has to be on /metrics (its HELP/TYPE), only not with a sample.
  const WITHOUT_SAMPLE = new Set([
    'datapump_gateway_reconcile_total', // only when reconciliation settles an intent
    'datapump_gateway_rate_limit_store_failures_total', // only when Redis fails
    'datapump_gateway_unhandled_errors_total', // only on a bug
    'datapump_gateway_ords_bulkhead_rejections_total', // only when max_concurrent calls are in flight
    'datapump_gateway_ords_retries_total', // only with get_retries and a failing ORDS
    'datapump_gateway_ords_rows_skipped_total', // only when ORDS lists a job the gateway cannot represent
  ]);

  it.each([
    ['Grafana panel', dashboardExpressions],
    ['alert rule', alertExpressions],
  ])('every metric in every %s expression is on the live /metrics', (_what, expressions) => {
    const list = expressions();
    expect(list.length).toBeGreaterThan(5);
    const missing: string[] = [];
    const silent: string[] = [];
    for (const { where, expr } of list) {
      for (const name of metricNames(expr)) {
        const family = page.familyOf(name);
        if (family === undefined) missing.push(`${where}: ${name}`);
        else if (!page.hasSample(family) && !WITHOUT_SAMPLE.has(family)) silent.push(`${where}: ${name}`);
      }
    }
    expect(missing, 'names in the PromQL that /metrics does not have').toEqual([]);
    expect(silent, 'names /metrics declares but shows no sample of after the exercise').toEqual([]);
  });

  it('the dashboard covers every family the gateway defines (besides the per-key expiry series)', () => {
    const used = new Set(dashboardExpressions().flatMap(({ expr }) => metricNames(expr).map((n) => page.familyOf(n))));
    const ours = page.families().filter((f) => f.startsWith('datapump_gateway_'));
    // The per-key expiry series (tenant_label only) are for a table of their own; the panel shows the count.
    const unused = ours.filter((f) => !used.has(f) && f !== 'datapump_gateway_api_key_expiry_timestamp_seconds');
    expect(unused).toEqual([]);
  });
});

describe('the live /metrics', () => {
  it('counts a known request body (sent chunked) and a known download in the byte counters', () => {
    expect(seen.downloaded).toBe(DUMP_BYTES);
    expect(page.value('datapump_gateway_request_bytes_total', { route: JOBS_ROUTE, method: 'POST' })).toBe(
      Buffer.byteLength(CREATE_BODY),
    );
    expect(page.value('datapump_gateway_response_bytes_total', { route: FILE_ROUTE, method: 'GET' })).toBe(DUMP_BYTES);
    expect(page.value('datapump_gateway_response_bytes_total', { route: FILE_ROUTE, method: 'HEAD' })).toBe(0);
    expect(page.value('datapump_gateway_response_bytes_total', { route: JOB_ROUTE, method: 'GET' })).toBe(
      seen.jobBytes,
    );
    expect(page.value('datapump_gateway_request_bytes_total', { route: JOB_ROUTE, method: 'GET' })).toBe(0);
    // The refused request matched no contract route before it was refused: the fallback label.
    expect(page.value('datapump_gateway_response_bytes_total', { route: 'unmatched', method: 'GET' })).toBeGreaterThan(
      0,
    );
  });

  it('shows each breaker as three series, exactly one of them 1: orcl closed, down open', () => {
    expect(seen.downStatus).toBe(503); // connect refused: upstream-unavailable
    for (const [database, current] of [
      ['orcl', 'closed'],
      ['down', 'open'],
    ] as const) {
      const series = ['closed', 'open', 'half_open'].map((state) =>
        page.value('datapump_gateway_ords_breaker_state', { database, state }),
      );
      expect(series).toEqual(['closed', 'open', 'half_open'].map((state) => (state === current ? 1 : 0)));
    }
    expect(page.families()).not.toContain('datapump_gateway_ords_circuit_state');
  });

  it('has the default Node process metrics under their standard names, unprefixed', () => {
    for (const name of [
      'process_cpu_seconds_total',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'process_open_fds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_heap_size_total_bytes',
      'nodejs_version_info',
      'nodejs_gc_duration_seconds',
    ]) {
      expect(page.familyOf(name), name).toBe(name);
    }
    expect(page.value('process_resident_memory_bytes', {})).toBeGreaterThan(0);
    expect(page.families().filter((f) => /^datapump_gateway_(process|nodejs)_/.test(f))).toEqual([]);
  });

  it('shows the expiring-keys count, 0 when no key expires soon', () => {
    expect(page.value('datapump_gateway_api_keys_expiring_soon', {})).toBe(0);
  });
});

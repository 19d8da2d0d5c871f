// OpenTelemetry traces end to end: a gateway (in-process on a real port, and a real process) in front of a real
// emulator process exports its spans to a real local OTLP/HTTP endpoint; the trace continues the caller's, reaches
// ORDS in `traceparent`, shows in the access log, and holds no credential nor anything the client wrote.
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { DatabaseConfig } from '../../../src/gateway/config/types.js';
import { type RunningGateway, startGateway } from '../../../src/gateway/server.js';
import { tracingSettings } from '../../../src/gateway/tracing/settings.js';
import { createTracing, type Tracing } from '../../../src/gateway/tracing/tracing.js';
import { type EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process.js';
import { testConfig, testDatabase } from '../../helpers/gateway-config.js';
import {
  GATEWAY_PROCESS_ENV,
  gatewayConfigTree,
  killAllGatewayProcesses,
  startGatewayProcess,
} from '../../helpers/gateway-process.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../../helpers/otlp-receiver.js';

const API_KEY = 'hr-demo-key';
const AUTHORIZATION = `Basic ${Buffer.from(`hr-team:${API_KEY}`).toString('base64')}`;
const ORDS_PASSWORD = 'oracle';
const ORDS_AUTHORIZATION = Buffer.from(`pdbadmin:${ORDS_PASSWORD}`).toString('base64');
const FILTER = "IN ( 'HR' )";
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: FILTER }] };
const JOBS = '/databases/orcl/datapump/jobs/';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
// A child process compiles the gateway with tsx first: slow on a busy machine.
const STARTUP_MS = 90_000;
const KIND = { internal: 1, server: 2, client: 3 } as const;

/** A gateway on a real port with the given tracing, in front of `emulator`; its log lines are kept. */
async function gatewayWith(
  emulator: EmulatorProcess,
  tracing: Tracing | undefined,
  database: Partial<DatabaseConfig> = {},
) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const config = testConfig({ publicUrl: 'http://gateway.test' }, { url: emulator.ordsUrl, ...database });
  const gateway = await startGateway({ config, logger, ...(tracing ? { tracing } : {}) });
  return { gateway, lines };
}

type Gateway = Awaited<ReturnType<typeof gatewayWith>>;

/**
 * For one describe block: an emulator process, an OTLP receiver, and an in-process gateway traced as `env` (given the
 * receiver's URL) says; `use` receives them once started. Stopped after the block.
 */
function useStack(
  env: (receiverUrl: string) => Record<string, string>,
  use: (stack: { emulator: EmulatorProcess; receiver: OtlpReceiver; tracing: Tracing; gw: Gateway }) => void,
): void {
  let stop = async (): Promise<void> => {};
  beforeAll(async () => {
    const [emulator, receiver] = await Promise.all([startEmulatorProcess(), startOtlpReceiver()]);
    stop = async () => void (await Promise.all([emulator.stop(), receiver.close()]));
    const tracing = createTracing({ settings: tracingSettings(env(receiver.url)) });
    const gw = await gatewayWith(emulator, tracing);
    stop = async () => {
      await gw.gateway.close();
      await Promise.all([emulator.stop(), receiver.close()]);
    };
    use({ emulator, receiver, tracing, gw });
  });
  afterAll(() => stop());
}

async function call(
  gateway: RunningGateway | { url: string },
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
) {
  const res = await request(`${gateway.url}${path.replace('http://gateway.test', '')}`, {
    method,
    headers: { authorization: AUTHORIZATION, ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  const json = String(res.headers['content-type']).includes('json') ? (JSON.parse(text) as any) : undefined;
  return { status: res.statusCode, headers: res.headers, json };
}

const accessLine = (lines: Array<Record<string, unknown>>, requestId: string) =>
  lines.find((l) => l.msg === 'request completed' && (l.req as { id?: string } | undefined)?.id === requestId);

/** Every string a span carries: its name, trace state, attribute values and resource values. */
const textsOf = (spans: readonly ReceivedSpan[]) =>
  spans.flatMap((s) => [
    s.name,
    s.traceState,
    ...Object.values(s.attributes).map(String),
    ...Object.values(s.resource).map(String),
    ...Object.keys(s.attributes),
  ]);

describe('tracing on: OTLP/JSON from an in-process gateway', () => {
  let emulator: EmulatorProcess;
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let gw: Gateway;
  useStack(
    (receiverUrl) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
    (stack) => void ({ emulator, receiver, tracing, gw } = stack),
  );
  beforeEach(async () => {
    await tracing.forceFlush();
    receiver.clear();
    await emulator.clearRequests();
  });

  it("continues the caller's trace: a server span, its policy and store children, and the ORDS client span", async () => {
    const created = await call(
      gw.gateway,
      'POST',
      JOBS,
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, tracestate: 'vendor=abc', 'x-request-id': 'trace-create-1' },
      EXPORT_HR,
    );
    expect(created.status).toBe(201);
    await tracing.forceFlush();
    const spans = receiver.spans();
    expect(receiver.exports.every((e) => e.path === '/v1/traces' && e.contentType === 'application/json')).toBe(true);

    const server = spans.find((s) => s.kind === KIND.server)!;
    expect(server).toMatchObject({
      traceId: TRACE_ID,
      parentSpanId: CALLER_SPAN,
      traceState: 'vendor=abc',
      name: 'POST /databases/{database}/datapump/jobs/',
      statusCode: 0,
      resource: expect.objectContaining({ 'service.name': 'datapump-gateway' }),
    });
    expect(server.attributes).toEqual({
      'http.request.method': 'POST',
      'http.route': '/databases/{database}/datapump/jobs/',
      'http.response.status_code': 201,
      'url.scheme': 'http',
      'datapump.request_id': 'trace-create-1',
      'datapump.tenant': 'hr-team',
      'datapump.database': 'orcl',
    });
    // One trace, every span under the server span.
    expect(spans.every((s) => s.traceId === TRACE_ID)).toBe(true);
    const children = spans.filter((s) => s !== server);
    expect(children.every((s) => s.parentSpanId === server.spanId)).toBe(true);
    const internal = children.filter((s) => s.kind === KIND.internal).map((s) => s.name);
    expect(internal).toEqual(
      expect.arrayContaining(['policy.evaluate', 'store.journal.claim', 'store.journal.created']),
    );
    expect(children.find((s) => s.name === 'policy.evaluate')!.attributes).toEqual({
      'datapump.policy.allowed': true,
      'datapump.policy.violations': 0,
    });

    const ords = children.filter((s) => s.kind === KIND.client);
    expect(ords).toHaveLength(1);
    const port = Number(new URL(emulator.ordsUrl).port);
    expect(ords[0]).toMatchObject({
      name: 'POST /ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/',
      attributes: {
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
        'server.port': port,
        'url.template': '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/',
        'datapump.database': 'orcl',
        'datapump.ords.call': 'create',
        'http.response.status_code': 201,
      },
    });

    // ORDS got the client span's context (not the caller's span id), and the caller's trace state.
    const sent = (await emulator.requests()).filter((r) => r.method === 'POST');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.traceparent).toBe(`00-${TRACE_ID}-${ords[0]!.spanId}-01`);
    expect(sent[0]!.headers.tracestate).toBe('vendor=abc');

    expect(accessLine(gw.lines, 'trace-create-1')).toMatchObject({ traceId: TRACE_ID });
  });

  it('starts a new trace when the caller sends none (or a malformed one), and names a poll by its templates', async () => {
    const created = await call(gw.gateway, 'POST', JOBS, { traceparent: '00-nonsense-01' }, EXPORT_HR);
    expect(created.status).toBe(201);
    const { owner_name: owner, job_name: job } = created.json as { owner_name: string; job_name: string };
    const polled = await call(gw.gateway, 'GET', `${JOBS}${owner},${job}/`, { 'x-request-id': 'trace-poll-1' });
    expect(polled.status).toBe(200);
    await tracing.forceFlush();
    const servers = receiver.spans().filter((s) => s.kind === KIND.server);
    expect(servers.map((s) => s.parentSpanId)).toEqual(['', '']);
    expect(new Set(servers.map((s) => s.traceId)).size).toBe(2);
    const poll = servers.find((s) => s.name.startsWith('GET'))!;
    expect(poll.name).toBe('GET /databases/{database}/datapump/jobs/{owner_name},{job_name}/');
    const read = receiver.spans().find((s) => s.kind === KIND.client && s.traceId === poll.traceId)!;
    expect(read).toMatchObject({
      parentSpanId: poll.spanId,
      name: 'GET /ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/{owner_name},{job_name}/',
      attributes: expect.objectContaining({ 'datapump.ords.call': 'read', 'http.response.status_code': 200 }),
    });
    // The job's names are in no span: the routes are templates, and no path is recorded.
    expect(textsOf(receiver.spans()).some((t) => t.includes(job))).toBe(false);
    expect(accessLine(gw.lines, 'trace-poll-1')).toMatchObject({ traceId: poll.traceId });
  });

  it('records no credential and nothing the client wrote, in any attribute of any span', async () => {
    await call(gw.gateway, 'POST', JOBS, {}, EXPORT_HR); // created
    await call(gw.gateway, 'POST', JOBS, {}, { operation: 'EXPORT', job_mode: 'FULL' }); // not granted: 403
    await call(gw.gateway, 'POST', JOBS, { 'x-api-key': API_KEY, authorization: '' }, EXPORT_HR);
    await call(gw.gateway, 'GET', `${JOBS}?q=${encodeURIComponent(FILTER)}&key=${API_KEY}`); // query never recorded
    await call(gw.gateway, 'GET', '/no/such/path', { authorization: `Bearer ${API_KEY}` }); // 401 or 404
    await tracing.forceFlush();
    const spans = receiver.spans();
    expect(spans.filter((s) => s.kind === KIND.server).length).toBeGreaterThanOrEqual(5);
    expect(
      spans.find((s) => s.name === 'policy.evaluate' && s.attributes['datapump.policy.allowed'] === false),
    ).toBeDefined();
    const texts = textsOf(spans);
    for (const secret of [API_KEY, AUTHORIZATION, ORDS_AUTHORIZATION, ORDS_PASSWORD, FILTER, "'HR'", 'FULL']) {
      expect(
        texts.filter((t) => t.includes(secret)),
        secret,
      ).toEqual([]);
    }
    expect(texts.some((t) => /authorization|api[-_]key|password|body|query|url\.(full|query|path)/i.test(t))).toBe(
      false,
    );
  });

  it('an unsampled caller is honoured: nothing exported, and ORDS sees the trace continued unsampled', async () => {
    const created = await call(
      gw.gateway,
      'POST',
      JOBS,
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-00` },
      EXPORT_HR,
    );
    expect(created.status).toBe(201);
    await tracing.forceFlush();
    expect(receiver.spans()).toEqual([]);
    const [sent] = (await emulator.requests()).filter((r) => r.method === 'POST');
    expect(sent!.headers.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-(?!${CALLER_SPAN})[0-9a-f]{16}-00$`));
  });

  it('shows each attempt of a retried GET as a client span of its own', async () => {
    const retrying = await gatewayWith(emulator, tracing, {
      resilience: { ...testDatabase().resilience, getRetries: 2, retryBaseMs: 5 },
    });
    try {
      await emulator.setFaults([{ route: 'list', kind: 'reset', count: 2 }]);
      // dba-team sees every job: its list is ORDS's (hr-team's comes from the registry, with no ORDS call).
      const dba = `Basic ${Buffer.from('dba-team:dba-demo-key').toString('base64')}`;
      const listed = await call(retrying.gateway, 'GET', JOBS, { authorization: dba });
      expect(listed.status).toBe(200);
      await tracing.forceFlush();
      const server = receiver.spans().find((s) => s.kind === KIND.server)!;
      const attempts = receiver.spans().filter((s) => s.kind === KIND.client);
      expect(attempts.map((s) => s.parentSpanId)).toEqual([server.spanId, server.spanId, server.spanId]);
      expect(attempts.map((s) => s.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2]);
      expect(
        attempts.map((s) => [s.statusCode, s.attributes['error.type'], s.attributes['http.response.status_code']]),
      ).toEqual([
        [2, 'upstream-unavailable', undefined],
        [2, 'upstream-unavailable', undefined],
        [0, undefined, 200],
      ]);
      // Each attempt went to ORDS with its own span as the parent.
      // (The job watchers' own reads, untraced, are left out.)
      const sent = (await emulator.requests())
        .map((r) => String(r.headers.traceparent).split('-'))
        .filter(([, traceId]) => traceId === server.traceId)
        .map(([, , spanId]) => spanId);
      expect(sent).toEqual(attempts.map((s) => s.spanId));
    } finally {
      await emulator.clearFaults();
      await retrying.gateway.close();
    }
  });

  it('does not trace the probes and the scrapes', async () => {
    expect((await call(gw.gateway, 'GET', '/healthz')).status).toBe(200);
    await call(gw.gateway, 'GET', '/readyz');
    await call(gw.gateway, 'GET', '/metrics');
    await tracing.forceFlush();
    expect(receiver.spans().filter((s) => s.kind === KIND.server)).toEqual([]);
  });
});

describe('tracing off', () => {
  let emulator: EmulatorProcess;
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let gw: Gateway;
  useStack(
    // Everything but an endpoint: still off.
    () => ({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'gw', OTEL_TRACES_SAMPLER: 'always_on' }),
    (stack) => void ({ emulator, receiver, tracing, gw } = stack),
  );

  it("adds no traceparent to ORDS calls, passes a caller's on unchanged, sends nothing, logs no trace id", async () => {
    expect(tracing.enabled).toBe(false);
    await emulator.clearRequests();
    expect((await call(gw.gateway, 'POST', JOBS, { 'x-request-id': 'off-1' }, EXPORT_HR)).status).toBe(201);
    const caller = `00-${TRACE_ID}-${CALLER_SPAN}-01`;
    const second = await call(gw.gateway, 'POST', JOBS, { traceparent: caller, tracestate: 'vendor=abc' }, EXPORT_HR);
    expect(second.status).toBe(201);
    const posts = (await emulator.requests()).filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.headers.traceparent)).toEqual([undefined, caller]);
    expect(posts.map((r) => r.headers.tracestate)).toEqual([undefined, undefined]);
    await tracing.forceFlush();
    expect(receiver.exports).toEqual([]);
    const line = accessLine(gw.lines, 'off-1')!;
    expect(line).toBeDefined();
    expect(line.traceId).toBeUndefined();
  });
});

describe('a gateway process exporting OTLP/protobuf', () => {
  let emulator: EmulatorProcess;
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    [emulator, receiver] = await Promise.all([startEmulatorProcess(), startOtlpReceiver()]);
  });
  afterAll(async () => {
    await killAllGatewayProcesses();
    await Promise.all([emulator?.stop(), receiver?.close()]);
  });

  it(
    'exports the trace of a create as application/x-protobuf, flushed by the SIGTERM shutdown',
    async () => {
      const gw = await startGatewayProcess({
        config: gatewayConfigTree({ ordsUrl: emulator.ordsUrl }),
        // The default protocol (http/protobuf); batches far apart, so only the shutdown can have sent them.
        env: {
          ...GATEWAY_PROCESS_ENV,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_SERVICE_NAME: 'gw-test',
          OTEL_BSP_SCHEDULE_DELAY: '600000',
        },
        startTimeoutMs: STARTUP_MS,
      });
      await gw.waitForLog('tracing on: exporting spans over OTLP');
      const created = await call(gw, 'POST', JOBS, { 'x-request-id': 'proc-1' }, EXPORT_HR);
      expect(created.status).toBe(201);
      const logged = await gw.waitForLog('request completed');
      expect(receiver.exports).toEqual([]);
      expect(await gw.stop()).toEqual({ code: 0, signal: null });

      expect(receiver.exports.length).toBeGreaterThan(0);
      expect(receiver.exports.every((e) => e.contentType === 'application/x-protobuf' && e.path === '/v1/traces')).toBe(
        true,
      );
      const spans = receiver.spans();
      const server = spans.find((s) => s.kind === KIND.server)!;
      expect(server).toMatchObject({
        name: 'POST /databases/{database}/datapump/jobs/',
        parentSpanId: '',
        resource: expect.objectContaining({ 'service.name': 'gw-test' }),
        attributes: expect.objectContaining({ 'http.response.status_code': 201, 'datapump.tenant': 'hr-team' }),
      });
      const client = spans.find((s) => s.kind === KIND.client)!;
      expect(client).toMatchObject({
        traceId: server.traceId,
        parentSpanId: server.spanId,
        name: 'POST /ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/',
      });
      expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['policy.evaluate', 'store.journal.claim']));
      expect(logged).toMatchObject({ traceId: server.traceId });
      const [sent] = (await emulator.requests()).filter((r) => r.method === 'POST');
      expect(sent!.headers.traceparent).toBe(`00-${server.traceId}-${client.spanId}-01`);
    },
    2 * STARTUP_MS,
  );

  it(
    'refuses to start with OTEL_EXPORTER_OTLP_PROTOCOL=grpc, saying why',
    async () => {
      await expect(
        startGatewayProcess({
          config: gatewayConfigTree({ ordsUrl: emulator.ordsUrl }),
          env: {
            ...GATEWAY_PROCESS_ENV,
            OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          },
          startTimeoutMs: STARTUP_MS,
        }),
      ).rejects.toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: no gRPC exporter is installed/);
    },
    2 * STARTUP_MS,
  );
});

// No ORDS answer ends a gateway process: two replicas hammered while ORDS answers 503, resets, sends broken JSON
// or cuts bodies part-way on every route (file downloads included) stay alive and serve normally once ORDS recovers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type EmulatorProcess, type Fault, startEmulatorProcess } from '../../helpers/emulator-process.js';
import {
  demoTenantsTree,
  GATEWAY_PROCESS_ENV,
  gatewayConfigTree,
  type GatewayProcess,
  killAllGatewayProcesses,
  startGatewayProcess,
} from '../../helpers/gateway-process.js';

const HR = { 'x-api-key': 'hr-demo-key' };
const JOBS = '/databases/orcl/datapump/jobs/';
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] };
/** Every ORDS route the gateway calls: creates, the job list, one job, its files, and the metadata probe of /readyz. */
const ROUTES = ['create', 'list', 'job', 'file', 'metadata'] as const;
/** What Node prints when an error nobody handles ends the process (or would, on another Node version). */
const CRASH = /Unhandled 'error' event|uncaughtException|unhandledRejection|ERR_UNHANDLED/;
const ROUNDS = 5;

/** One fault of `kind` on each route, every one hitting `fraction` of that route's requests. */
const onEveryRoute = (fault: Omit<Fault, 'route'>): Fault[] => ROUTES.map((route) => ({ route, ...fault }));

interface Phase {
  readonly name: string;
  readonly faults: Fault[];
  /** The gateway retries these faults on GETs, so ORDS sees more file requests than clients sent. */
  readonly retried: boolean;
}

const PHASES: Phase[] = [
  {
    name: 'ORDS 503 on 40% of every route (retried file GETs throw the failed answer away)',
    faults: onEveryRoute({ kind: 'status', status: 503, fraction: 0.4 }),
    retried: true,
  },
  {
    name: 'TCP resets before any answer on 30% of every route',
    faults: onEveryRoute({ kind: 'reset', fraction: 0.3 }),
    retried: true,
  },
  {
    name: 'malformed JSON bodies on 40% of every route',
    faults: onEveryRoute({ kind: 'malformed', fraction: 0.4 }),
    retried: false,
  },
  {
    name: 'bodies cut part-way on 40% of every route',
    // 100 bytes cut a log as well as a dump; JSON answers are cut in half.
    faults: ROUTES.map((route) =>
      route === 'file'
        ? { route, kind: 'reset-mid-body', fraction: 0.4, bytes: 100 }
        : { route, kind: 'reset-mid-body', fraction: 0.4 },
    ),
    retried: false,
  },
  {
    name: 'all of them at once',
    faults: [
      ...onEveryRoute({ kind: 'status', status: 503, fraction: 0.3 }),
      ...onEveryRoute({ kind: 'reset', fraction: 0.15 }),
      ...onEveryRoute({ kind: 'malformed', fraction: 0.15 }),
      ...ROUTES.map((route): Fault =>
        route === 'file'
          ? { route, kind: 'reset-mid-body', fraction: 0.2, bytes: 100 }
          : { route, kind: 'reset-mid-body', fraction: 0.2 },
      ),
    ],
    retried: true,
  },
];

/** A gateway answer, or `cut` when the connection ended without a whole one (the expected end of a cut file). */
interface Outcome {
  readonly what: string;
  readonly status: number | 'cut';
  readonly text: string;
  readonly bytes: number;
}

interface FileLink {
  readonly path: string;
  readonly mediaType: string;
}

describe('two gateway replicas under ORDS chaos', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpg-chaos-'));
  // Bounded client waits: a test that cannot finish must fail, not hang.
  const agent = new Agent({ connect: { timeout: 2_000 }, headersTimeout: 15_000, bodyTimeout: 15_000 });
  let emulator: EmulatorProcess;
  let config: Record<string, unknown>;
  const replicas: GatewayProcess[] = [];
  const jobPaths: string[] = [];
  const logs: FileLink[] = [];
  const dumps: FileLink[] = [];

  async function call(
    gw: GatewayProcess,
    what: string,
    method: 'GET' | 'POST',
    path: string,
    headers = {},
    body?: unknown,
  ): Promise<Outcome> {
    try {
      const res = await request(`${gw.url}${path}`, {
        dispatcher: agent,
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      return { what, status: res.statusCode, text: bytes.toString('utf8'), bytes: bytes.length };
    } catch (err) {
      return { what, status: 'cut', text: String((err as { code?: string }).code ?? err), bytes: 0 };
    }
  }

  const alive = (gw: GatewayProcess) => gw.child.exitCode === null && gw.child.signalCode === null;
  const start = () => startGatewayProcess({ config, env: GATEWAY_PROCESS_ENV, startTimeoutMs: 30_000 });
  /** How a replica is doing: alive, and whether it printed Node's report of an error nobody handled. */
  const condition = (gw: GatewayProcess) => ({
    exitCode: gw.child.exitCode,
    signalCode: gw.child.signalCode,
    crashReport: CRASH.test(gw.output()),
  });
  const healthy = { exitCode: null, signalCode: null, crashReport: false };
  /** The part of a replica's output that explains its state: Node's crash report, or else the last lines. */
  const report = (gw: GatewayProcess, i: number) => {
    const out = gw.output();
    const at = out.search(CRASH);
    const excerpt = at < 0 ? out.slice(-3_000) : out.slice(Math.max(0, at - 300), at + 3_000);
    return `--- replica ${'AB'[i]} (exit ${gw.child.exitCode}, signal ${gw.child.signalCode}) ---\n${excerpt}`;
  };

  beforeAll(async () => {
    emulator = await startEmulatorProcess({
      config: { jobDurationMs: 0, dumpBytes: 256 * 1024, recordRequests: 100_000, lifecycle: 'completed' },
      // Generous: a loaded 2-core machine starting several tsx processes at once can take a while.
      startTimeoutMs: 30_000,
    });
    const tenants = demoTenantsTree();
    const hr = tenants['hr-team']!;
    config = gatewayConfigTree({
      ordsUrl: emulator.ordsUrl,
      overrides: {
        store: { sqlite: { path: join(dir, 'gateway.db') } },
        reconcile: { interval_ms: 1000, match_window_ms: 120_000, give_up_after_ms: 600_000 },
        tenants: {
          ...tenants,
          'hr-team': { ...hr, limits: { ...(hr.limits as object), create: '100000/minute', read: '100000/minute' } },
        },
      },
    });
    Object.assign((config.databases as Record<string, Record<string, unknown>>).orcl!, {
      timeouts: { connect_ms: 2000, create_ms: 5000, read_ms: 5000, file_idle_ms: 5000 },
      // Retried GETs, so a 503 file answer is discarded; a breaker that never opens, so every fault reaches the code.
      resilience: {
        failure_threshold: 1000,
        half_open_after_ms: 100,
        get_retries: 2,
        retry_base_ms: 5,
        max_concurrent: 1000,
      },
    });
    replicas.push(...(await Promise.all([start(), start()])));

    // A few finished exports (jobDurationMs 0), created through both replicas, and the links to their files.
    for (let i = 0; i < 4; i++) {
      const gw = replicas[i % 2]!;
      const created = await call(
        gw,
        'create',
        'POST',
        JOBS,
        { ...HR, 'idempotency-key': `chaos-setup-${i}` },
        EXPORT_HR,
      );
      expect(created.status, created.text).toBe(201);
      const job = JSON.parse(created.text) as { owner_name: string; job_name: string };
      const jobPath = `${JOBS}${job.owner_name},${job.job_name}/`;
      const polled = await call(replicas[(i + 1) % 2]!, 'job', 'GET', jobPath, HR);
      expect(polled.status, polled.text).toBe(200);
      const { state, links } = JSON.parse(polled.text) as {
        state: string;
        links: Array<{ rel: string; href: string; mediaType?: string }>;
      };
      expect(state).toBe('COMPLETED');
      jobPaths.push(jobPath);
      for (const link of links.filter((l) => l.rel === 'related')) {
        const file = { path: new URL(link.href).pathname, mediaType: link.mediaType ?? '' };
        if (file.mediaType.startsWith('text/plain')) logs.push(file);
        else dumps.push(file);
      }
    }
    expect(logs, 'a log link per job').toHaveLength(4);
    expect(dumps, 'a dump link per job').toHaveLength(4);
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(replicas.map((gw) => gw.stop()));
    await killAllGatewayProcesses();
    await emulator?.stop();
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One round: every kind of request, through both replicas at once (creates share keys across replicas). */
  function round(phase: number, r: number): Promise<Outcome>[] {
    const calls: Promise<Outcome>[] = [];
    replicas.forEach((gw, g) => {
      for (let j = 0; j < 3; j++) {
        const log = logs[(r + j + g) % logs.length]!;
        const dump = dumps[(r + j + g) % dumps.length]!;
        calls.push(call(gw, 'file', 'GET', log.path, HR), call(gw, 'file', 'GET', dump.path, HR));
      }
      for (let j = 0; j < 2; j++) {
        calls.push(
          call(gw, 'job', 'GET', jobPaths[(r + j + g) % jobPaths.length]!, HR),
          call(gw, 'list', 'GET', JOBS, HR),
          call(gw, 'create', 'POST', JOBS, { ...HR, 'idempotency-key': `chaos-${phase}-${r}-${j}` }, EXPORT_HR),
        );
      }
      calls.push(call(gw, 'readyz', 'GET', '/readyz'));
    });
    return calls;
  }

  PHASES.forEach((phase, p) => {
    it(`survives ${phase.name}: both processes stay up, print no unhandled error, and serve once ORDS recovers`, async () => {
      // A replica an earlier case killed is replaced, so each case is judged on its own.
      await Promise.all(
        replicas.map(async (gw, i) => {
          if (alive(gw)) return;
          await gw.stop();
          replicas[i] = await start();
        }),
      );
      await emulator.clearRequests();
      await emulator.setFaults(phase.faults);

      const outcomes: Outcome[] = [];
      for (let r = 0; r < ROUNDS; r++) outcomes.push(...(await Promise.all(round(p, r))));
      await emulator.clearFaults();

      // Nothing ended either process, and neither printed an error that nobody handled.
      const states = replicas.map(condition);
      expect(
        states,
        replicas
          .filter((gw) => !alive(gw) || CRASH.test(gw.output()))
          .map((gw) => report(gw, replicas.indexOf(gw)))
          .join('\n'),
      ).toEqual([healthy, healthy]);

      // The faults fired: ORDS was asked for files, and clients saw failures.
      const seen = await emulator.requests();
      const ordsFileGets = seen.filter((q) => q.method === 'GET' && /\/jobs\/[^/]+\/[^/]+$/.test(q.path)).length;
      const clientFileGets = outcomes.filter((o) => o.what === 'file').length;
      const failed = outcomes.filter((o) => o.status === 'cut' || o.status >= 500);
      expect(ordsFileGets).toBeGreaterThan(0);
      if (phase.retried) {
        // The retries ran (a failed answer was thrown away and asked again): each replica counts them.
        const retries = await Promise.all(
          replicas.map(async (gw) => {
            const text = (await (await fetch(`${gw.url}/metrics`)).text()).split('\n');
            return text
              .filter((line) => line.startsWith('datapump_gateway_ords_retries_total{'))
              .reduce((n, line) => n + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
          }),
        );
        expect(retries[0]! + retries[1]!, `GET retries ran (${clientFileGets} file GETs)`).toBeGreaterThan(0);
      }
      expect(failed.length, JSON.stringify(outcomes.map((o) => [o.what, o.status]))).toBeGreaterThan(0);

      // ORDS has recovered: both replicas answer as usual.
      for (const [i, gw] of replicas.entries()) {
        const health = await call(gw, 'healthz', 'GET', '/healthz');
        expect(health.status, report(gw, i)).toBe(200);
        const job = await call(gw, 'job', 'GET', jobPaths[i]!, HR);
        expect(job.status, job.text).toBe(200);
        expect(JSON.parse(job.text)).toMatchObject({ state: 'COMPLETED' });
        const log = await call(gw, 'file', 'GET', logs[i]!.path, HR);
        expect(log.status, log.text).toBe(200);
        expect(log.text).toMatch(/successfully completed/);
        const dump = await call(gw, 'file', 'GET', dumps[i]!.path, HR);
        expect(dump.status, dump.text).toBe(200);
        expect(dump.bytes).toBe(256 * 1024);
      }
    }, 60_000);
  });
});

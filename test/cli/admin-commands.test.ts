// `datapump-gateway audit`, `intents list|resolve` and `jobs list` against a real SQLite file and the real
// PostgreSQL, seeded through the store's own roles: what they print, what they refuse, what the tenant then sees,
// what the audit trail records, and two operators resolving one intent at once (real parallel processes).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { UNUSED_SECRET } from '../../src/cli/admin-store.js';
import { runCli } from '../../src/cli/datapump-gateway.js';
import { openStateStore, type StoreSpec } from '../../src/gateway/store/open.js';
import type { Intent, StateStore } from '../../src/gateway/store/types.js';
import { intent, job, OPEN_QUOTA, seed } from '../gateway/store/fixtures.js';
import { testGateway } from '../helpers/gateway-app.js';
import { requirePostgres, withPostgresSchema } from '../helpers/postgres.js';
import { REPO_ROOT } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dpg-admin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ACTOR = `admin:${userInfo().username}`;
const tenant = (schemas: string) => `
    api_keys: [{ sha256: ${(schemas === 'HR' ? 'a' : 'b').repeat(64)} }]
    databases: [orcl]
    grants: { operations: [EXPORT], job_modes: [SCHEMA], schemas: [${schemas}], max_threads: 1 }`;

/** A config whose ORDS password and metrics token are secrets the admin commands never need. */
function configFile(name: string, store: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `
public_url: http://gateway.test
metrics: { token: "\${METRICS_TOKEN}" }
databases:
  orcl: { url: "http://127.0.0.1:1/ords/orcl/pdbadmin/", auth: { basic: { username: pdbadmin, password: "\${ORDS_PASSWORD}" } } }
tenants:
  hr-team:${tenant('HR')}
  sales-team:${tenant('SALES')}
store:
${store}
`,
  );
  return path;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** In-process, with only the environment given (no ORDS_PASSWORD, no METRICS_TOKEN). */
async function cli(args: readonly string[], env: Record<string, string | undefined>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let code = -1;
  await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env,
    exit: (c) => (code = c),
  });
  return { code, stdout, stderr };
}

/** A real child process (for real parallelism: better-sqlite3 is synchronous within one process). */
function child(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/datapump-gateway.ts', ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 240_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const NOW = Date.now();
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

/** A claimed intent moved to `state`, as the journal would (claim, then transition). */
async function unsettled(
  store: StateStore,
  state: 'in-doubt' | 'quarantined',
  overrides: Partial<Intent> = {},
): Promise<Intent> {
  const i = intent({
    idempotencyKey: `key-${Math.random().toString(36).slice(2)}`,
    createdAt: ago(30),
    updatedAt: ago(30),
    expiresAt: new Date(NOW + 86_400_000).toISOString(),
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    canonicalRequest: { operation: 'EXPORT', file_name: 'HR_%U.dmp', credential_name: 'OCI_CRED' },
    ...overrides,
  });
  expect(await store.intents.claim(i, { ...OPEN_QUOTA, now: ago(30) })).toEqual({ outcome: 'claimed' });
  await store.intents.transition(i.id, { state, at: ago(20) });
  return { ...i, state, updatedAt: ago(20) };
}

interface Backend {
  readonly name: string;
  setup(): Promise<{ spec: StoreSpec; config: string; env: Record<string, string>; cleanup(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    async setup() {
      const path = join(mkdtempSync(join(dir, 'sqlite-')), 'gateway.db');
      const config = configFile(`sqlite-${Math.random().toString(36).slice(2)}`, `  sqlite: { path: ${path} }`);
      return { spec: { kind: 'sqlite', path }, config, env: { USER: 'ignored' }, cleanup: async () => undefined };
    },
  },
  {
    name: 'postgres',
    async setup() {
      await requirePostgres();
      const pg = withPostgresSchema('admin_cli');
      const config = configFile(`pg-${pg.schema}`, `  postgres: { url: "\${DATABASE_URL}", schema: ${pg.schema} }`);
      return {
        spec: { kind: 'postgres', url: pg.url, schema: pg.schema },
        config,
        env: { DATABASE_URL: pg.url },
        cleanup: pg.cleanup,
      };
    },
  },
];

describe.each(BACKENDS)('admin commands on $name', (backend) => {
  let store: StateStore;
  let config: string;
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  const run = (...args: string[]) => cli([...args, '--config', config], env);

  beforeEach(async () => {
    const made = await backend.setup();
    ({ config, env, cleanup } = made);
    store = await openStateStore(made.spec);
    return async () => {
      await store.close();
      await cleanup();
    };
  });

  it('intents list: the in-doubt and quarantined intents, filtered by state and tenant, as a table or JSON lines', async () => {
    const quarantined = await unsettled(store, 'quarantined');
    const inDoubt = await unsettled(store, 'in-doubt', { tenant: 'sales-team', createdAt: ago(25) });
    await seed(store, job({ createdAt: ago(40) })); // a created intent: settled, not listed

    const all = await run('intents', 'list');
    expect(all.code).toBe(0);
    expect(all.stderr).toBe('');
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +STATE +TENANT +DATABASE +OPERATION +MODE +KEY +CREATED +UPDATED +REQUEST$/);
    expect(lines.slice(1).map((l) => l.split(/ +/).slice(0, 3))).toEqual([
      [quarantined.id, 'quarantined', 'hr-team'],
      [inDoubt.id, 'in-doubt', 'sales-team'],
    ]);

    const json = await run('intents', 'list', '--state', 'quarantined', '--json');
    const [listed, ...rest] = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rest).toEqual([]);
    expect(listed).toMatchObject({
      id: quarantined.id,
      state: 'quarantined',
      tenant: 'hr-team',
      requestId: quarantined.requestId,
    });
    // The request as the audit trail keeps it: the credential's name is not shown; no fingerprint.
    expect(listed!.request).toEqual({ operation: 'EXPORT', file_name: 'HR_%U.dmp', credential_name: '[redacted]' });
    expect(listed).not.toHaveProperty('fingerprint');

    expect((await run('intents', 'list', '--tenant', 'sales-team', '--json')).stdout).toContain(inDoubt.id);
    expect((await run('intents', 'list', '--tenant', 'sales-team', '--json')).stdout).not.toContain(quarantined.id);
    expect(await run('intents', 'list', '--tenant', 'nobody')).toEqual({
      code: 0,
      stdout: 'no unsettled intents\n',
      stderr: '',
    });
  });

  it('intents resolve --job: the job becomes the tenant’s (its list shows it, another tenant’s does not), audited once', async () => {
    const i = await unsettled(store, 'quarantined');
    const result = await run(
      'intents',
      'resolve',
      i.id,
      '--job',
      'PDBADMIN,DATAPUMP_REST_EXPORT_1',
      '--reason',
      'seen in DBA_DATAPUMP_JOBS',
    );
    expect(result).toEqual({
      code: 0,
      stdout: `intent ${i.id} resolved: job PDBADMIN,DATAPUMP_REST_EXPORT_1 recorded for tenant hr-team; its retries get the job\n`,
      stderr: '',
    });
    const mine = await store.registry.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 });
    expect(mine.items.map((j) => [j.ownerName, j.jobName, j.lastState, j.outcome, j.createdAt])).toEqual([
      ['PDBADMIN', 'DATAPUMP_REST_EXPORT_1', 'UNKNOWN', null, i.createdAt],
    ]);
    expect((await store.registry.listForTenant('sales-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(0);
    // The intent is recovered with the answer its retries replay.
    const settled = await store.intents.find(i.id);
    expect(settled).toMatchObject({
      state: 'recovered',
      job: { ownerName: 'PDBADMIN', jobName: 'DATAPUMP_REST_EXPORT_1' },
    });
    expect(settled!.answer?.headers.Location).toBe(
      'http://gateway.test/databases/orcl/datapump/jobs/PDBADMIN,DATAPUMP_REST_EXPORT_1/',
    );
    const [event, ...others] = await store.audit.list({ limit: 10 });
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      tenant: 'hr-team',
      principal: ACTOR,
      database: 'orcl',
      requestId: i.requestId,
      decision: 'allowed',
      status: 0,
      job: { ownerName: 'PDBADMIN', jobName: 'DATAPUMP_REST_EXPORT_1' },
      request: {
        admin: {
          command: 'intents resolve',
          arguments: { id: i.id, job: 'PDBADMIN,DATAPUMP_REST_EXPORT_1', reason: 'seen in DBA_DATAPUMP_JOBS' },
        },
      },
    });
    expect(event!.violations?.[0]?.detail).toContain('reason: seen in DBA_DATAPUMP_JOBS');
  });

  it('intents resolve --release: frees the key (a retry creates anew), audited', async () => {
    const i = await unsettled(store, 'in-doubt');
    const result = await run('intents', 'resolve', i.id, '--release');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`intent ${i.id} released: its Idempotency-Key is free, a retry creates a new job\n`);
    expect(await store.intents.find(i.id)).toBeUndefined();
    expect(await store.intents.get(i.tenant, i.idempotencyKey!)).toBeUndefined();
    expect(await store.intents.claim({ ...i, id: `${i.id}-retry`, createdAt: ago(1) }, OPEN_QUOTA)).toEqual({
      outcome: 'claimed',
    });
    expect(await store.audit.list({ limit: 10 })).toMatchObject([
      {
        tenant: 'hr-team',
        principal: ACTOR,
        decision: 'allowed',
        request: { admin: { arguments: { id: i.id, release: true } } },
      },
    ]);
  });

  it('refuses (exit 1, audited as refused, nothing changed) what cannot be resolved', async () => {
    const quarantined = await unsettled(store, 'quarantined');
    const created = await seed(store, job({ jobName: 'HR_OWN', createdAt: ago(50) }));
    await seed(store, job({ tenant: 'sales-team', ownerName: 'PDBADMIN', jobName: 'SALES_JOB', createdAt: ago(50) }));
    const cases: Array<[string[], string]> = [
      [['no-such-intent', '--release'], 'error: no intent has the id no-such-intent\n'],
      [
        [created.id, '--release'],
        `error: intent ${created.id} is created: only in-doubt or quarantined intents are resolved\n`,
      ],
      [
        [quarantined.id, '--job', 'PDBADMIN,SALES_JOB'],
        'error: job PDBADMIN,SALES_JOB is already recorded for another tenant (sales-team)\n',
      ],
      [
        [quarantined.id, '--job', 'HR,HR_OWN'],
        `error: job HR,HR_OWN is already recorded for tenant hr-team (request req-0001): it is another create's\n`,
      ],
    ];
    const before = (await store.audit.list({ limit: 100 })).length;
    for (const [args, message] of cases) {
      expect(await run('intents', 'resolve', ...args), args.join(' ')).toEqual({
        code: 1,
        stdout: '',
        stderr: message,
      });
    }
    expect((await store.intents.find(quarantined.id))?.state).toBe('quarantined');
    expect((await store.registry.find('orcl', 'PDBADMIN', 'SALES_JOB'))?.tenant).toBe('sales-team');
    const refused = await store.audit.list({ decision: 'refused', limit: 100 });
    expect(refused).toHaveLength(cases.length);
    expect(refused.every((e) => e.principal === ACTOR && e.status === 0)).toBe(true);
    expect((await store.audit.list({ limit: 100 })).length).toBe(before + cases.length);
    // Resolving a settled intent again is refused the same way.
    expect((await run('intents', 'resolve', quarantined.id, '--release')).code).toBe(0);
    expect(await run('intents', 'resolve', quarantined.id, '--release')).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: no intent has the id ${quarantined.id}\n`,
    });
  });

  it('two operators resolving one intent at once (two processes): exactly one wins, the other is refused', async () => {
    const i = await unsettled(store, 'quarantined');
    const both = await Promise.all([
      child(['intents', 'resolve', i.id, '--job', 'PDBADMIN,RACE_A', '--config', config], env),
      child(['intents', 'resolve', i.id, '--release', '--config', config], env),
    ]);
    expect(both.map((r) => r.code).sort()).toEqual([0, 1]);
    const loser = both.find((r) => r.code === 1)!;
    expect(loser.stderr).toMatch(
      /^error: (intent \S+ was resolved meanwhile|no intent has the id|intent \S+ is recovered)/,
    );
    const allowed = await store.audit.list({ decision: 'allowed', limit: 10 });
    expect(allowed).toHaveLength(1);
    const jobs = await store.registry.listForDatabase('orcl', 10);
    if (both[0]!.code === 0) {
      expect(jobs.map((j) => j.jobName)).toEqual(['RACE_A']);
      expect((await store.intents.find(i.id))?.state).toBe('recovered');
    } else {
      expect(jobs).toEqual([]);
      expect(await store.intents.find(i.id)).toBeUndefined();
    }
  }, 300_000);

  it('audit: newest first, filtered by tenant, time and decision, as a table or JSON lines; each read is itself audited', async () => {
    const events = [
      { at: ago(60 * 48), tenant: 'hr-team', decision: 'allowed' as const, requestId: 'old' },
      { at: ago(60), tenant: 'hr-team', decision: 'refused' as const, requestId: 'hr-denied' },
      { at: ago(30), tenant: 'sales-team', decision: 'allowed' as const, requestId: 'sales-ok' },
    ];
    for (const e of events)
      await store.audit.append({
        ...e,
        principal: e.tenant,
        database: 'orcl',
        status: e.decision === 'allowed' ? 201 : 403,
        request: {},
      });
    const ids = async (...args: string[]) => {
      const r = await run('audit', '--json', ...args);
      expect(r.code).toBe(0);
      return r.stdout
        .trimEnd()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { requestId: string }).requestId);
    };
    expect(await ids('--tenant', 'hr-team')).toEqual(['hr-denied', 'old']);
    expect(await ids('--tenant', 'hr-team', '--since', '24h')).toEqual(['hr-denied']);
    expect(await ids('--tenant', 'hr-team', '--decision', 'deny')).toEqual(['hr-denied']);
    expect(await ids('--tenant', 'sales-team', '--until', '45m')).toEqual([]);
    expect(await ids('--tenant', 'sales-team', '--since', ago(31), '--until', ago(29))).toEqual(['sales-ok']);
    expect(await ids('--decision', 'allow', '--limit', '1')).toHaveLength(1);

    const table = await run('audit', '--tenant', 'sales-team');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^AT +DECISION +STATUS +TENANT +PRINCIPAL +DATABASE +REQUEST +JOB +DETAIL$/,
    );
    expect(table.stdout).toContain('sales-ok');
    // Every read above left one event of its own, by the operator, under tenant and database `*` (the filter is
    // in its arguments), so no tenant's own history fills with reads.
    const reads = (await store.audit.list({ limit: 100 })).filter((e) => e.principal === ACTOR);
    expect(reads).toHaveLength(7);
    expect(reads.every((e) => e.tenant === '*')).toBe(true);
    expect(reads[0]).toMatchObject({
      tenant: '*',
      database: '*',
      decision: 'allowed',
      request: {
        admin: { command: 'audit', arguments: { tenant: 'sales-team', limit: 100 }, result: 'listed 1 events' },
      },
    });
  });

  it('jobs list: every tenant’s jobs newest first, or one tenant’s, as a table or JSON lines', async () => {
    await seed(store, job({ jobName: 'HR_1', createdAt: ago(30) }));
    await seed(
      store,
      job({ jobName: 'SALES_1', tenant: 'sales-team', ownerName: 'SALES', createdAt: ago(20), lastState: 'COMPLETED' }),
    );
    const all = await run('jobs', 'list');
    expect(all.code).toBe(0);
    const rows = all.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^TENANT +DATABASE +JOB +OPERATION +MODE +STATE +OUTCOME +CREATED$/);
    expect(rows.slice(1).map((r) => r.split(/ +/).slice(0, 3))).toEqual([
      ['sales-team', 'orcl', 'SALES,SALES_1'],
      ['hr-team', 'orcl', 'HR,HR_1'],
    ]);
    const hr = await run('jobs', 'list', '--tenant', 'hr-team', '--json');
    const listed = hr.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ tenant: 'hr-team', jobName: 'HR_1', lastState: 'EXECUTING' });
    expect(listed[0]).not.toHaveProperty('canonicalRequest');
    expect((await run('jobs', 'list', '--limit', '1', '--json')).stdout.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('the tenant sees a job an operator gave it (the gateway list route on the same SQLite file)', () => {
  it('hr-team lists it after resolve --job; sales-team does not', async () => {
    const path = join(mkdtempSync(join(dir, 'route-')), 'gateway.db');
    const config = configFile('route', `  sqlite: { path: ${path} }`);
    const store = await openStateStore({ kind: 'sqlite', path });
    try {
      const i = await unsettled(store, 'quarantined');
      const gw = testGateway({ store });
      const list = (key: string) =>
        request(gw.app).get('/databases/orcl/datapump/jobs/').set('X-API-Key', key).expect(200);
      expect((await list('hr-demo-key')).body.items).toEqual([]);
      expect(
        (await cli(['intents', 'resolve', i.id, '--job', 'PDBADMIN,GIVEN_JOB', '--config', config], {})).code,
      ).toBe(0);
      const hr = (await list('hr-demo-key')).body as { items: Array<{ owner_name: string; job_name: string }> };
      expect(hr.items.map((j) => `${j.owner_name},${j.job_name}`)).toEqual(['PDBADMIN,GIVEN_JOB']);
      expect((await list('sales-demo-key')).body.items).toEqual([]);
      await gw.close();
    } finally {
      await store.close();
    }
  });
});

describe('usage and config errors', () => {
  let config: string;
  beforeAll(() => {
    config = configFile('usage', `  sqlite: { path: ${join(dir, 'usage', 'gateway.db')} }`);
  });

  it.each([
    [['intents', 'resolve', 'x'], 'give exactly one of --job OWNER,NAME and --release'],
    [['intents', 'resolve', 'x', '--job', 'A,B', '--release'], 'give exactly one of --job OWNER,NAME and --release'],
    [['intents', 'resolve', 'x', '--job', 'A'], '--job must be OWNER,NAME'],
    [['intents', 'resolve', 'x', '--job', 'A,B,C'], '--job must be OWNER,NAME'],
    [['intents', 'resolve', 'x', '--job', 'A/B,C'], '--job must be OWNER,NAME'],
    [['intents', 'resolve', 'x y', '--release'], 'is not an intent id'],
    [['intents', 'resolve', 'x', '--release', '--reason', 'a\nb'], '--reason must be'],
    [['intents', 'list', '--state', 'pending'], '--state must be in-doubt or quarantined'],
    [['intents', 'list', '--tenant', 'HR'], 'is not a tenant id'],
    [['audit', '--limit', '0'], '--limit must be a whole number from 1 to 10000'],
    [['audit', '--limit', 'all'], '--limit must be a whole number'],
    [['audit', '--since', 'yesterday'], 'is not a time'],
    [['audit', '--since', '1h', '--until', '2h'], 'must be before --until'],
    [['audit', '--decision', 'maybe'], '--decision must be allow, deny or failed'],
    [['jobs', 'list', '--limit', '-1'], '--limit must be'],
  ])('%j exits 2: %s', async (args, message) => {
    const result = await cli([...args, '--config', config], {});
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('without --config or $GATEWAY_CONFIG: exit 2; an unreadable or invalid config: exit 1, naming no secret', async () => {
    expect(await cli(['intents', 'list'], {})).toMatchObject({ code: 2, stderr: expect.stringContaining('--config') });
    expect(await cli(['audit', '--config', join(dir, 'missing.yaml')], {})).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('cannot read the file (ENOENT)'),
    });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'public_url: 5\n');
    expect((await cli(['jobs', 'list', '--config', bad], {})).code).toBe(1);
    // The memory store lives in the gateway's process: nothing to open.
    const memory = configFile('memory', '  memory: true');
    expect(await cli(['jobs', 'list', '--config', memory], {})).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('store.memory'),
    });
  });

  it('$GATEWAY_CONFIG stands for --config; the placeholder for unused secrets appears in no output', async () => {
    const result = await cli(['jobs', 'list'], { GATEWAY_CONFIG: config });
    expect(result).toEqual({ code: 0, stdout: 'no jobs\n', stderr: '' });
    expect(result.stdout + result.stderr).not.toContain(UNUSED_SECRET);
  });

  it('the store secret is still needed: a PostgreSQL config without $DATABASE_URL is refused', async () => {
    const pg = configFile('pg-no-url', '  postgres: { url: "${DATABASE_URL}" }');
    const result = await cli(['audit', '--config', pg], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL');
  });
});

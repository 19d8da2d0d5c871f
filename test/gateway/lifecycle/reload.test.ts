// Hot reload, in process: reloadConfig re-reads the file, swaps what a reload can change, keeps the rest and
// reports it, and keeps the running configuration when the file is invalid.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { Client } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { loadConfig } from '../../../src/gateway/config/load.js';
import { mergeConfig, reloadConfig, type ReloadResult } from '../../../src/gateway/reload.js';
import { createLogger, type RunningGateway, startGateway } from '../../../src/gateway/server.js';
import { GATEWAY_PROCESS_ENV, gatewayConfigTree, tenantTree } from '../../helpers/gateway-process.js';

/** Nothing listens there: these tests only use routes that do not call ORDS (a tenant's empty job list). */
const ORDS_URL = 'http://127.0.0.1:9/ords/orcl/pdbadmin/';
const ENV = { ...GATEWAY_PROCESS_ENV, REDIS_URL: 'redis://:s3cret-redis@127.0.0.1:6390' };
const LIST = '/databases/orcl/datapump/jobs/';
const OPS_GRANTS = {
  operations: ['EXPORT'],
  job_modes: ['SCHEMA'],
  schemas: ['OPS'],
  max_threads: 1,
  directories: ['DATA_PUMP_DIR'],
};

type Tree = Record<string, unknown> & { tenants: Record<string, Record<string, unknown>> };
const baseTree = (): Tree => ({ ...(gatewayConfigTree({ ordsUrl: ORDS_URL }) as Tree), log_level: 'silent' });

describe('reloadConfig', () => {
  let dir: string;
  let path: string;
  let gateway: RunningGateway;
  let client: Client;
  let logLines: Array<Record<string, unknown>>;
  const logger = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );

  const write = (tree: Record<string, unknown> | string) =>
    writeFileSync(path, typeof tree === 'string' ? tree : stringify(tree));
  const reload = (): ReloadResult => reloadConfig({ path, env: ENV, source: gateway.config, logger });
  /** GET on the one kept-alive connection of `client`: a reload must not need a new one. */
  const list = async (key: string) => {
    const res = await client.request({ method: 'GET', path: LIST, headers: { 'x-api-key': key } });
    await res.body.dump();
    return res.statusCode;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-reload-'));
    path = join(dir, 'gateway.yaml');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    logLines = [];
    write(baseTree());
    gateway = await startGateway({ config: loadConfig({ path, env: ENV }), logger: createLogger('silent') });
    client = new Client(gateway.url, { pipelining: 1 });
  });
  afterEach(async () => {
    await client.close();
    await gateway.close();
  });

  it('applies a new tenant key on the next request, on the same connection, and drops a removed one', async () => {
    let connections = 0;
    client.on('connect', () => {
      connections += 1;
    });
    expect(await list('ops-key')).toBe(401);
    expect(await list('sales-demo-key')).toBe(200);
    const before = gateway.config.current();

    const tree = baseTree();
    tree.tenants['ops-team'] = tenantTree('ops-key', OPS_GRANTS);
    delete tree.tenants['sales-team'];
    write(tree);
    const result = reload();

    expect(result).toEqual({
      outcome: 'applied',
      changed: ['tenants.ops-team (added)', 'tenants.sales-team (removed)'],
      needsRestart: [],
    });
    expect(await list('ops-key')).toBe(200);
    expect(await list('sales-demo-key')).toBe(401);
    expect(await list('hr-demo-key')).toBe(200);
    expect(connections).toBe(1);
    const after = gateway.config.current();
    expect(after).not.toBe(before);
    expect(Object.isFrozen(after) && Object.isFrozen(after.tenants['ops-team']!.grants)).toBe(true);
    // An unchanged database keeps its object, so its ORDS client (pool, breaker) is kept too.
    expect(after.databases.orcl).toBe(before.databases.orcl);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        msg: 'configuration reloaded',
        changed: result.outcome === 'applied' ? result.changed : [],
      }),
    );
  });

  it('applies a changed limit, grant or public URL; reports nothing to do when the file is unchanged', async () => {
    const tree = baseTree();
    tree.public_url = 'https://gateway.example.com';
    tree.tenants['hr-team'] = { ...tree.tenants['hr-team'], limits: { create: '3/minute' } };
    write(tree);
    expect(reload()).toMatchObject({ outcome: 'applied', changed: ['public_url', 'tenants.hr-team'] });
    expect(gateway.config.current().tenants['hr-team']!.limits.create).toEqual({ limit: 3, windowMs: 60_000 });
    expect(gateway.config.current().publicUrl).toBe('https://gateway.example.com');

    const current = gateway.config.current();
    expect(reload()).toEqual({ outcome: 'unchanged', changed: [], needsRestart: [] });
    expect(gateway.config.current()).toBe(current);
  });

  it('keeps the running configuration when the file is invalid, and reports every problem', async () => {
    const before = gateway.config.current();
    const tree = baseTree();
    tree.listen = { host: '127.0.0.1', port: 70_000 };
    tree.tenants['ops-team'] = { ...tenantTree('ops-key', OPS_GRANTS), databases: ['nowhere'] };
    write(tree);

    const result = reload();
    expect(result.outcome).toBe('rejected');
    const problems = result.outcome === 'rejected' ? result.problems : [];
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.some((p) => p.startsWith('listen.port'))).toBe(true);
    expect(problems.some((p) => p.startsWith('tenants.ops-team.databases'))).toBe(true);
    expect(gateway.config.current()).toBe(before);
    expect(await list('ops-key')).toBe(401);
    expect(await list('hr-demo-key')).toBe(200);
    expect(logLines).toContainEqual(expect.objectContaining({ level: 50, problems }));

    write('tenants: [unclosed\n');
    expect(reload()).toMatchObject({ outcome: 'rejected', problems: [expect.stringContaining(path)] });
    rmSync(path);
    expect(reload()).toEqual({ outcome: 'rejected', problems: [`${path}: cannot read the file (ENOENT)`] });
    expect(gateway.config.current()).toBe(before);
  });

  it('reports settings that need a restart, keeps their running values, and applies the rest', async () => {
    const before = gateway.config.current();
    const tree = baseTree();
    tree.listen = { host: '127.0.0.1', port: 18_080 };
    tree.store = { sqlite: { path: join(dir, 'other.db') } };
    tree.limits = { redis: '${REDIS_URL}', key_prefix: 'elsewhere' };
    tree.body_limit_bytes = 1024;
    tree.server = { shutdown_grace_ms: 2_000, request_timeout_ms: 20_000 };
    tree.databases = {
      orcl: { ...(tree.databases as { orcl: object }).orcl, url: 'http://127.0.0.1:10/ords/orcl/pdbadmin/' },
    };
    tree.tenants['ops-team'] = tenantTree('ops-key', OPS_GRANTS);
    write(tree);

    const result = reload();
    expect(result).toEqual({
      outcome: 'applied',
      changed: ['server.shutdown_grace_ms', 'tenants.ops-team (added)'],
      needsRestart: [
        'listen',
        'body_limit_bytes',
        'server.request_timeout_ms',
        'databases.orcl.url',
        'store',
        'limits.redis',
        'limits.key_prefix',
      ],
    });
    const after = gateway.config.current();
    expect(after.listen).toEqual(before.listen);
    expect(after.store).toBe(before.store);
    expect(after.limits).toBe(before.limits);
    expect(after.bodyLimitBytes).toBe(before.bodyLimitBytes);
    expect(after.databases.orcl).toBe(before.databases.orcl);
    expect(after.server).toEqual({ ...before.server, shutdownGraceMs: 2_000 });
    expect(await list('ops-key')).toBe(200);

    const warning = logLines.find((l) => l.level === 40);
    expect(warning).toMatchObject({
      msg: 'configuration changes that need a restart were not applied; the running values are kept',
    });
    // Names only: a changed URL may carry a password.
    expect(JSON.stringify(logLines)).not.toContain('s3cret');
  });

  it('reports a restart-only change alone as unchanged (nothing to swap)', async () => {
    const before = gateway.config.current();
    write({ ...baseTree(), trust_proxy: 1, log_level: 'debug' });
    expect(reload()).toEqual({ outcome: 'unchanged', changed: [], needsRestart: ['trust_proxy', 'log_level'] });
    expect(gateway.config.current()).toBe(before);
  });
});

describe('mergeConfig', () => {
  it('applies a database change that keeps its url (a fresh ORDS client on next use), and added or removed databases', () => {
    const tree = gatewayConfigTree({ ordsUrl: ORDS_URL });
    const running = loadConfigText(tree);
    const orcl = (tree.databases as { orcl: Record<string, unknown> }).orcl;
    const next = loadConfigText({
      ...tree,
      databases: {
        orcl: { ...orcl, timeouts: { read_ms: 1_234 } },
        hr: { ...orcl, url: 'http://127.0.0.1:11/ords/hr/pdbadmin/' },
      },
    });
    const merged = mergeConfig(running, next);
    expect(merged.changed).toEqual(['databases.orcl', 'databases.hr (added)']);
    expect(merged.needsRestart).toEqual([]);
    expect(merged.config.databases.orcl!.timeouts.readMs).toBe(1_234);
    expect(mergeConfig(next, running).changed).toEqual(['databases.orcl', 'databases.hr (removed)']);
  });
});

function loadConfigText(tree: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-merge-'));
  try {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, stringify(tree));
    return loadConfig({ path: file, env: ENV });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

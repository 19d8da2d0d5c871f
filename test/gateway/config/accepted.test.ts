// Configs that pass: defaults filled, URLs normalised, snake_case mapped to GatewayConfig, everything frozen.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { hashApiKey } from '../../../src/gateway/config/api-key.js';
import { ConfigError } from '../../../src/gateway/config/errors.js';
import { loadConfig, parseConfig } from '../../../src/gateway/config/load.js';
import type { DatabaseConfig, GatewayConfig } from '../../../src/gateway/config/types.js';
import { ENV, HR_HASH, minimalConfig, salesTenant, SECRET, setAt, toYaml, type Tree } from './fixtures.js';

function parse(edit: (c: Tree) => void = () => {}, env: Record<string, string> = ENV): GatewayConfig {
  const config = minimalConfig();
  edit(config);
  return parseConfig(toYaml(config), env);
}

const EXAMPLE = new URL('../../../config/example.yaml', import.meta.url);

describe('accepted configs', () => {
  it('fills every default of a minimal config', () => {
    expect(parse()).toEqual({
      listen: { host: '127.0.0.1', port: 8080 },
      publicUrl: 'http://127.0.0.1:8080',
      trustProxy: 0,
      corsOrigins: [],
      logLevel: 'info',
      validateResponses: true,
      bodyLimitBytes: 262144,
      server: { headersTimeoutMs: 10000, requestTimeoutMs: 30000, keepAliveTimeoutMs: 5000, shutdownGraceMs: 10000 },
      metrics: { token: null, listen: null, tenantLabel: false },
      readiness: { ords: 'any', cacheMs: 1000 },
      databases: {
        orcl: {
          name: 'orcl',
          url: 'http://127.0.0.1:8181/ords/orcl/pdbadmin/',
          apiVersion: 'stable',
          createEndpoint: 'jobs',
          timeZone: 'UTC',
          ordsPath: 'orcl/pdbadmin',
          auth: { kind: 'basic', username: 'pdbadmin', password: SECRET },
          tls: null,
          timeouts: { connectMs: 5000, createMs: 30000, readMs: 10000, fileIdleMs: 30000, fileMinBytesPerSecond: 1024 },
          maxResponseBytes: 1048576,
          connections: 16,
          fileConnections: 8,
          maxRunningJobs: null,
          resilience: {
            failureThreshold: 5,
            halfOpenAfterMs: 10000,
            getRetries: 2,
            retryBaseMs: 100,
            maxConcurrent: 64,
          },
        },
      },
      tenants: {
        'hr-team': {
          id: 'hr-team',
          apiKeys: [{ id: `key-${HR_HASH.slice(0, 8)}`, derivedId: true, sha256: HR_HASH, expiresAtMs: null }],
          databases: ['orcl'],
          grants: {
            operations: ['EXPORT', 'IMPORT'],
            jobModes: ['SCHEMA', 'TABLE'],
            schemas: ['HR'],
            tablespaces: [],
            remapTargets: [],
            maxThreads: 4,
            allJobs: false,
            directories: ['DATA_PUMP_DIR'],
            credentials: [],
            filePrefix: null,
            importProvenance: 'own_exports',
            objectStorage: [],
          },
          limits: {
            create: { limit: 10, windowMs: 3_600_000 },
            read: { limit: 600, windowMs: 60_000 },
            concurrentJobs: 10,
            jobsPerDay: 100,
            concurrentDownloads: 2,
          },
          requireIdempotencyKey: false,
        },
      },
      store: {
        backend: { kind: 'sqlite', path: 'data/gateway.db' },
        retentionMs: 90 * 86_400_000,
        auditRetentionMs: 400 * 86_400_000,
        provenanceMs: 365 * 86_400_000,
        purgeIntervalMs: 3_600_000,
      },
      limits: { redisUrl: null, keyPrefix: 'dpg' },
      jwt: null,
      policy: { maxListNames: 1000 },
      idempotency: { ttlMs: 86_400_000 },
      reconcile: { intervalMs: 30000, matchWindowMs: 120000, giveUpAfterMs: 900000 },
      watch: { intervalMs: 5000, freshMs: 1000, changeCheckMs: 500 },
      docs: { note: null },
    } satisfies GatewayConfig);
  });

  it('keeps every value that is given', () => {
    const config = parse(
      (c) => {
        setAt(c, 'listen', { host: '0.0.0.0', port: 0 });
        setAt(c, 'trust_proxy', 2);
        setAt(c, 'log_level', 'debug');
        setAt(c, 'validate_responses', false);
        setAt(c, 'body_limit_bytes', 1048576);
        setAt(c, 'server', { headers_timeout_ms: 5000, request_timeout_ms: 5000, keep_alive_timeout_ms: 1000 });
        setAt(c, 'metrics', { token: '${METRICS_TOKEN}', listen: { port: 9464 } });
        setAt(c, 'databases.orcl.api_version', 'latest');
        setAt(c, 'databases.orcl.create_endpoint', 'rpc');
        setAt(c, 'databases.orcl.timeouts', { connect_ms: 1, create_ms: 2, read_ms: 3, file_idle_ms: 4 });
        setAt(c, 'databases.orcl.max_response_bytes', 2048);
        setAt(c, 'databases.orcl.connections', 1);
        setAt(c, 'tenants.hr-team.grants', {
          operations: [],
          job_modes: [],
          schemas: ['HR', 'HR_STAGE$1#'],
          tablespaces: ['USERS'],
          remap_targets: ['HR_COPY'],
          max_threads: 1024,
          all_jobs: true,
          directories: ['HR_DIR'],
          credentials: ['HR_CRED'],
          file_prefix: 'HR-',
          object_storage: [{ namespace: 'acme', bucket: 'hr-exports' }],
        });
        setAt(c, 'tenants.hr-team.limits', { create: '3/second', jobs_per_day: 7 });
        setAt(c, 'limits', {
          redis: '${REDIS_URL}',
          key_prefix: 'gw1',
          defaults: { read: '5/day', concurrent_jobs: 2 },
        });
        setAt(c, 'store', { postgres: { url: '${DATABASE_URL}' }, retention_days: 7, purge_interval_minutes: 5 });
        setAt(c, 'jwt', {
          jwks_url: 'https://idp.example.com/jwks',
          issuer: 'https://idp.example.com/',
          audience: 'datapump',
          tenant_claim: 'team',
        });
        setAt(c, 'policy', { max_list_names: 500 });
      },
      {
        ...ENV,
        METRICS_TOKEN: 'metrics-secret',
        REDIS_URL: 'redis://127.0.0.1:6379',
        DATABASE_URL: 'postgres://u:p@db/x',
      },
    );
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 0 });
    expect([config.trustProxy, config.logLevel, config.validateResponses, config.bodyLimitBytes]).toEqual([
      2,
      'debug',
      false,
      1048576,
    ]);
    expect(config.server).toEqual({
      headersTimeoutMs: 5000,
      requestTimeoutMs: 5000,
      keepAliveTimeoutMs: 1000,
      shutdownGraceMs: 10000,
    });
    expect(config.metrics).toEqual({
      token: 'metrics-secret',
      tenantLabel: false,
      listen: { host: '127.0.0.1', port: 9464 },
    });
    const db = config.databases.orcl!;
    expect([db.apiVersion, db.createEndpoint, db.maxResponseBytes, db.connections]).toEqual(['latest', 'rpc', 2048, 1]);
    expect(db.timeouts).toEqual({ connectMs: 1, createMs: 2, readMs: 3, fileIdleMs: 4, fileMinBytesPerSecond: 1024 });
    expect(config.tenants['hr-team']!.grants).toEqual({
      operations: [],
      jobModes: [],
      schemas: ['HR', 'HR_STAGE$1#'],
      tablespaces: ['USERS'],
      remapTargets: ['HR_COPY'],
      maxThreads: 1024,
      allJobs: true,
      directories: ['HR_DIR'],
      credentials: ['HR_CRED'],
      filePrefix: 'HR-',
      importProvenance: 'own_exports',
      objectStorage: [{ namespace: 'acme', bucket: 'hr-exports' }],
    });
    expect(config.tenants['hr-team']!.limits).toEqual({
      create: { limit: 3, windowMs: 1_000 },
      read: { limit: 5, windowMs: 86_400_000 },
      concurrentJobs: 2,
      jobsPerDay: 7,
      concurrentDownloads: 2,
    });
    expect(config.limits).toEqual({ redisUrl: 'redis://127.0.0.1:6379', keyPrefix: 'gw1' });
    expect(config.store).toEqual({
      backend: { kind: 'postgres', url: 'postgres://u:p@db/x', schema: 'datapump_gateway' },
      retentionMs: 7 * 86_400_000,
      auditRetentionMs: 400 * 86_400_000,
      provenanceMs: 365 * 86_400_000,
      purgeIntervalMs: 300_000,
    });
    expect(config.jwt).toEqual({
      jwksUrl: 'https://idp.example.com/jwks',
      issuer: 'https://idp.example.com/',
      audience: 'datapump',
      algorithms: ['RS256', 'ES256'],
      tenantClaim: 'team',
      principalClaim: 'sub',
      clockToleranceSec: 30,
      tokenTypes: ['at+jwt', 'JWT'],
      maxLifetimeSec: 86_400,
    });
    expect(config.policy).toEqual({ maxListNames: 500 });
  });

  it.each([
    ['http://127.0.0.1:8181/ords/orcl/pdbadmin', 'http://127.0.0.1:8181/ords/orcl/pdbadmin/'],
    ['http://127.0.0.1:8181/ords/pdbadmin/', 'http://127.0.0.1:8181/ords/pdbadmin/'],
    ['https://DB.Example.COM:443/ords/orcl/hr', 'https://db.example.com/ords/orcl/hr/'],
    ['https://proxy.example.com/oracle/ords/orcl/hr/', 'https://proxy.example.com/oracle/ords/orcl/hr/'],
  ])('normalises the database URL %s', (url, expected) => {
    expect(parse((c) => setAt(c, 'databases.orcl.url', url)).databases.orcl!.url).toBe(expected);
  });

  it.each([
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['https://Gateway.Example.com:443', 'https://gateway.example.com'],
    ['https://example.com/datapump/', 'https://example.com/datapump'],
  ])('normalises the public URL %s', (url, expected) => {
    expect(parse((c) => setAt(c, 'public_url', url)).publicUrl).toBe(expected);
  });

  it('normalises CORS origins to the form browsers send, once each', () => {
    const config = parse((c) =>
      setAt(c, 'cors.origins', ['https://App.Example.com:443', 'https://app.example.com', 'http://localhost:3000']),
    );
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:3000']);
  });

  it('maps OAuth2, with the token URL defaulting to <url>oauth/token', () => {
    const auth = (token_url?: string): DatabaseConfig['auth'] =>
      parse(
        (c) =>
          setAt(c, 'databases.orcl.auth', {
            oauth2: {
              client_id: 'gateway',
              client_secret: '${ORDS_CLIENT_SECRET}',
              ...(token_url ? { token_url } : {}),
            },
          }),
        { ORDS_CLIENT_SECRET: 'client-secret' },
      ).databases.orcl!.auth;
    expect(auth()).toEqual({
      kind: 'oauth2',
      clientId: 'gateway',
      clientSecret: 'client-secret',
      tokenUrl: 'http://127.0.0.1:8181/ords/orcl/pdbadmin/oauth/token',
    });
    expect(auth('http://127.0.0.1:8181/ords/oauth/token')).toMatchObject({
      tokenUrl: 'http://127.0.0.1:8181/ords/oauth/token',
    });
  });

  it('turns whole references into numbers and booleans where the schema wants them', () => {
    const config = parse(
      (c) => {
        setAt(c, 'listen.port', '${PORT:-8080}');
        setAt(c, 'trust_proxy', '${HOPS}');
        setAt(c, 'validate_responses', '${VALIDATE:-false}');
        setAt(c, 'public_url', 'http://127.0.0.1:${PORT:-8080}');
      },
      { ...ENV, PORT: '9090', HOPS: '1' },
    );
    expect(config.listen.port).toBe(9090);
    expect(config.trustProxy).toBe(1);
    expect(config.validateResponses).toBe(false);
    expect(config.publicUrl).toBe('http://127.0.0.1:9090');
  });

  it('keeps a reference that yields digits a string where the schema wants a string', () => {
    const config = parse((c) => setAt(c, 'databases.orcl.auth.basic.username', '${ORDS_USER}'), {
      ...ENV,
      ORDS_USER: '1234',
    });
    expect(config.databases.orcl!.auth).toMatchObject({ username: '1234' });
  });

  it('accepts several tenants and databases', () => {
    const config = parse(
      (c) => {
        setAt(c, 'databases.reporting', {
          url: 'https://rep.example.com/ords/rep/',
          auth: { basic: { username: 'rep', password: '${REP_PASSWORD}' } },
        });
        setAt(c, 'tenants.sales-team', { ...salesTenant(), databases: ['orcl', 'reporting'] });
      },
      { ...ENV, REP_PASSWORD: 'rep-pw' },
    );
    expect(Object.keys(config.databases)).toEqual(['orcl', 'reporting']);
    expect(config.tenants['sales-team']!.databases).toEqual(['orcl', 'reporting']);
  });

  it('deep-freezes the result: mutation throws (test files run in strict mode)', () => {
    const config = parse();
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config.listen as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.tenants['hr-team']!.apiKeys as unknown[]).push('x');
    }).toThrow(TypeError);
    expect(() => {
      (config.databases as Record<string, unknown>).other = {};
    }).toThrow(TypeError);
    expect(() => {
      (config.databases.orcl!.auth as { password: string }).password = 'changed';
    }).toThrow(TypeError);
    expect(Object.isFrozen(config.tenants['hr-team']!.grants.schemas)).toBe(true);
  });

  it('gives each parse its own snapshot', () => {
    expect(parse()).not.toBe(parse());
    expect(parse()).toEqual(parse());
  });
});

describe('loadConfig', () => {
  it('reads through the injected readFile', () => {
    const reads: string[] = [];
    const config = loadConfig({
      path: '/etc/gw.yaml',
      env: ENV,
      readFile: (path) => {
        reads.push(path);
        return toYaml(minimalConfig());
      },
    });
    expect(reads).toEqual(['/etc/gw.yaml']);
    expect(config.tenants['hr-team']!.id).toBe('hr-team');
  });

  it('names the file when it cannot be read', () => {
    const error = (() => {
      try {
        loadConfig({
          path: 'missing.yaml',
          env: ENV,
          readFile: () => {
            throw Object.assign(new Error('nope'), { code: 'ENOENT' });
          },
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['missing.yaml: cannot read the file (ENOENT)']);
  });

  it('names the file in validation errors', () => {
    expect(() => loadConfig({ path: 'x.yaml', env: {}, readFile: () => toYaml(minimalConfig()) })).toThrow(
      'invalid configuration in x.yaml (1 problem):\ndatabases.orcl.auth.basic.password: environment variable ORDS_PASSWORD is not set',
    );
  });
});

describe('config/example.yaml', () => {
  const load = (env: Record<string, string>) => loadConfig({ path: EXAMPLE.pathname, env });

  it('loads with ORDS_PASSWORD set, with the documented defaults', () => {
    const config = load({ ORDS_PASSWORD: SECRET });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
    expect(config.databases.orcl).toMatchObject({
      url: 'http://127.0.0.1:8181/ords/orcl/pdbadmin/',
      auth: { kind: 'basic', username: 'pdbadmin', password: SECRET },
    });
    expect(Object.keys(config.tenants)).toEqual(['hr-team', 'sales-team', 'dba-team']);
  });

  it('follows PORT and EMULATOR_PORT', () => {
    const config = load({ ORDS_PASSWORD: SECRET, PORT: '18080', EMULATOR_PORT: '18181' });
    expect(config.listen.port).toBe(18080);
    expect(config.publicUrl).toBe('http://127.0.0.1:18080');
    expect(config.databases.orcl!.url).toBe('http://127.0.0.1:18181/ords/orcl/pdbadmin/');
  });

  it.each([
    ['hr-demo-key', 'hr-team'],
    ['sales-demo-key', 'sales-team'],
    ['dba-demo-key', 'dba-team'],
  ])('maps the hash of the demo key %s to %s, and to no other tenant', (key, tenant) => {
    const config = load({ ORDS_PASSWORD: SECRET });
    const owners = Object.values(config.tenants).filter((t) => t.apiKeys.some((k) => k.sha256 === hashApiKey(key)));
    expect(owners.map((t) => t.id)).toEqual([tenant]);
  });

  it('documents each demo key next to its tenant', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    for (const [key, tenant] of [
      ['hr-demo-key', 'hr-team'],
      ['sales-demo-key', 'sales-team'],
      ['dba-demo-key', 'dba-team'],
    ]) {
      expect(text).toMatch(new RegExp(`# key: ${key}\\n\\s+${tenant}:`));
    }
  });

  it('grants what the README promises', () => {
    const { tenants } = load({ ORDS_PASSWORD: SECRET });
    expect(tenants['hr-team']!.grants).toMatchObject({
      operations: ['EXPORT', 'IMPORT'],
      jobModes: ['SCHEMA', 'TABLE'],
      schemas: ['HR'],
      maxThreads: 4,
      allJobs: false,
    });
    expect(tenants['sales-team']!.grants).toMatchObject({
      operations: ['EXPORT'],
      jobModes: ['SCHEMA', 'TABLE'],
      schemas: ['SALES'],
      maxThreads: 2,
      allJobs: false,
    });
    expect(tenants['dba-team']!.grants).toEqual({
      operations: ['EXPORT', 'IMPORT'],
      jobModes: ['FULL', 'SCHEMA', 'TABLE', 'TABLESPACE'],
      schemas: ['*'],
      tablespaces: ['*'],
      remapTargets: ['*'],
      maxThreads: 16,
      allJobs: true,
      directories: ['*'],
      credentials: ['*'],
      filePrefix: null,
      importProvenance: 'any',
      objectStorage: [],
    });
    expect(tenants['hr-team']!.grants).toMatchObject({
      directories: ['DATA_PUMP_DIR'],
      filePrefix: 'HR_',
      remapTargets: ['HR_COPY'],
      importProvenance: 'own_exports',
    });
    expect(tenants['sales-team']!.limits.create).toEqual({ limit: 5, windowMs: 60_000 });
    expect(tenants['hr-team']!.limits).toMatchObject({ create: { limit: 120, windowMs: 60_000 }, concurrentJobs: 10 });
    expect(tenants['dba-team']!.limits.create).toEqual({ limit: 120, windowMs: 60_000 });
  });

  it('refuses to load without ORDS_PASSWORD', () => {
    expect(() => load({})).toThrow(
      /databases\.orcl\.auth\.basic\.password: environment variable ORDS_PASSWORD is not set/,
    );
  });
});

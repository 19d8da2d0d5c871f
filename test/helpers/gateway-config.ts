// Builds GatewayConfig snapshots for tests (deep-frozen like the real loader's), with three demo tenants.
import { createHash } from 'node:crypto';

import { derivedOrdsPath } from '../../src/gateway/config/ords-path.js';
import type {
  ApiKeyConfig,
  DatabaseConfig,
  GatewayConfig,
  TenantConfig,
  TenantGrants,
  TenantLimits,
} from '../../src/gateway/config/types.js';
import { deepFreeze } from '../../src/lib/deep-freeze.js';

export const DEMO_KEYS = {
  'hr-team': 'hr-demo-key',
  'sales-team': 'sales-demo-key',
  'dba-team': 'dba-demo-key',
} as const;

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** An api_keys entry for `key`, named `id`, expiring at `expiresAt` (RFC 3339) or never. */
export function testApiKey(key: string, id: string, expiresAt?: string): ApiKeyConfig {
  return {
    id,
    derivedId: false,
    sha256: sha256(key),
    expiresAtMs: expiresAt === undefined ? null : Date.parse(expiresAt),
  };
}

export function testDatabase(overrides: Partial<DatabaseConfig> = {}): DatabaseConfig {
  const url = overrides.url ?? 'http://127.0.0.1:8181/ords/orcl/pdbadmin/';
  return {
    name: 'orcl',
    url,
    // As the loader derives it, unless a test sets its own.
    ordsPath: derivedOrdsPath(url),
    apiVersion: 'stable',
    createEndpoint: 'jobs',
    timeZone: 'UTC',
    auth: { kind: 'basic', username: 'pdbadmin', password: 'oracle' },
    tls: null,
    timeouts: { connectMs: 1_000, createMs: 2_000, readMs: 2_000, fileIdleMs: 2_000, fileMinBytesPerSecond: 0 },
    maxResponseBytes: 1_048_576,
    connections: 4,
    fileConnections: 4,
    maxRunningJobs: null,
    resilience: {
      failureThreshold: 1000,
      halfOpenAfterMs: 10_000,
      getRetries: 0,
      retryBaseMs: 10,
      maxConcurrent: 1000,
    },
    ...overrides,
  };
}

const grants = (g: Partial<TenantGrants>): TenantGrants => ({
  operations: ['EXPORT', 'IMPORT'],
  jobModes: ['SCHEMA', 'TABLE'],
  schemas: [],
  tablespaces: [],
  remapTargets: [],
  maxThreads: 4,
  allJobs: false,
  directories: ['DATA_PUMP_DIR'],
  credentials: [],
  filePrefix: null,
  // Today's tests import by prefix; the default (own_exports) is tested where it is the subject.
  importProvenance: 'prefix',
  objectStorage: [],
  ...g,
});

/** Generous enough that no test trips them unless it sets its own. */
export const TEST_LIMITS: TenantLimits = {
  create: { limit: 10_000, windowMs: 60_000 },
  read: { limit: 10_000, windowMs: 60_000 },
  concurrentJobs: 10_000,
  jobsPerDay: 100_000,
  concurrentDownloads: 1_000,
};

export function testTenants(databases: readonly string[] = ['orcl']): Record<string, TenantConfig> {
  return {
    'hr-team': {
      id: 'hr-team',
      apiKeys: [testApiKey(DEMO_KEYS['hr-team'], 'demo')],
      databases,
      limits: TEST_LIMITS,
      requireIdempotencyKey: false,
      grants: grants({ schemas: ['HR'], filePrefix: 'HR_' }),
    },
    'sales-team': {
      id: 'sales-team',
      apiKeys: [testApiKey(DEMO_KEYS['sales-team'], 'demo')],
      databases,
      limits: TEST_LIMITS,
      requireIdempotencyKey: false,
      grants: grants({ operations: ['EXPORT'], schemas: ['SALES'], maxThreads: 2, filePrefix: 'SALES_' }),
    },
    'dba-team': {
      id: 'dba-team',
      apiKeys: [testApiKey(DEMO_KEYS['dba-team'], 'demo')],
      databases,
      limits: TEST_LIMITS,
      requireIdempotencyKey: false,
      grants: grants({
        jobModes: ['FULL', 'SCHEMA', 'TABLE', 'TABLESPACE'],
        schemas: ['*'],
        tablespaces: ['*'],
        remapTargets: ['*'],
        directories: ['*'],
        credentials: ['*'],
        maxThreads: 16,
        allJobs: true,
      }),
    },
  };
}

export function testConfig(
  overrides: Partial<GatewayConfig> = {},
  database: Partial<DatabaseConfig> = {},
): GatewayConfig {
  const db = testDatabase(database);
  return deepFreeze({
    listen: { host: '127.0.0.1', port: 0 },
    publicUrl: 'http://gateway.test',
    trustProxy: 0,
    corsOrigins: [],
    logLevel: 'silent',
    validateResponses: true,
    bodyLimitBytes: 262_144,
    server: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, shutdownGraceMs: 5_000 },
    metrics: { token: null, listen: null, tenantLabel: true },
    readiness: { ords: 'all', cacheMs: 0 },
    databases: { [db.name]: db },
    tenants: testTenants([db.name]),
    store: {
      backend: { kind: 'memory' },
      retentionMs: 90 * 86_400_000,
      auditRetentionMs: 400 * 86_400_000,
      provenanceMs: 365 * 86_400_000,
      purgeIntervalMs: 3_600_000,
    },
    limits: { redisUrl: null, keyPrefix: 'dpg-test' },
    jwt: null,
    policy: { maxListNames: 1000 },
    idempotency: { ttlMs: 86_400_000 },
    reconcile: { intervalMs: 30_000, matchWindowMs: 120_000, giveUpAfterMs: 900_000 },
    // No freshness window: a test that sets an ORDS fault sees it on the next poll (tests of the window set it).
    watch: { intervalMs: 5_000, freshMs: 0, changeCheckMs: 500 },
    docs: { note: null },
    ...overrides,
  });
}

/** @module Maps the validated snake_case YAML tree (defaults filled) to the camelCase `GatewayConfig`, normalising URLs. */
import { derivedApiKeyId } from './api-key.js';
import { ordsPathOf } from './ords-path.js';
import type {
  DatabaseConfig,
  GatewayConfig,
  JobMode,
  JwtConfig,
  ListenConfig,
  Operation,
  RateLimit,
  StoreBackend,
  TenantConfig,
  TenantLimits,
  UpstreamAuth,
  UpstreamTls,
} from './types.js';

/** The YAML tree after schema validation and defaults: what config/gateway-config.schema.json guarantees. */
interface RawListen {
  host: string;
  port: number;
}
interface RawDatabase {
  url: string;
  api_version: 'stable' | 'latest';
  create_endpoint: 'jobs' | 'rpc';
  ords_version?: string;
  time_zone: string;
  ords_path?: string;
  /** Read by config/tls-files.ts, which hands toGatewayConfig the result. */
  tls?: unknown;
  auth: {
    basic?: { username: string; password: string };
    oauth2?: { client_id: string; client_secret: string; token_url?: string };
  };
  timeouts: {
    connect_ms: number;
    create_ms: number;
    read_ms: number;
    file_idle_ms: number;
    file_min_bytes_per_second: number;
  };
  max_response_bytes: number;
  connections: number;
  file_connections: number;
  max_running_jobs?: number;
  resilience: {
    failure_threshold: number;
    half_open_after_ms: number;
    get_retries: number;
    retry_base_ms: number;
    max_concurrent: number;
  };
}
interface RawTenant {
  api_keys: Array<{ id?: string; sha256: string; expires_at?: string }>;
  databases: string[];
  grants: {
    operations: Operation[];
    job_modes: JobMode[];
    schemas: string[];
    tablespaces: string[];
    remap_targets: string[];
    max_threads: number;
    all_jobs: boolean;
    directories: string[];
    credentials: string[];
    file_prefix?: string;
    import_provenance: 'own_exports' | 'prefix' | 'any';
    object_storage: Array<{ namespace: string; bucket: string }>;
  };
  limits: RawLimits;
  require_idempotency_key: boolean;
}
interface RawLimits {
  create?: string;
  read?: string;
  concurrent_jobs?: number;
  jobs_per_day?: number;
  concurrent_downloads?: number;
}
interface RawJwt {
  jwks_url: string;
  issuer: string;
  audience: string;
  algorithms: string[];
  tenant_claim: string;
  principal_claim: string;
  clock_tolerance_seconds: number;
  token_types: string[];
  max_lifetime_seconds: number;
}
export interface RawConfig {
  listen: RawListen;
  public_url: string;
  trust_proxy: number;
  cors: { origins: string[] };
  log_level: GatewayConfig['logLevel'];
  validate_responses: boolean;
  body_limit_bytes: number;
  server: {
    headers_timeout_ms: number;
    request_timeout_ms: number;
    keep_alive_timeout_ms: number;
    shutdown_grace_ms: number;
  };
  metrics: { token?: string; listen?: RawListen; tenant_label: boolean };
  readiness: { ords: 'all' | 'any' | 'none'; cache_ms: number };
  databases: Record<string, RawDatabase>;
  tenants: Record<string, RawTenant>;
  store: {
    sqlite?: { path: string };
    postgres?: { url: string; schema: string };
    memory?: true;
    retention_days: number;
    /** Absent: the default, computed from retention_days (see AUDIT_RETENTION_DAYS). */
    audit_retention_days?: number;
    provenance_days: number;
    purge_interval_minutes: number;
  };
  limits: { redis?: string; key_prefix: string; defaults: RawLimits };
  jwt?: RawJwt;
  policy: { max_list_names: number };
  idempotency: { ttl_hours: number };
  reconcile: { interval_ms: number; match_window_ms: number; give_up_after_ms: number };
  watch: { interval_ms: number; fresh_ms: number; change_check_ms: number };
  docs: { note?: string };
}

/** What a tenant gets when neither it nor limits.defaults says otherwise. */
const BUILT_IN_LIMITS: Required<RawLimits> = {
  create: '10/hour',
  read: '600/minute',
  concurrent_jobs: 10,
  jobs_per_day: 100,
  concurrent_downloads: 2,
};
/**
 * The audit trail's default retention: over a year, so a yearly review finds the last one. Before it had its own
 * setting it was kept for retention_days: a larger retention_days stays the default, so no upgrade shortens it.
 */
const AUDIT_RETENTION_DAYS = 400;
const WINDOW_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** Must only be given a tree that passed validation: it trusts the shape. */
export function toGatewayConfig(
  raw: RawConfig,
  /** Each database's TLS settings with its files read (config/tls-files.ts); a database absent here has none. */
  tls: ReadonlyMap<string, UpstreamTls> = new Map(),
): GatewayConfig {
  return {
    listen: listen(raw.listen),
    publicUrl: new URL(raw.public_url).href.replace(/\/+$/, ''),
    trustProxy: raw.trust_proxy,
    // Browsers send the serialised origin (lower-case host, no default port): compare against that form.
    corsOrigins: [...new Set(raw.cors.origins.map((origin) => new URL(origin).origin))],
    logLevel: raw.log_level,
    validateResponses: raw.validate_responses,
    bodyLimitBytes: raw.body_limit_bytes,
    server: {
      headersTimeoutMs: raw.server.headers_timeout_ms,
      requestTimeoutMs: raw.server.request_timeout_ms,
      keepAliveTimeoutMs: raw.server.keep_alive_timeout_ms,
      shutdownGraceMs: raw.server.shutdown_grace_ms,
    },
    metrics: {
      token: raw.metrics.token ?? null,
      listen: raw.metrics.listen ? listen(raw.metrics.listen) : null,
      tenantLabel: raw.metrics.tenant_label,
    },
    readiness: { ords: raw.readiness.ords, cacheMs: raw.readiness.cache_ms },
    databases: mapEntries(raw.databases, (name, db) => database(name, db, tls.get(name) ?? null)),
    tenants: mapEntries(raw.tenants, (id, t) => tenant(id, t, raw.limits.defaults)),
    store: {
      backend: storeBackend(raw.store),
      retentionMs: raw.store.retention_days * WINDOW_MS.day,
      auditRetentionMs:
        (raw.store.audit_retention_days ?? Math.max(AUDIT_RETENTION_DAYS, raw.store.retention_days)) * WINDOW_MS.day,
      provenanceMs: raw.store.provenance_days * WINDOW_MS.day,
      purgeIntervalMs: raw.store.purge_interval_minutes * WINDOW_MS.minute,
    },
    limits: { redisUrl: raw.limits.redis ?? null, keyPrefix: raw.limits.key_prefix },
    jwt: raw.jwt ? jwt(raw.jwt) : null,
    policy: { maxListNames: raw.policy.max_list_names },
    idempotency: { ttlMs: raw.idempotency.ttl_hours * WINDOW_MS.hour },
    reconcile: {
      intervalMs: raw.reconcile.interval_ms,
      matchWindowMs: raw.reconcile.match_window_ms,
      giveUpAfterMs: raw.reconcile.give_up_after_ms,
    },
    watch: { intervalMs: raw.watch.interval_ms, freshMs: raw.watch.fresh_ms, changeCheckMs: raw.watch.change_check_ms },
    docs: { note: raw.docs.note ?? null },
  };
}

function storeBackend(raw: RawConfig['store']): StoreBackend {
  if (raw.postgres) return { kind: 'postgres', url: raw.postgres.url, schema: raw.postgres.schema };
  if (raw.memory) return { kind: 'memory' };
  return { kind: 'sqlite', path: raw.sqlite?.path ?? 'data/gateway.db' };
}

function jwt(raw: RawJwt): JwtConfig {
  return {
    jwksUrl: raw.jwks_url,
    issuer: raw.issuer,
    audience: raw.audience,
    algorithms: [...raw.algorithms],
    tenantClaim: raw.tenant_claim,
    principalClaim: raw.principal_claim,
    clockToleranceSec: raw.clock_tolerance_seconds,
    tokenTypes: [...raw.token_types],
    maxLifetimeSec: raw.max_lifetime_seconds,
  };
}

/** `10/hour` → { limit: 10, windowMs: 3_600_000 }; the schema guarantees the form. */
export function parseRate(text: string): RateLimit {
  const [count, unit] = text.split('/') as [string, keyof typeof WINDOW_MS];
  return { limit: Number(count), windowMs: WINDOW_MS[unit] };
}

function limits(own: RawLimits, defaults: RawLimits): TenantLimits {
  const pick = <K extends keyof RawLimits>(key: K): Required<RawLimits>[K] =>
    (own[key] ?? defaults[key] ?? BUILT_IN_LIMITS[key]) as Required<RawLimits>[K];
  return {
    create: parseRate(pick('create')),
    read: parseRate(pick('read')),
    concurrentJobs: pick('concurrent_jobs'),
    jobsPerDay: pick('jobs_per_day'),
    concurrentDownloads: pick('concurrent_downloads'),
  };
}

function listen(raw: RawListen): ListenConfig {
  return { host: raw.host, port: raw.port };
}

function database(name: string, raw: RawDatabase, tls: UpstreamTls | null): DatabaseConfig {
  const parsed = new URL(raw.url);
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  const url = parsed.href;
  return {
    name,
    url,
    apiVersion: raw.api_version,
    createEndpoint: raw.create_endpoint,
    ...(raw.ords_version === undefined ? {} : { ordsVersion: raw.ords_version }),
    timeZone: raw.time_zone,
    ordsPath: ordsPathOf(url, raw.ords_path),
    auth: auth(raw.auth, url),
    tls,
    timeouts: {
      connectMs: raw.timeouts.connect_ms,
      createMs: raw.timeouts.create_ms,
      readMs: raw.timeouts.read_ms,
      fileIdleMs: raw.timeouts.file_idle_ms,
      fileMinBytesPerSecond: raw.timeouts.file_min_bytes_per_second,
    },
    maxResponseBytes: raw.max_response_bytes,
    connections: raw.connections,
    fileConnections: raw.file_connections,
    maxRunningJobs: raw.max_running_jobs ?? null,
    resilience: {
      failureThreshold: raw.resilience.failure_threshold,
      halfOpenAfterMs: raw.resilience.half_open_after_ms,
      getRetries: raw.resilience.get_retries,
      retryBaseMs: raw.resilience.retry_base_ms,
      maxConcurrent: raw.resilience.max_concurrent,
    },
  };
}

function auth(raw: RawDatabase['auth'], url: string): UpstreamAuth {
  if (raw.basic) return { kind: 'basic', username: raw.basic.username, password: raw.basic.password };
  const oauth2 = raw.oauth2!; // the schema's oneOf guarantees exactly one of the two
  return {
    kind: 'oauth2',
    clientId: oauth2.client_id,
    clientSecret: oauth2.client_secret,
    // ORDS serves its token endpoint under the schema alias: …/ords/<db>/<schema>/oauth/token.
    tokenUrl: new URL(oauth2.token_url ?? 'oauth/token', url).href,
  };
}

function tenant(id: string, raw: RawTenant, defaultLimits: RawLimits): TenantConfig {
  return {
    id,
    // The cross-checks have refused duplicate ids and an expires_at Date.parse cannot read.
    apiKeys: raw.api_keys.map((key) => ({
      id: key.id ?? derivedApiKeyId(key.sha256),
      derivedId: key.id === undefined,
      sha256: key.sha256,
      expiresAtMs: key.expires_at === undefined ? null : Date.parse(key.expires_at),
    })),
    databases: [...raw.databases],
    grants: {
      operations: [...raw.grants.operations],
      jobModes: [...raw.grants.job_modes],
      schemas: [...raw.grants.schemas],
      tablespaces: [...raw.grants.tablespaces],
      remapTargets: [...raw.grants.remap_targets],
      maxThreads: raw.grants.max_threads,
      allJobs: raw.grants.all_jobs,
      directories: [...raw.grants.directories],
      credentials: [...raw.grants.credentials],
      filePrefix: raw.grants.file_prefix ?? null,
      importProvenance: raw.grants.import_provenance,
      objectStorage: raw.grants.object_storage.map((o) => ({ namespace: o.namespace, bucket: o.bucket })),
    },
    limits: limits(raw.limits, defaultLimits),
    requireIdempotencyKey: raw.require_idempotency_key,
  };
}

function mapEntries<R, T>(record: Record<string, R>, map: (key: string, value: R) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(key, value)]));
}

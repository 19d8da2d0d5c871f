/** @module Maps the validated snake_case YAML tree (defaults filled) to the camelCase `GatewayConfig`, normalising URLs. */
import type { DatabaseConfig, GatewayConfig, JobMode, ListenConfig, Operation, TenantConfig, UpstreamAuth } from './types.js';

/** The YAML tree after schema validation and defaults: what config/gateway-config.schema.json guarantees. */
interface RawListen { host: string; port: number }
interface RawDatabase {
  url: string;
  api_version: 'stable' | 'latest';
  create_endpoint: 'jobs' | 'rpc';
  auth: {
    basic?: { username: string; password: string };
    oauth2?: { client_id: string; client_secret: string; token_url?: string };
  };
  timeouts: { connect_ms: number; create_ms: number; read_ms: number; file_idle_ms: number };
  max_response_bytes: number;
  connections: number;
}
interface RawTenant {
  api_keys: Array<{ sha256: string }>;
  databases: string[];
  grants: {
    operations: Operation[];
    job_modes: JobMode[];
    schemas: string[];
    tablespaces: string[];
    remap_targets: string[];
    max_threads: number;
    all_jobs: boolean;
  };
}
export interface RawConfig {
  listen: RawListen;
  public_url: string;
  trust_proxy: number;
  cors: { origins: string[] };
  log_level: GatewayConfig['logLevel'];
  validate_responses: boolean;
  body_limit_bytes: number;
  server: { headers_timeout_ms: number; request_timeout_ms: number; keep_alive_timeout_ms: number };
  metrics: { token?: string; listen?: RawListen };
  databases: Record<string, RawDatabase>;
  tenants: Record<string, RawTenant>;
}

/** Must only be given a tree that passed validation: it trusts the shape. */
export function toGatewayConfig(raw: RawConfig): GatewayConfig {
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
    },
    metrics: {
      token: raw.metrics.token ?? null,
      listen: raw.metrics.listen ? listen(raw.metrics.listen) : null,
    },
    databases: mapEntries(raw.databases, database),
    tenants: mapEntries(raw.tenants, tenant),
  };
}

function listen(raw: RawListen): ListenConfig {
  return { host: raw.host, port: raw.port };
}

function database(name: string, raw: RawDatabase): DatabaseConfig {
  const parsed = new URL(raw.url);
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  const url = parsed.href;
  return {
    name,
    url,
    apiVersion: raw.api_version,
    createEndpoint: raw.create_endpoint,
    auth: auth(raw.auth, url),
    timeouts: {
      connectMs: raw.timeouts.connect_ms,
      createMs: raw.timeouts.create_ms,
      readMs: raw.timeouts.read_ms,
      fileIdleMs: raw.timeouts.file_idle_ms,
    },
    maxResponseBytes: raw.max_response_bytes,
    connections: raw.connections,
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

function tenant(id: string, raw: RawTenant): TenantConfig {
  return {
    id,
    apiKeyHashes: raw.api_keys.map((key) => key.sha256),
    databases: [...raw.databases],
    grants: {
      operations: [...raw.grants.operations],
      jobModes: [...raw.grants.job_modes],
      schemas: [...raw.grants.schemas],
      tablespaces: [...raw.grants.tablespaces],
      remapTargets: [...raw.grants.remap_targets],
      maxThreads: raw.grants.max_threads,
      allJobs: raw.grants.all_jobs,
    },
  };
}

function mapEntries<R, T>(record: Record<string, R>, map: (key: string, value: R) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(key, value)]));
}

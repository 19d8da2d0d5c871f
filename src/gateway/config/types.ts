/** @module The gateway's configuration as the rest of the gateway sees it: validated, defaults filled, frozen. */

export type Operation = 'EXPORT' | 'IMPORT';
export type JobMode = 'FULL' | 'SCHEMA' | 'TABLE' | 'TABLESPACE';

export interface ListenConfig {
  readonly host: string;
  readonly port: number;
}

/** How the gateway authenticates to one ORDS: HTTP Basic or OAuth2 client credentials. */
export type UpstreamAuth =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'oauth2'; readonly clientId: string; readonly clientSecret: string; readonly tokenUrl: string };

/**
 * TLS to one ORDS: the files as configured and their contents (PEM) as read when the configuration was loaded, so
 * a reload that finds a changed file yields a changed definition (and a fresh client: new connections use it).
 * Verification is never switched off: there is no field for it.
 */
export interface UpstreamTls {
  /** Trusted CA certificates (PEM), replacing Node's roots for this database; null: Node's roots. */
  readonly ca: string | null;
  readonly caFile: string | null;
  /** The client certificate for mutual TLS; null: none is presented. */
  readonly client: {
    readonly certFile: string;
    readonly keyFile: string;
    readonly cert: string;
    readonly key: string;
    /** Never logged: a secret from `${VAR}`. */
    readonly passphrase: string | null;
  } | null;
  /** SNI and the name checked against the certificate; null: the url's host. */
  readonly serverName: string | null;
}

export interface DatabaseConfig {
  readonly name: string;
  /** ORDS base URL up to and including `/ords/{database}/{schema}/`, always ending in `/`. */
  readonly url: string;
  readonly apiVersion: 'stable' | 'latest';
  /** `jobs`: POST jobs/ with `operation`; `rpc`: POST export / import (newer ORDS releases). */
  readonly createEndpoint: 'jobs' | 'rpc';
  /**
   * The ORDS release behind this database as configured (`databases.<name>.ords_version`, e.g. `19.4`, `22.3.1`),
   * as written; absent when not configured (no release assumed: every create goes to `createEndpoint`). What each
   * release can do is upstream/ords-versions.ts.
   */
  readonly ordsVersion?: string;
  /** The database's IANA time zone: ORDS's job-name times and Data Pump's log dates are in it. */
  readonly timeZone: string;
  /**
   * `database/schema`: the alias the gateway serves this database under on ORDS's own path shape
   * (`/ords/{database}/{schema}/_/db-api/…`); null when it has none (config/ords-path.ts).
   */
  readonly ordsPath: string | null;
  readonly auth: UpstreamAuth;
  /** TLS to this ORDS (`databases.<name>.tls`, https only); null: Node's defaults (its roots, no client certificate). */
  readonly tls: UpstreamTls | null;
  readonly timeouts: {
    readonly connectMs: number;
    /** Time to the first byte of ORDS's answer to a create. */
    readonly createMs: number;
    /** Time to the first byte of ORDS's answer to a read (job, list, readiness probe). */
    readonly readMs: number;
    /** Longest pause between two chunks of a streamed file. */
    readonly fileIdleMs: number;
    /** A download whose client reads less than this on average over `fileIdleMs` is cut; 0 for no rate check. */
    readonly fileMinBytesPerSecond: number;
  };
  /** Largest JSON body accepted from ORDS; files are streamed and not capped. */
  readonly maxResponseBytes: number;
  /** Most connections kept open to this ORDS for JSON calls (creates, polls, lists, readiness). */
  readonly connections: number;
  /** Connections kept for file downloads, apart from `connections`. */
  readonly fileConnections: number;
  /** Most jobs all tenants together may run on this database; null for no cap. */
  readonly maxRunningJobs: number | null;
  readonly resilience: {
    /** Consecutive failures that open the circuit breaker. */
    readonly failureThreshold: number;
    /** How long the breaker stays open before a probe may pass. */
    readonly halfOpenAfterMs: number;
    /** Retries of a GET after a connection error or 503; a POST is never retried. */
    readonly getRetries: number;
    readonly retryBaseMs: number;
    /** Bulkhead: requests in flight at once; beyond, 503 at once. */
    readonly maxConcurrent: number;
  };
}

export interface TenantGrants {
  readonly operations: readonly Operation[];
  readonly jobModes: readonly JobMode[];
  /** Schemas the tenant may name; `['*']` means any name the grammar accepts. */
  readonly schemas: readonly string[];
  readonly tablespaces: readonly string[];
  /** Schemas the tenant may remap into on IMPORT, beyond its own `schemas`. */
  readonly remapTargets: readonly string[];
  readonly maxThreads: number;
  /** Sees every job of the database (ORDS's own list), not only its own. */
  readonly allJobs: boolean;
  /** Directory objects allowed as `datapump_dir`; the first is injected when absent; `['*']` any. */
  readonly directories: readonly string[];
  /** Credentials allowed as `credential_name` (object storage); `[]` forbids object storage; `['*']` any. */
  readonly credentials: readonly string[];
  /** Enforced dump-file-name prefix in directory mode; null for none. */
  readonly filePrefix: string | null;
  /**
   * Which dump files the tenant may IMPORT: `own_exports` those its own exports through this gateway
   * produced; `prefix` those its `filePrefix` matches; `any` any.
   */
  readonly importProvenance: 'own_exports' | 'prefix' | 'any';
  /** Object Storage buckets the tenant may use. */
  readonly objectStorage: readonly { readonly namespace: string; readonly bucket: string }[];
}

export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

export interface TenantLimits {
  readonly create: RateLimit;
  readonly read: RateLimit;
  readonly concurrentJobs: number;
  readonly jobsPerDay: number;
  /** Files the tenant may download at once, on all databases together. */
  readonly concurrentDownloads: number;
}

export type StoreBackend =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

export interface JwtConfig {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly string[];
  readonly tenantClaim: string;
  readonly principalClaim: string;
  readonly clockToleranceSec: number;
  /** Accepted `typ` header values (a token without `typ` is accepted). */
  readonly tokenTypes: readonly string[];
  /** Longest accepted lifetime: `exp − iat`, or `exp − now` without `iat`. */
  readonly maxLifetimeSec: number;
}

/** One of a tenant's API keys: only its hash is stored, never the key. */
export interface ApiKeyConfig {
  /** Unique within the tenant; logged and a /metrics label, never secret. */
  readonly id: string;
  /** The id was not written: it is `key-<first 8 hex of sha256>` (config/api-key.ts), and check-config says so. */
  readonly derivedId: boolean;
  /** SHA-256 (hex, lower case) of the key. */
  readonly sha256: string;
  /** When the key stops working (`expires_at`), in ms since the epoch; null when it does not expire. */
  readonly expiresAtMs: number | null;
}

export interface TenantConfig {
  readonly id: string;
  /** The tenant's API keys (several during a rotation). */
  readonly apiKeys: readonly ApiKeyConfig[];
  /** Databases this tenant may use; any other answers 404. */
  readonly databases: readonly string[];
  readonly grants: TenantGrants;
  /** This tenant's limits, defaults filled from `limits.defaults`. */
  readonly limits: TenantLimits;
  /** Creates without an Idempotency-Key are refused (400). */
  readonly requireIdempotencyKey: boolean;
}

export interface GatewayConfig {
  readonly listen: ListenConfig;
  /** The gateway's own base URL for `Location` and links; never taken from the `Host` header. */
  readonly publicUrl: string;
  /** Number of proxy hops to trust for the client address (Express `trust proxy`). */
  readonly trustProxy: number;
  /** Origins allowed by CORS; empty means CORS is off. */
  readonly corsOrigins: readonly string[];
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Validate the gateway's own JSON answers against the public contract. */
  readonly validateResponses: boolean;
  readonly bodyLimitBytes: number;
  readonly server: {
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    /** On SIGTERM/SIGINT, how long in-flight requests may take to finish. */
    readonly shutdownGraceMs: number;
  };
  readonly metrics: {
    /** When set, `/metrics` requires `Authorization: Bearer <token>`. */
    readonly token: string | null;
    /** When set, `/metrics` is served only on this separate address. */
    readonly listen: ListenConfig | null;
    /** Label request metrics with the tenant id (needs `token` or `listen`). */
    readonly tenantLabel: boolean;
  };
  readonly readiness: {
    /** Which databases' ORDS must answer for the gateway to be ready. */
    readonly ords: 'all' | 'any' | 'none';
    /** How long one readiness result is reused. */
    readonly cacheMs: number;
  };
  readonly databases: Readonly<Record<string, DatabaseConfig>>;
  readonly tenants: Readonly<Record<string, TenantConfig>>;
  readonly store: {
    readonly backend: StoreBackend;
    readonly retentionMs: number;
    /** How long audit events are kept (`store.audit_retention_days`), separately from the job records. */
    readonly auditRetentionMs: number;
    /** How long what each tenant's exports produced is remembered (import provenance). */
    readonly provenanceMs: number;
    readonly purgeIntervalMs: number;
  };
  readonly limits: {
    /** Redis URL for shared counters; null keeps them in this process. */
    readonly redisUrl: string | null;
    readonly keyPrefix: string;
  };
  /** JWT authentication; null when only API keys are accepted. */
  readonly jwt: JwtConfig | null;
  readonly policy: { readonly maxListNames: number };
  readonly idempotency: { readonly ttlMs: number };
  readonly reconcile: { readonly intervalMs: number; readonly matchWindowMs: number; readonly giveUpAfterMs: number };
  /** The job watcher (one replica at a time). */
  readonly watch: {
    readonly intervalMs: number;
    /** Polls within this many ms of this replica's last ORDS read of a job are answered from it; 0: never. */
    readonly freshMs: number;
    /** How often a waiting long-poll reads the store for another replica's change. */
    readonly changeCheckMs: number;
  };
  /** The /docs page: `note` is Markdown shown after the authentication section; null for none. */
  readonly docs: { readonly note: string | null };
}

/** Hands out the current configuration; a reload swaps the snapshot without touching the holders. */
export interface ConfigSource {
  current(): GatewayConfig;
}

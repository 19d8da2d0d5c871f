/**
 * @module Hot reload (SIGHUP): re-read and validate the config file, then swap the snapshot the app reads
 * per request. What a reload can change is decided field by field in RULES below:
 * - applied at once (next request): tenants (keys, databases, grants, limits), databases (added, removed,
 *   changed timeouts/auth/resilience/create_endpoint/ords_version/tls: a fresh ORDS client on next use; the next
 *   create is routed for the new release; TLS files are read again at every reload, so a renewed certificate or
 *   CA bundle applies to new connections, and an unreadable one rejects the reload), public_url, policy,
 *   idempotency, server.shutdown_grace_ms;
 * - needs a restart (detected, logged, the running value kept): everything read once at start-up by the
 *   server, createApp or the stores: listen, metrics, trust_proxy, cors, log_level, validate_responses,
 *   body_limit_bytes, the server timeouts, store, limits.redis, limits.key_prefix, jwt, reconcile, docs.note,
 *   and a database's url (that database keeps its whole running definition).
 * An invalid file changes nothing: every problem is logged and returned.
 */
import { isDeepStrictEqual } from 'node:util';

import type { Logger } from 'pino';

import { deepFreeze } from '../lib/deep-freeze.js';
import { ConfigError } from './config/errors.js';
import type { Env } from './config/interpolate.js';
import { loadConfig } from './config/load.js';
import type { SwappableConfigSource } from './config/source.js';
import type { DatabaseConfig, GatewayConfig, TenantConfig } from './config/types.js';

export interface ReloadOptions {
  /** The YAML file the gateway was started with. */
  readonly path: string;
  /** Usually `process.env` (secrets are references: they are interpolated again). */
  readonly env: Env;
  readonly source: SwappableConfigSource;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Defaults to reading the file as UTF-8. */
  readonly readFile?: (path: string) => string;
}

/**
 * What a reload did. Setting names are the YAML's (`tenants.hr-team`, `limits.redis`, `databases.orcl.url`),
 * never values: a changed URL may carry a password.
 */
export type ReloadResult =
  /** The snapshot was swapped: `changed` took effect for the next request; `needsRestart` did not. */
  | { readonly outcome: 'applied'; readonly changed: readonly string[]; readonly needsRestart: readonly string[] }
  /** Nothing that a reload can change has changed (`needsRestart` may still list changes it cannot make). */
  | { readonly outcome: 'unchanged'; readonly changed: readonly []; readonly needsRestart: readonly string[] }
  /** The file could not be read or is invalid: the running configuration is kept. */
  | { readonly outcome: 'rejected'; readonly problems: readonly string[] };

/** Synchronous (the file is read synchronously), so two SIGHUPs can never interleave. */
export function reloadConfig({ path, env, source, logger, readFile }: ReloadOptions): ReloadResult {
  let next: GatewayConfig;
  try {
    next = loadConfig({ path, env, ...(readFile ? { readFile } : {}) });
  } catch (error) {
    // A reload must never bring the gateway down: an unexpected error is one more reason to keep the old config.
    const problems =
      error instanceof ConfigError
        ? error.problems
        : [`${path}: ${error instanceof Error ? error.message : String(error)}`];
    logger.error(
      { path, problems },
      `configuration reload failed (${problems.length === 1 ? '1 problem' : `${problems.length} problems`}); the running configuration is kept`,
    );
    return { outcome: 'rejected', problems };
  }

  const merged = mergeConfig(source.current(), next);
  if (merged.needsRestart.length > 0) {
    logger.warn(
      { path, settings: merged.needsRestart },
      'configuration changes that need a restart were not applied; the running values are kept',
    );
  }
  if (merged.changed.length === 0) {
    logger.info({ path }, 'configuration reloaded: nothing to apply');
    return { outcome: 'unchanged', changed: [], needsRestart: merged.needsRestart };
  }
  source.swap(deepFreeze(merged.config));
  logger.info({ path, changed: merged.changed }, 'configuration reloaded');
  return { outcome: 'applied', changed: merged.changed, needsRestart: merged.needsRestart };
}

interface Merged<T> {
  readonly value: T;
  readonly changed: string[];
  readonly needsRestart: string[];
}

/** Decides, for one setting, what the running gateway takes from the file it has just read. */
type Rule<T> = (running: T, next: T) => Merged<T>;

/** Read per request: the new value applies at once. */
const live =
  <T>(name: string): Rule<T> =>
  (running, next) =>
    isDeepStrictEqual(running, next) ? same(running) : { value: next, changed: [name], needsRestart: [] };

/** Read once at start-up: a change is reported and the running value kept. */
const restartOnly =
  <T>(name: string): Rule<T> =>
  (running, next) =>
    isDeepStrictEqual(running, next) ? same(running) : { value: running, changed: [], needsRestart: [name] };

const same = <T>(value: T): Merged<T> => ({ value, changed: [], needsRestart: [] });

/** An object whose fields each have their own rule; the running object is kept when nothing was taken. */
function fields<T extends object>(rules: { readonly [K in keyof T]-?: Rule<T[K]> }): Rule<T> {
  return (running, next) => {
    const value = { ...running };
    const changed: string[] = [];
    const needsRestart: string[] = [];
    for (const key of Object.keys(rules) as Array<keyof T>) {
      const merged = rules[key](running[key], next[key]);
      value[key] = merged.value;
      changed.push(...merged.changed);
      needsRestart.push(...merged.needsRestart);
    }
    return { value: changed.length > 0 ? value : running, changed, needsRestart };
  };
}

/** A map of named entries (tenants, databases): added and removed entries apply; a kept one follows `entry`. */
function entries<T>(section: string, entry: (name: string) => Rule<T>): Rule<Readonly<Record<string, T>>> {
  return (running, next) => {
    const value: Record<string, T> = {};
    const changed: string[] = [];
    const needsRestart: string[] = [];
    for (const [name, nextEntry] of Object.entries(next)) {
      if (!Object.hasOwn(running, name)) {
        value[name] = nextEntry;
        changed.push(`${section}.${name} (added)`);
        continue;
      }
      const merged = entry(`${section}.${name}`)(running[name]!, nextEntry);
      value[name] = merged.value;
      changed.push(...merged.changed);
      needsRestart.push(...merged.needsRestart);
    }
    for (const name of Object.keys(running))
      if (!Object.hasOwn(next, name)) changed.push(`${section}.${name} (removed)`);
    return { value: changed.length > 0 ? value : running, changed, needsRestart };
  };
}

/**
 * A database keeps its running definition when its url changed (the ORDS behind it is a different one:
 * jobs recorded against the old one would be looked up on the new). Any other change applies: the
 * upstream registry makes a fresh client for a changed definition on its next use. An unchanged
 * definition keeps its object, so its client (connections, state) is kept too.
 */
const database =
  (name: string): Rule<DatabaseConfig> =>
  (running, next) => {
    if (running.url !== next.url) return { value: running, changed: [], needsRestart: [`${name}.url`] };
    return live<DatabaseConfig>(name)(running, next);
  };

/** Every setting of the config, classified; the mapped type makes a new setting a compile error until it is. */
const RULES = fields<GatewayConfig>({
  listen: restartOnly('listen'),
  publicUrl: live('public_url'),
  trustProxy: restartOnly('trust_proxy'),
  corsOrigins: restartOnly('cors.origins'),
  logLevel: restartOnly('log_level'),
  validateResponses: restartOnly('validate_responses'),
  bodyLimitBytes: restartOnly('body_limit_bytes'),
  server: fields({
    headersTimeoutMs: restartOnly('server.headers_timeout_ms'),
    requestTimeoutMs: restartOnly('server.request_timeout_ms'),
    keepAliveTimeoutMs: restartOnly('server.keep_alive_timeout_ms'),
    // Read when shutdown starts.
    shutdownGraceMs: live('server.shutdown_grace_ms'),
  }),
  metrics: fields({
    token: restartOnly('metrics.token'),
    listen: restartOnly('metrics.listen'),
    tenantLabel: restartOnly('metrics.tenant_label'),
  }),
  // Read per probe.
  readiness: fields({ ords: live('readiness.ords'), cacheMs: live('readiness.cache_ms') }),
  databases: entries('databases', database),
  tenants: entries('tenants', (name) => live<TenantConfig>(name)),
  store: fields({
    backend: restartOnly('store'),
    retentionMs: restartOnly('store.retention_days'),
    auditRetentionMs: restartOnly('store.audit_retention_days'),
    provenanceMs: restartOnly('store.provenance_days'),
    purgeIntervalMs: restartOnly('store.purge_interval_minutes'),
  }),
  limits: fields({ redisUrl: restartOnly('limits.redis'), keyPrefix: restartOnly('limits.key_prefix') }),
  jwt: restartOnly('jwt'),
  policy: fields({ maxListNames: live('policy.max_list_names') }),
  idempotency: fields({ ttlMs: live('idempotency.ttl_hours') }),
  reconcile: restartOnly('reconcile'),
  watch: restartOnly('watch'),
  // The /docs page is built once, at start-up.
  docs: fields({ note: restartOnly('docs.note') }),
});

/**
 * The configuration a reload installs: `next` where a reload can apply it, `running` where only a
 * restart can. Pure; `changed` is empty when there is nothing to swap.
 */
export function mergeConfig(
  running: GatewayConfig,
  next: GatewayConfig,
): { config: GatewayConfig; changed: string[]; needsRestart: string[] } {
  const merged = RULES(running, next);
  return { config: merged.value, changed: merged.changed, needsRestart: merged.needsRestart };
}

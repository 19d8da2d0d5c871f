/** @module Rules that span fields and that JSON Schema cannot say: references between sections, uniqueness across tenants. */
import { isKnownTimeZone } from '../../lib/zoned-time.js';
import { derivedApiKeyId } from './api-key.js';
import { prefixOverlaps } from './file-prefixes.js';
import type { Problem } from './messages.js';
import { ordsPathOf } from './ords-path.js';
import { formatPath, isRecord } from './paths.js';
import { closestName, sameButForCase } from './suggest.js';

/**
 * Runs on the validated-with-defaults tree, even when the schema found faults elsewhere, so that
 * one run reports everything; each rule therefore checks the shape it reads instead of trusting it.
 */
export function crossCheck(data: unknown): Problem[] {
  if (!isRecord(data)) return [];
  // Listed once for the rules that go through every tenant (10,000 of them, at start-up).
  const all = tenants(data);
  return [
    ...tenantDatabases(data, all),
    ...uniqueKeyHashes(all),
    ...apiKeyLifecycle(all),
    ...grantRules(all),
    ...serverTimeouts(data),
    ...metricsAddress(data),
    ...overlappingPrefixes(all),
    ...tenantLabel(data),
    ...timeZones(data),
    ...ordsPaths(data),
    ...tokenOrigins(data),
  ];
}

/**
 * The token request goes through the database's own connection pool (and its TLS settings), which reaches
 * only the ORDS origin: a token endpoint elsewhere would silently be asked of ORDS instead.
 */
function tokenOrigins(data: Record<string, unknown>): Problem[] {
  if (!isRecord(data.databases)) return [];
  return Object.entries(data.databases).flatMap(([name, db]) => {
    if (!isRecord(db) || typeof db.url !== 'string' || !isRecord(db.auth) || !isRecord(db.auth.oauth2)) return [];
    const tokenUrl = db.auth.oauth2.token_url;
    if (typeof tokenUrl !== 'string') return [];
    let same: boolean;
    try {
      same = new URL(tokenUrl).origin === new URL(db.url).origin;
    } catch {
      return []; // the schema reports a malformed URL
    }
    return same
      ? []
      : [
          {
            path: formatPath(['databases', name, 'auth', 'oauth2', 'token_url']),
            message: `must be on the database's ORDS origin (${new URL(db.url).origin}): ORDS issues its own tokens`,
          },
        ];
  });
}

/** Two databases under one ORDS-shaped alias: a script's request would reach whichever came first. */
function ordsPaths(data: Record<string, unknown>): Problem[] {
  if (!isRecord(data.databases)) return [];
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  for (const [name, db] of Object.entries(data.databases)) {
    if (!isRecord(db) || typeof db.url !== 'string') continue;
    const alias = ordsPathOf(db.url, typeof db.ords_path === 'string' ? db.ords_path : undefined);
    if (alias === null) continue;
    // Case-insensitively: ORDS's own matching of aliases is not documented either way.
    const key = alias.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, name);
    else
      problems.push({
        path: formatPath(['databases', name, 'ords_path']),
        message: `"${alias}" is already database ${first}'s ORDS path: set databases.${name}.ords_path to another database/schema`,
      });
  }
  return problems;
}

/** A zone Node does not know would turn every job time of the database into nothing, silently. */
function timeZones(data: Record<string, unknown>): Problem[] {
  if (!isRecord(data.databases)) return [];
  return Object.entries(data.databases).flatMap(([name, db]) => {
    const zone = isRecord(db) ? db.time_zone : undefined;
    return typeof zone === 'string' && !isKnownTimeZone(zone)
      ? [
          {
            path: formatPath(['databases', name, 'time_zone']),
            message: `"${zone}" is not a time zone this Node knows (IANA names such as UTC or Europe/Berlin)`,
          },
        ]
      : [];
  });
}

/**
 * A prefix that begins another tenant's (`HR` and `HR_ARCHIVE`) would let the first read and overwrite the
 * second's dump files in a shared directory: the prefix is the fence between them.
 */
function overlappingPrefixes(all: TenantEntries): Problem[] {
  const prefixes: Array<{ id: string; prefix: string }> = [];
  for (const [id, tenant] of all) {
    const prefix = isRecord(tenant.grants) ? tenant.grants.file_prefix : undefined;
    if (typeof prefix === 'string') prefixes.push({ id, prefix });
  }
  return prefixOverlaps(prefixes).map(({ tenant, other }) => ({
    path: formatPath(['tenants', tenant.id, 'grants', 'file_prefix']),
    message: `"${tenant.prefix}" begins with tenant ${other.id}'s file_prefix "${other.prefix}": ${other.id} could read and overwrite this tenant's dump files`,
  }));
}

/** Tenant ids in /metrics are for operators only: a label needs the token or the separate listener. */
function tenantLabel(data: Record<string, unknown>): Problem[] {
  const metrics = data.metrics;
  if (!isRecord(metrics) || metrics.tenant_label !== true) return [];
  if (metrics.token !== undefined || metrics.listen !== undefined) return [];
  return [
    {
      path: 'metrics.tenant_label',
      message:
        'needs metrics.token or metrics.listen: otherwise anyone who can reach /metrics sees every tenant and its traffic',
    },
  ];
}

type TenantEntries = ReadonlyArray<readonly [string, Record<string, unknown>]>;

function tenants(data: Record<string, unknown>): TenantEntries {
  return isRecord(data.tenants)
    ? Object.entries(data.tenants).filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]))
    : [];
}

function tenantDatabases(data: Record<string, unknown>, all: TenantEntries): Problem[] {
  if (!isRecord(data.databases)) return [];
  const configured = Object.keys(data.databases);
  const problems: Problem[] = [];
  for (const [id, tenant] of all) {
    if (!Array.isArray(tenant.databases)) continue;
    tenant.databases.forEach((name: unknown, index) => {
      if (typeof name !== 'string' || configured.includes(name)) return;
      // Names are case-sensitive (they appear in URLs); a near miss is most likely a typo. The config's author
      // knows every database, so naming the nearest one here tells nobody anything new.
      const otherCase = sameButForCase(name, configured);
      const typo = otherCase === undefined ? closestName(name, configured) : undefined;
      const hint =
        otherCase !== undefined
          ? ` (database names are case-sensitive: did you mean "${otherCase}"?)`
          : typo !== undefined
            ? ` (did you mean "${typo}"?)`
            : '';
      problems.push({
        path: formatPath(['tenants', id, 'databases', index]),
        message: `database "${name}" is not configured${hint}`,
      });
    });
  }
  return problems;
}

/** A presented key must resolve to exactly one tenant, or authentication would be ambiguous. */
function uniqueKeyHashes(all: TenantEntries): Problem[] {
  // Where each hash was first seen; its path is spelled out only for a message.
  const firstSeen = new Map<string, { id: string; index: number }>();
  const pathOf = (at: { id: string; index: number }) => formatPath(['tenants', at.id, 'api_keys', at.index, 'sha256']);
  const problems: Problem[] = [];
  for (const [id, tenant] of all) {
    if (!Array.isArray(tenant.api_keys)) continue;
    tenant.api_keys.forEach((key: unknown, index) => {
      if (!isRecord(key) || typeof key.sha256 !== 'string') return;
      const earlier = firstSeen.get(key.sha256);
      if (earlier === undefined) firstSeen.set(key.sha256, { id, index });
      else
        problems.push({
          path: pathOf({ id, index }),
          message: `is the same key as ${pathOf(earlier)} (a key must identify one tenant)`,
        });
    });
  }
  return problems;
}

/**
 * A key's id names it in logs and /metrics, so two keys of one tenant must not share one, written or derived
 * (`key-<8 hex>`); and an `expires_at` the schema accepts must also be a moment the gateway can compare with
 * its clock (a leap second, `23:59:60`, is valid RFC 3339 that JavaScript cannot read).
 */
function apiKeyLifecycle(all: TenantEntries): Problem[] {
  const problems: Problem[] = [];
  for (const [tenantId, tenant] of all) {
    if (!Array.isArray(tenant.api_keys)) continue;
    const firstSeen = new Map<string, { index: number; sha256: unknown }>();
    tenant.api_keys.forEach((key: unknown, index) => {
      if (!isRecord(key)) return;
      const { id, sha256, expires_at: expiresAt } = key;
      if (typeof expiresAt === 'string' && Number.isNaN(Date.parse(expiresAt))) {
        problems.push({
          path: formatPath(['tenants', tenantId, 'api_keys', index, 'expires_at']),
          message: 'must be a date-time the gateway can read (a leap second, :60, is not)',
        });
      }
      const written = typeof id === 'string';
      const name = written ? id : typeof sha256 === 'string' ? derivedApiKeyId(sha256) : undefined;
      if (name === undefined) return;
      const earlier = firstSeen.get(name);
      if (earlier === undefined) {
        firstSeen.set(name, { index, sha256 });
        return;
      }
      // The same key twice is said once, by uniqueKeyHashes; its derived id is the same only because of that.
      if (!written && earlier.sha256 === sha256) return;
      problems.push({
        path: formatPath(['tenants', tenantId, 'api_keys', index, written ? 'id' : 'sha256']),
        message: `${written ? '' : 'has no id, and its derived one '}"${name}" is already api_keys[${earlier.index}]'s id (ids must be unique within a tenant)`,
      });
    });
  }
  return problems;
}

function grantRules(all: TenantEntries): Problem[] {
  const problems: Problem[] = [];
  for (const [id, tenant] of all) {
    const grants = tenant.grants;
    if (!isRecord(grants)) continue;
    for (const list of ['schemas', 'tablespaces', 'remap_targets'] as const) {
      const names = grants[list];
      if (Array.isArray(names) && names.includes('*') && names.length > 1) {
        problems.push({
          path: formatPath(['tenants', id, 'grants', list]),
          message: '"*" (any name) must be the only entry',
        });
      }
    }
    // A FULL job exports or imports every schema: granting it beside a schema list would void the list.
    const schemas = grants.schemas;
    const wildcard = Array.isArray(schemas) && schemas.length === 1 && schemas[0] === '*';
    if (Array.isArray(grants.job_modes) && grants.job_modes.includes('FULL') && !wildcard) {
      problems.push({
        path: formatPath(['tenants', id, 'grants', 'job_modes']),
        message: 'FULL needs schemas ["*"] (a FULL job covers every schema)',
      });
    }
    // A TABLESPACE job takes every object stored in the tablespaces, whoever owns it: the same reasoning.
    if (Array.isArray(grants.job_modes) && grants.job_modes.includes('TABLESPACE') && !wildcard) {
      problems.push({
        path: formatPath(['tenants', id, 'grants', 'job_modes']),
        message: 'TABLESPACE needs schemas ["*"] (a TABLESPACE job covers every owner\'s objects in it)',
      });
    }
  }
  return problems;
}

/** Node refuses to start a server whose headers timeout exceeds its request timeout. */
function serverTimeouts(data: Record<string, unknown>): Problem[] {
  const server = data.server;
  if (!isRecord(server)) return [];
  const { headers_timeout_ms: headers, request_timeout_ms: request } = server;
  if (typeof headers !== 'number' || typeof request !== 'number' || headers <= request) return [];
  return [{ path: 'server.headers_timeout_ms', message: `must be <= server.request_timeout_ms (${request})` }];
}

function metricsAddress(data: Record<string, unknown>): Problem[] {
  const main = data.listen;
  const metrics = isRecord(data.metrics) ? data.metrics.listen : undefined;
  if (!isRecord(main) || !isRecord(metrics)) return [];
  if (main.host !== metrics.host || main.port !== metrics.port || main.port === 0) return [];
  return [
    { path: 'metrics.listen', message: `must differ from listen (both ${String(main.host)}:${String(main.port)})` },
  ];
}

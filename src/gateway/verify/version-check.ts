/** @module Check 7, ords-version: the release the instance tells (header or openapi.json), against `ords_version`. */
import { type Answer, isRefused, jsonBody } from './answer.js';
import { type CheckResult, type Evidence, notChecked, result } from './check-result.js';
import { type Observations, whyNotRead } from './observe.js';

// Read from an `X-ORDS-Version` header, or openapi.json's `info.version` when that reads as a release number.

const NAME = 'ords-version';
/** An ORDS release number (`25.4`, `25.4.0.r3461619`, `19.4.6`), not an API version such as `1.0`. */
const RELEASE = /^\d{2}\.\d+(?:[.\w-]*)$/;

/** Where the version was read, and what it said. */
export interface SeenVersion {
  readonly version: string;
  readonly from: Evidence;
}

/** The first version any answer tells: a header on any read, else the openapi document's `info.version`. */
function seenVersion(obs: Observations): SeenVersion | undefined {
  const answers = [
    obs.catalog,
    obs.openapi,
    obs.list?.limit1,
    obs.list?.sample,
    obs.job?.answer,
    obs.log?.answer,
  ].filter((a): a is Answer => a !== undefined);
  for (const answer of answers) {
    const header = answer.headers['x-ords-version']?.trim();
    if (header)
      return {
        version: header,
        from: { request: answer.request, status: answer.status ?? null, seen: `X-ORDS-Version: ${header}` },
      };
  }
  if (obs.openapi?.status === 200) {
    const body = jsonBody(obs.openapi);
    const info = body.ok ? (body.value as { info?: { version?: unknown } } | null)?.info : undefined;
    const version = typeof info?.version === 'string' ? info.version.trim() : undefined;
    if (version && RELEASE.test(version)) {
      return { version, from: { request: obs.openapi.request, status: 200, seen: `info.version ${version}` } };
    }
  }
  return undefined;
}

/**
 * Whether two releases agree as far as the shorter says: `25.4` and `25.4.0.r3461619` do, `25.4` and `25.3` not.
 * Compared by their dot-separated parts, numbers as numbers.
 */
export function sameRelease(configured: string, seen: string): boolean {
  const a = configured.trim().split('.');
  const b = seen.trim().split('.');
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const [x, y] = [a[i]!, b[i]!];
    const same = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) === Number(y) : x.toLowerCase() === y.toLowerCase();
    if (!same) return false;
  }
  return n > 0;
}

/**
 * PASS when the version was read and matches the configured one (or none is configured); WARN when they differ, or
 * when the instance does not tell its version (whatever is configured then is unconfirmed).
 */
export function checkVersion(obs: Observations, configured: string | undefined, databaseName: string): CheckResult {
  const key = `databases.${databaseName}.ords_version`;
  if (!obs.catalog || isRefused(obs.catalog)) return notChecked(NAME, whyNotRead(obs));
  const seen = seenVersion(obs);
  if (!seen) {
    const note = configured ? `; ${key} says ${configured}, unconfirmed` : '';
    return result(
      NAME,
      'WARN',
      `cannot tell: no X-ORDS-Version header, no release in openapi.json's info.version${note}`,
    );
  }
  const from = `${seen.from.seen} (${seen.from.request})`;
  if (!configured) return result(NAME, 'PASS', `ORDS ${seen.version}: ${from}; ${key} not set`, [seen.from]);
  if (sameRelease(configured, seen.version)) {
    return result(NAME, 'PASS', `ORDS ${seen.version}: ${from}; matches ${key} ${configured}`, [seen.from]);
  }
  return result(NAME, 'WARN', `ORDS ${seen.version}: ${from}; but ${key} says ${configured}`, [seen.from]);
}

// The query of `GET jobs/`: ORDS's reserved `limit` and `offset` (checked as numbers) and a simple `q` filter.
import type { OrdsJob } from './job-view.js';
import type { PagingParam } from './options.js';

export interface ListQuery {
  limit: number;
  offset: number;
  filter: (job: OrdsJob) => boolean;
}

export type ListQueryResult = { ok: true; query: ListQuery } | { ok: false; message: string };

function nonNegative(raw: string | null, name: string, fallback: number): number | string {
  if (raw === null) return fallback;
  // ORDS validates limit/offset itself: a non-numeric value is a 400, not "use the default".
  if (!/^\d{1,9}$/.test(raw))
    return `The value of the '${name}' query parameter must be a non-negative integer: ${raw}`;
  return Number(raw);
}

type Predicate = (value: unknown) => boolean;

/** `q` as a subset of ORDS's filter language: `{"field": value}` and `{"field": {"$eq"|"$ne"|"$like"|"$in": …}}`. */
function compileFilter(raw: string | null): ((job: OrdsJob) => boolean) | string {
  if (raw === null || raw === '') return () => true;
  let q: unknown;
  try {
    q = JSON.parse(raw);
  } catch {
    return "The 'q' query parameter is not valid JSON";
  }
  if (typeof q !== 'object' || q === null || Array.isArray(q)) return "The 'q' query parameter must be a JSON object";
  const checks: Array<[string, Predicate]> = [];
  for (const [field, cond] of Object.entries(q)) {
    const predicate = compileCondition(cond);
    if (!predicate) return `Unsupported filter on '${field}' in the 'q' query parameter`;
    checks.push([field, predicate]);
  }
  return (job) => checks.every(([field, predicate]) => predicate((job as Record<string, unknown>)[field]));
}

function compileCondition(cond: unknown): Predicate | null {
  if (typeof cond !== 'object' || cond === null) return (v) => v === cond;
  const entries = Object.entries(cond);
  if (entries.length !== 1) return null;
  const [op, arg] = entries[0]!;
  if (op === '$eq') return (v) => v === arg;
  if (op === '$ne') return (v) => v !== arg;
  if (op === '$in' && Array.isArray(arg)) return (v) => arg.includes(v);
  if (op === '$like' && typeof arg === 'string') {
    const pattern = arg
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.');
    const re = new RegExp(`^${pattern}$`, 's');
    return (v) => typeof v === 'string' && re.test(v);
  }
  return null;
}

/**
 * `ignored` (the `ignorePaging` option) plays an ORDS that does not honour `limit` or `offset`: such a parameter is
 * simply not read, as if it were absent, so a non-numeric value of it is no 400 either (a server that ignores a
 * parameter does not check it). The page is then `defaultLimit` long, or starts at the first job.
 */
export function parseListQuery(
  params: URLSearchParams,
  defaultLimit: number,
  maxLimit: number,
  ignored: readonly PagingParam[] = [],
): ListQueryResult {
  const read = (name: PagingParam) => (ignored.includes(name) ? null : params.get(name));
  const limit = nonNegative(read('limit'), 'limit', defaultLimit);
  if (typeof limit === 'string') return { ok: false, message: limit };
  const offset = nonNegative(read('offset'), 'offset', 0);
  if (typeof offset === 'string') return { ok: false, message: offset };
  const filter = compileFilter(params.get('q'));
  if (typeof filter === 'string') return { ok: false, message: filter };
  // The applied page size is capped, as ORDS caps it (`misc.pagination.maxRows`); the answer says what was applied.
  return { ok: true, query: { limit: Math.min(limit, maxLimit), offset, filter } };
}

// ORDS behind an undici MockAgent, for in-process gateway tests: canned answers, and every request it received.
import { MockAgent, type MockPool } from 'undici';

export const ORDS_ORIGIN = 'http://127.0.0.1:8181';
export const ORDS_API = '/ords/orcl/pdbadmin/_/db-api/stable/';
export const ORDS_JOBS = `${ORDS_API}database/datapump/jobs/`;

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export function ordsJob(overrides: Record<string, unknown> = {}, origin = ORDS_ORIGIN) {
  const job = String(overrides.job_name ?? 'DATAPUMP_REST_EXPORT_20190906155736');
  const owner = String(overrides.owner_name ?? 'PDBADMIN');
  const base = `${origin}${ORDS_JOBS}`;
  return {
    job_name: job,
    owner_name: owner,
    operation: 'EXPORT',
    job_mode: 'SCHEMA',
    state: 'EXECUTING',
    degree: 1,
    attached_sessions: 0,
    datapump_sessions: 2,
    job_state: 'EXECUTING',
    links: [
      { rel: 'collection', href: base },
      { rel: 'describedby', href: `${origin}${ORDS_API}metadata-catalog/` },
      { rel: 'related', href: `${base}${owner},${job}/EXPDAT-2019-09-06-15_57_36.LOG` },
      { rel: 'self', href: `${base}${owner},${job}/` },
    ],
    ...overrides,
  };
}

export function mockOrds() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool: MockPool = agent.get(ORDS_ORIGIN);
  const received: Received[] = [];

  function headersOf(raw: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(raw))
      for (let i = 0; i < raw.length; i += 2) out[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
    else for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) out[k.toLowerCase()] = String(v);
    return out;
  }

  /** Answers `times` requests to method+path with status, JSON body and headers, recording each request. */
  function answer(
    method: string,
    path: string | RegExp,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    times = 1,
  ) {
    pool
      .intercept({ method, path: (p: string) => (typeof path === 'string' ? p === path : path.test(p)) })
      .reply((opts) => {
        received.push({
          method: opts.method,
          path: opts.path,
          headers: headersOf(opts.headers),
          body: typeof opts.body === 'string' ? JSON.parse(opts.body) : undefined,
        });
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        return {
          statusCode: status,
          data: text,
          responseOptions: { headers: { 'content-type': 'application/json', ...headers } },
        };
      })
      .times(times);
  }

  /** Answers every create with a new job (DATAPUMP_REST_EXPORT_…_1, _2, …) in `state`. */
  function answerCreates(state = 'EXECUTING') {
    let n = 0;
    pool
      .intercept({ method: 'POST', path: ORDS_JOBS })
      .reply((opts) => {
        received.push({
          method: opts.method,
          path: opts.path,
          headers: headersOf(opts.headers),
          body: typeof opts.body === 'string' ? JSON.parse(opts.body) : undefined,
        });
        n += 1;
        const job = ordsJob({ job_name: `DATAPUMP_REST_EXPORT_20260101000000_${n}`, state });
        return {
          statusCode: 201,
          data: JSON.stringify(job),
          responseOptions: { headers: { 'content-type': 'application/json', etag: `"${n}"` } },
        };
      })
      .persist();
  }

  return { agent, pool, received, answer, answerCreates };
}

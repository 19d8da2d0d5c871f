// Maps a request path onto ORDS's URL shape (`/ords/{db}/{schema}/_/db-api/{version}/…`) without a framework.
import type { FaultRoute } from './fault-spec.js';

export type Resource = 'jobs' | 'export' | 'import' | 'job' | 'file' | 'metadata' | 'openapi' | 'token';

export interface OrdsRoute {
  resource: Resource;
  /** `stable` or `latest` (absent for the token endpoint). */
  version: string;
  owner: string;
  jobName: string;
  file: string;
}

const ALLOW: Record<Resource, readonly string[]> = {
  jobs: ['GET', 'POST'],
  export: ['POST'],
  import: ['POST'],
  job: ['GET'],
  file: ['GET'],
  metadata: ['GET'],
  openapi: ['GET'],
  token: ['POST'],
};

export function allowedMethods(resource: Resource): readonly string[] {
  return ALLOW[resource];
}

/** The fault route a request falls under (`POST jobs/` creates; `GET jobs/` lists). */
export function faultRouteOf(resource: Resource, method: string): FaultRoute {
  if (resource === 'jobs') return method === 'POST' ? 'create' : 'list';
  if (resource === 'export' || resource === 'import') return 'create';
  if (resource === 'openapi') return 'metadata';
  return resource;
}

const VERSIONS = new Set(['stable', 'latest']);

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The ORDS route for `path` (no query), or null when ORDS would answer 404. */
export function matchOrdsRoute(path: string, database: string, schema: string): OrdsRoute | null {
  const s = path.split('/');
  // ['', 'ords', db, schema, …]
  if (s[1] !== 'ords' || s[2] !== database || s[3] !== schema) return null;
  const route = (resource: Resource, version = '', owner = '', jobName = '', file = ''): OrdsRoute => ({
    resource,
    version,
    owner,
    jobName,
    file,
  });
  if (s.length === 6 && s[4] === 'oauth' && s[5] === 'token') return route('token');
  if (s[4] !== '_' || s[5] !== 'db-api' || !VERSIONS.has(s[6] ?? '')) return null;
  const version = s[6]!;
  const rest = s.slice(7);
  if (rest.length === 2 && rest[0] === 'metadata-catalog' && rest[1] === '') return route('metadata', version);
  if (rest.length === 2 && rest[0] === 'metadata-catalog' && rest[1] === 'openapi.json')
    return route('openapi', version);
  if (rest[0] !== 'database' || rest[1] !== 'datapump') return null;
  if (rest.length === 3 && (rest[2] === 'export' || rest[2] === 'import')) return route(rest[2], version);
  if (rest[2] !== 'jobs') return null;
  if (rest.length === 4 && rest[3] === '') return route('jobs', version);
  if (rest.length !== 5) return null;
  // One segment holds two values: `OWNER,JOB_NAME` (the comma may arrive percent-encoded).
  const id = decode(rest[3]!);
  const comma = id?.indexOf(',') ?? -1;
  if (!id || comma <= 0 || comma === id.length - 1) return null;
  const owner = id.slice(0, comma);
  const jobName = id.slice(comma + 1);
  if (rest[4] === '') return route('job', version, owner, jobName);
  const file = decode(rest[4]!);
  return file ? route('file', version, owner, jobName, file) : null;
}

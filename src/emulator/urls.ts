// Builds the emulator's own absolute ORDS URLs (Location, Content-Location and links).

export interface ApiBase {
  /** `http://host:port`, no trailing slash. */
  origin: string;
  database: string;
  schema: string;
  version: string;
}

export interface ApiUrls {
  root: string;
  jobs: string;
  metadata: string;
  job(owner: string, name: string): string;
  file(owner: string, name: string, file: string): string;
}

export function apiUrls(base: ApiBase): ApiUrls {
  const root = `${base.origin}/ords/${base.database}/${base.schema}/_/db-api/${base.version}/`;
  const jobs = `${root}database/datapump/jobs/`;
  // The comma stays literal: ORDS puts owner and job name in one segment, `OWNER,JOB_NAME`.
  const job = (owner: string, name: string) => `${jobs}${encodeURIComponent(owner)},${encodeURIComponent(name)}/`;
  return {
    root,
    jobs,
    metadata: `${root}metadata-catalog/`,
    job,
    file: (owner, name, file) => `${job(owner, name)}${encodeURIComponent(file)}`,
  };
}

const SAFE_HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/** The origin links use: the configured public URL, else the request's Host (as ORDS does), else the bound address. */
export function originFor(
  publicUrl: string | null,
  hostHeader: string | undefined,
  fallback: string,
  scheme: 'http' | 'https' = 'http',
): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  // A Host header that is not a plain host[:port] is ignored rather than echoed into links.
  if (hostHeader && SAFE_HOST.test(hostHeader)) return `${scheme}://${hostHeader}`;
  return fallback;
}

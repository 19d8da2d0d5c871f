/** @module ORDS URL paths for one configured database, and the reverse: recognising ORDS job URLs in links. */
import type { DatabaseConfig } from '../config/types.js';

export interface OrdsPaths {
  readonly origin: string;
  readonly jobs: string;
  job(owner: string, job: string): string;
  file(owner: string, job: string, filename: string): string;
  /** The create call for `operation` on `endpoint` (default: the configured `createEndpoint`). */
  create(operation: 'EXPORT' | 'IMPORT', endpoint?: 'jobs' | 'rpc'): string;
  readonly metadataCatalog: string;
}

/**
 * One path segment, percent-encoded: a name with spaces (expdp allows them) reaches ORDS as `SYS%20EXPORT%20SCHEMA%2001`
 * (ORDS's `{owner_name},{job_name}` template is filled with the names encoded, the comma between them literal).
 */
const seg = (s: string) => encodeURIComponent(s);

export function ordsPaths(db: DatabaseConfig): OrdsPaths {
  const url = new URL(db.url);
  const api = `${url.pathname}_/db-api/${db.apiVersion}/`;
  const jobs = `${api}database/datapump/jobs/`;
  return {
    origin: url.origin,
    jobs,
    job: (owner, job) => `${jobs}${seg(owner)},${seg(job)}/`,
    file: (owner, job, filename) => `${jobs}${seg(owner)},${seg(job)}/${seg(filename)}`,
    create: (operation, endpoint = db.createEndpoint) =>
      endpoint === 'rpc' ? `${api}database/datapump/${operation === 'EXPORT' ? 'export' : 'import'}` : jobs,
    metadataCatalog: `${api}metadata-catalog/`,
  };
}

export type OrdsJobRef =
  | { kind: 'collection' }
  | { kind: 'job'; owner: string; job: string }
  | { kind: 'file'; owner: string; job: string; filename: string };

const FILE = /^[A-Za-z0-9][A-Za-z0-9_.$#-]{0,254}$/;
// Matched on the path only: ORDS may report another scheme, host or port than the one configured.
const JOBS_PATH = /\/_\/db-api\/[^/]+\/database\/datapump\/jobs\/(.*)$/;

/**
 * Recognises an ORDS Data Pump URL (absolute or not); anything else is `undefined` and gets dropped. Owner and job
 * are as ORDS wrote them (percent-decoded; any non-empty names, spaces included, but one comma between them): callers
 * only compare them with the names of a job they already hold, never build a URL of them. A file name must fit the
 * public contract's `JobFileName`, as it is handed on in the gateway's own links.
 */
export function parseOrdsJobUrl(href: string): OrdsJobRef | undefined {
  let pathname: string;
  try {
    pathname = new URL(href, 'http://ords.invalid').pathname;
  } catch {
    return undefined;
  }
  const rest = JOBS_PATH.exec(pathname)?.[1];
  if (rest === undefined) return undefined;
  if (rest === '') return { kind: 'collection' };
  const [id, filename, extra] = rest.split('/');
  if (extra !== undefined && extra !== '') return undefined;
  const parts = safeDecode(id ?? '')?.split(',');
  if (!parts || parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  const [owner, job] = parts as [string, string];
  if (filename === undefined || filename === '') return filename === '' ? { kind: 'job', owner, job } : undefined;
  const file = safeDecode(filename);
  return file && FILE.test(file) ? { kind: 'file', owner, job, filename: file } : undefined;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

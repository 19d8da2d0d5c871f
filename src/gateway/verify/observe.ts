/** @module The reads `verify-upstream` makes, in order, and what they got: the checks are pure functions of these. */
import type { DatabaseConfig } from '../config/types.js';
import type { OrdsContract, OrdsJob } from '../upstream/ords-contract.js';
import { ordsPaths, parseOrdsJobUrl } from '../upstream/ords-paths.js';
import { type Answer, isRefused, jsonBody } from './answer.js';
import { chooseJob, jobFiles } from './job-files.js';
import { readPage } from './list-page.js';
import type { AuthAttempt, UpstreamReader } from './reader.js';

// Only GETs (and the OAuth2 token POST); a log is read to its first 4 KiB, a dump never.

/** The first bytes of a log: enough for its head (the start date), never the whole file. */
export const LOG_HEAD_BYTES = 4096;
/** A wider page of the list, to choose a job from and read the time zone off its names. */
const SAMPLE_LIMIT = 100;
/** An instance's openapi.json describes every db-api service: far larger than a Data Pump answer. */
const OPENAPI_MAX_BYTES = 32 * 1024 * 1024;

export interface Observations {
  readonly auth: AuthAttempt;
  readonly catalog?: Answer;
  readonly openapi?: Answer;
  readonly list?: {
    readonly limit1: Answer;
    readonly limit2?: Answer;
    readonly offset1?: Answer;
    /** The first page's `next` link, and the answer to its query on the configured job list. */
    readonly next?: { readonly href: string; readonly answer?: Answer };
    readonly sample?: Answer;
  };
  /** The job chosen from the list, and its own GET. */
  readonly job?: { readonly row: OrdsJob; readonly answer: Answer };
  /** The first bytes of that job's log. */
  readonly log?: { readonly filename: string; readonly answer: Answer };
}

/** The rows of a list answer the gateway can represent, in order (for choosing a job; the checks judge the rest). */
export function validRows(answer: Answer | undefined, contract: OrdsContract): OrdsJob[] {
  const read = readPage(answer, contract);
  return read.ok ? read.page.rows.filter((row): row is OrdsJob => row !== undefined) : [];
}

/**
 * Reads what the checks judge. A refused credential stops the reads (every later one would be refused too), and so
 * does a job list that does not answer 200 (the later reads page it or pick a job from it).
 */
export async function observe(
  database: DatabaseConfig,
  reader: UpstreamReader,
  contract: OrdsContract,
): Promise<Observations> {
  const paths = ordsPaths(database);
  const json = (path: string, query?: Record<string, string>) =>
    reader.get(path, { maxBytes: database.maxResponseBytes, ...(query ? { query } : {}) });

  const auth = await reader.authenticate();
  if (auth.kind === 'oauth2' && !auth.ok) return { auth };
  const catalog = await json(paths.metadataCatalog);
  if (isRefused(catalog)) return { auth, catalog };
  const openapi = await reader.get(`${paths.metadataCatalog}openapi.json`, { maxBytes: OPENAPI_MAX_BYTES });

  const limit1 = await json(paths.jobs, { limit: '1' });
  if (limit1.status !== 200) return { auth, catalog, openapi, list: { limit1 } };
  const limit2 = await json(paths.jobs, { limit: '2' });
  const offset1 = await json(paths.jobs, { limit: '1', offset: '1' });
  const first = readPage(limit1, contract);
  const href = first.ok ? first.page.links.find((link) => link.rel === 'next')?.href : undefined;
  let next: { href: string; answer?: Answer } | undefined;
  if (href !== undefined) {
    // As the gateway pages: only the link's query, sent to the configured list (never ORDS's host or path).
    const leadsToList = parseOrdsJobUrl(href)?.kind === 'collection';
    const query = leadsToList ? Object.fromEntries(new URL(href, 'http://ords.invalid').searchParams) : undefined;
    next = query ? { href, answer: await json(paths.jobs, query) } : { href };
  }
  const sample = await json(paths.jobs, { limit: String(SAMPLE_LIMIT) });
  const list = { limit1, limit2, offset1, ...(next ? { next } : {}), sample };

  const rows = [sample, limit1, limit2].flatMap((answer) => validRows(answer, contract));
  const row = chooseJob(rows);
  if (!row) return { auth, catalog, openapi, list };
  const answer = await json(paths.job(row.owner_name, row.job_name));
  const job = { row, answer };
  const body = answer.status === 200 ? jsonBody(answer) : undefined;
  const checked = body?.ok ? contract.job(body.value) : undefined;
  const logFile = checked?.ok ? jobFiles(checked.value).log : undefined;
  if (!logFile) return { auth, catalog, openapi, list, job };
  const log = {
    filename: logFile.filename,
    answer: await reader.get(paths.file(row.owner_name, row.job_name, logFile.filename), {
      maxBytes: LOG_HEAD_BYTES,
      accept: '*/*',
    }),
  };
  return { auth, catalog, openapi, list, job, log };
}

/** Why a later read was not made: the earlier read that stopped the sequence (for the checks' "not checked"). */
export function whyNotRead(obs: Observations): string {
  if (obs.auth.kind === 'oauth2' && !obs.auth.ok) return 'no OAuth2 token';
  if (isRefused(obs.catalog) || isRefused(obs.list?.limit1)) return 'ORDS refused the credentials';
  if (obs.list && obs.list.limit1.status !== 200) return 'the job list did not answer 200';
  if (obs.list && !obs.job) return 'the job list shows no job the gateway can read';
  return 'an earlier read failed';
}

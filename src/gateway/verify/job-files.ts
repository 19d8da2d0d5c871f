/** @module Which job `verify-upstream` reads, and which of its links are its log and its dump files. */
import type { OrdsJob } from '../upstream/ords-contract.js';
import { parseOrdsJobUrl } from '../upstream/ords-paths.js';

/** ORDS's own job names carry the database's clock: `DATAPUMP_REST_EXPORT_20190906155736`, maybe `_2`. */
export const ORDS_JOB_NAME = /^DATAPUMP_REST_(?:EXPORT|IMPORT)_(\d{14})(?:_\d+)?$/;

/** States in which a job's processes run: its name's time is its start, and that start is recent or not long ago. */
export const isRunningState = (state: string | undefined) =>
  ['EXECUTING', 'DEFINING', 'COMPLETING'].includes(state?.trim().toUpperCase() ?? '');

/**
 * The job whose answer tells the most: an EXPORT (only exports are documented to link their files), named by ORDS
 * (the time zone is read from the name), finished (its dump is listed then), and the newest of those.
 */
export function chooseJob(rows: readonly OrdsJob[]): OrdsJob | undefined {
  const score = (job: OrdsJob): [number, number, number, string] => {
    const stamp = ORDS_JOB_NAME.exec(job.job_name)?.[1];
    return [
      job.operation === 'EXPORT' ? 1 : 0,
      stamp ? 1 : 0,
      ['COMPLETED', 'NOT RUNNING'].includes(job.state) ? 1 : 0,
      stamp ?? '',
    ];
  };
  let best: OrdsJob | undefined;
  let bestScore: [number, number, number, string] | undefined;
  for (const row of rows) {
    const s = score(row);
    if (!bestScore || compare(s, bestScore) > 0) [best, bestScore] = [row, s];
  }
  return best;
}

function compare(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

/** One of the job's files as its links list it, with the media type the link declares, if any. */
export interface JobFile {
  readonly filename: string;
  readonly declaredType: string | undefined;
}

/** The job's links into its own files: the log (a declared `text/plain`, else the `.log` name, as the gateway reads it) and the rest. */
export function jobFiles(job: Pick<OrdsJob, 'links' | 'owner_name' | 'job_name'>): {
  log: JobFile | undefined;
  dumps: JobFile[];
} {
  const files: JobFile[] = [];
  for (const link of job.links ?? []) {
    const ref = parseOrdsJobUrl(link.href);
    if (ref?.kind !== 'file' || ref.owner !== job.owner_name || ref.job !== job.job_name) continue;
    files.push({ filename: ref.filename, declaredType: link.mediaType?.split(';')[0]?.trim().toLowerCase() });
  }
  const log =
    files.find((f) => f.declaredType === 'text/plain') ??
    files.find((f) => f.declaredType === undefined && /\.log$/i.test(f.filename));
  return { log, dumps: files.filter((f) => f !== log) };
}

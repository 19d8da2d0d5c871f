/** @module Pure helpers: job references, a job's files, terminal states, filter expressions. */
import { type Job, type JobLink, type JobRef, TERMINAL_STATES, type TerminalState } from './types.js';

/** `{ owner, name }` for any way of naming a job; `"OWNER,JOB"` must have exactly one comma. */
export function parseJobRef(ref: JobRef): { owner: string; name: string } {
  if (typeof ref === 'string') {
    const parts = ref.split(',');
    const [owner, name] = parts;
    if (parts.length !== 2 || !owner || !name)
      throw new TypeError(`not a job reference: "${ref}" (expected OWNER,JOB_NAME)`);
    return { owner: owner.trim(), name: name.trim() };
  }
  if ('owner_name' in ref) return { owner: ref.owner_name, name: ref.job_name };
  return { owner: ref.owner, name: ref.name };
}

/** `"OWNER,JOB"`, the form the API's paths and this package's CLI use. */
export function formatJobRef(ref: JobRef): string {
  const { owner, name } = parseJobRef(ref);
  return `${owner},${name}`;
}

export function isTerminal(state: string): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

/** The job's log: the `related` link whose `mediaType` is `text/plain`. */
export function logLink(job: Pick<Job, 'links'>): JobLink | undefined {
  return job.links.find((l) => l.rel === 'related' && l.mediaType === 'text/plain');
}

/** The job's dump files: the other `related` links. */
export function dumpLinks(job: Pick<Job, 'links'>): JobLink[] {
  return job.links.filter((l) => l.rel === 'related' && l.mediaType !== 'text/plain');
}

/** The file name a file link points to (its last path segment). */
export function fileNameOf(link: Pick<JobLink, 'href'>): string {
  const path = new URL(link.href, 'http://x/').pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/** A string as an SQL literal: `'O''BRIEN'`. */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `IN ('HR','SALES')`: the filter expression that selects exactly these names. */
export function inList(names: readonly string[]): string {
  if (names.length === 0) throw new TypeError('an IN list needs at least one name');
  return `IN (${names.map(sqlLiteral).join(',')})`;
}

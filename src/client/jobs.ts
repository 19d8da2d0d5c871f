/** @module Pure helpers: job references, a job's files, terminal states and outcomes, filter expressions. */
import {
  type Job,
  type JobLink,
  type JobOutcome,
  type JobRef,
  SUCCESSFUL_RESULTS,
  TERMINAL_STATES,
  type TerminalState,
} from './types.js';

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

/**
 * Whether a Data Pump state is one a job never leaves. It does not say how the job ended (a kept successful
 * job reads `NOT RUNNING`), and the gateway may show a terminal state before it knows the outcome: to decide
 * "done", use `isFinished(job)`; to decide "done well", `isSuccessful(job)`.
 */
export function isTerminal(state: string): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

/** A job as any gateway answers it: one that predates `outcome` sends none, whatever the type says. */
export type JobWithState = Pick<Job, 'state'> & { readonly outcome?: JobOutcome | undefined };

/**
 * How the job ended, or `running`: the gateway's `outcome`. An answer without one (a gateway older than
 * the field) is read by its state as the client always did, with `source: 'ords'`: `COMPLETED` succeeded,
 * `STOPPED` stopped, `NOT RUNNING` unknown (a failure, or a success kept by `keep_master`), any other running.
 */
export function outcomeOf(job: JobWithState): JobOutcome {
  const given = job.outcome;
  if (given && typeof given === 'object' && typeof given.result === 'string') return given;
  switch (job.state.trim().toUpperCase()) {
    case 'COMPLETED':
      return { result: 'succeeded', source: 'ords' };
    case 'STOPPED':
      return { result: 'stopped', source: 'ords' };
    case 'NOT RUNNING':
      return { result: 'unknown', source: 'ords' };
    default:
      return { result: 'running', source: 'ords' };
  }
}

/** The job has ended (its outcome is no longer `running`): polling it again will not tell more. */
export function isFinished(job: JobWithState): boolean {
  return outcomeOf(job).result !== 'running';
}

/**
 * The job ended and did what it was asked: `succeeded`, or `succeeded_with_errors` (read `outcome.errors`).
 * `failed`, `stopped`, `unknown` and a result this client does not know are not.
 */
export function isSuccessful(job: JobWithState): boolean {
  return (SUCCESSFUL_RESULTS as readonly string[]).includes(outcomeOf(job).result);
}

/** The job with its `outcome` filled in (by `outcomeOf`) when the gateway sent none; the same object otherwise. */
export function withOutcome<T extends JobWithState>(job: T): T & { outcome: JobOutcome } {
  const outcome = outcomeOf(job);
  return job.outcome === outcome ? (job as T & { outcome: JobOutcome }) : { ...job, outcome };
}

/**
 * The outcome in words: `running`, `succeeded`, `succeeded with 3 errors`, `failed`, `stopped`,
 * `outcome unknown`; `(inferred)` follows when the gateway inferred it (ORDS forgot the job and its log is gone).
 */
export function describeOutcome(outcome: JobOutcome): string {
  const words = resultWords(outcome);
  return outcome.source === 'inferred' ? `${words} (inferred)` : words;
}

/** `describeOutcome` without the source. */
export function resultWords(outcome: Pick<JobOutcome, 'result' | 'errors'>): string {
  switch (outcome.result) {
    case 'succeeded_with_errors': {
      const n = outcome.errors;
      return n === undefined ? 'succeeded with errors' : `succeeded with ${n} error${n === 1 ? '' : 's'}`;
    }
    case 'unknown':
      return 'outcome unknown';
    default:
      // running, succeeded, failed, stopped — and, from a newer gateway, a result this client does not know.
      return String(outcome.result).replace(/_/g, ' ');
  }
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

/**
 * @module How a job ended, from what is left to tell: the last lines of its log (Data Pump writes how the job
 * ended there, in every case), else ORDS's state, else — for a job ORDS no longer shows — an inference: Data
 * Pump drops a job's control table when it succeeds (or when a DBA kills it, which the gateway cannot tell apart).
 */
import { zonedToUtc } from '../../lib/zoned-time.js';
import type { JobOutcome } from '../store/types.js';

/** Data Pump states after which a job runs no more. `NOT RUNNING` is a failed job, or a kept successful one. */
const TERMINAL = new Set(['COMPLETED', 'STOPPED', 'NOT RUNNING']);

/** Kept rows may carry space-padded values; states are compared trimmed and in upper case. */
export const isTerminalState = (state: string) => TERMINAL.has(state.trim().toUpperCase());

export const RUNNING: JobOutcome = { result: 'running', source: 'ords' };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// `Job "OWNER"."NAME" successfully completed at Tue Dec 1 09:33:54 2026 elapsed 0 00:00:05`, and its siblings.
// Data Pump before 12c wrote only the time of day after `at`: the result is read all the same, without a time.
const END_LINE =
  /^Job "(?:[^"]|"")*"\."(?:[^"]|"")*" (successfully completed|completed with (\d+) error\(s\)|stopped due to fatal error|stopped by user request)(?: at (.*))?$/;
const LOG_DATE = /^\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\b/;

/**
 * The outcome the log's last end line states, with its time converted from the database's time zone to UTC; or
 * undefined when the log has no such line (still running, cut short, or written in another language).
 */
export function outcomeFromLog(log: string, timeZone: string): JobOutcome | undefined {
  const lines = log.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = END_LINE.exec(lines[i]!.trim());
    if (!m) continue;
    const [, how, errors, when] = m;
    const finishedAt = when === undefined ? undefined : logDate(when, timeZone);
    const at = finishedAt === undefined ? {} : { finishedAt };
    if (how === 'successfully completed') return { result: 'succeeded', source: 'log', errors: 0, ...at };
    if (how === 'stopped due to fatal error') return { result: 'failed', source: 'log', ...at };
    if (how === 'stopped by user request') return { result: 'stopped', source: 'log', ...at };
    const n = Number(errors);
    return { result: n > 0 ? 'succeeded_with_errors' : 'succeeded', source: 'log', errors: n, ...at };
  }
  return undefined;
}

/** `Tue Dec 1 09:33:54 2026` in the database's zone, as ISO 8601 UTC; undefined for any other spelling. */
function logDate(text: string, timeZone: string): string | undefined {
  const m = LOG_DATE.exec(text);
  if (!m) return undefined;
  const [, mon, day, hh, mi, ss, year] = m;
  const month = MONTHS.indexOf(mon!);
  if (month < 0 || +day! < 1 || +day! > 31 || +hh! > 23 || +mi! > 59 || +ss! > 59) return undefined;
  return zonedToUtc([+year!, month, +day!, +hh!, +mi!, +ss!], timeZone)?.toISOString();
}

/** What the gateway knows of a job now. */
export interface JobEvidence {
  /** ORDS's state, or undefined when ORDS no longer shows the job. */
  readonly ordsState: string | undefined;
  /** The log's tail as last read (may be stale for a vanished job). */
  readonly logTail: string | null;
  readonly timeZone: string;
}

/**
 * Whether the job has ended, and if so the terminal state to show and its outcome; undefined while it runs.
 * `state` is a Data Pump state: `COMPLETED` for a success ORDS no longer shows, ORDS's own otherwise.
 */
export function endOf({
  ordsState,
  logTail,
  timeZone,
}: JobEvidence): { state: string; outcome: JobOutcome } | undefined {
  const gone = ordsState === undefined;
  const state = ordsState?.trim().toUpperCase();
  if (!gone && !isTerminalState(state!)) return undefined;
  const fromLog = logTail === null ? undefined : outcomeFromLog(logTail, timeZone);
  if (fromLog) return { state: gone ? stateAfterVanishing(fromLog) : state!, outcome: fromLog };
  if (gone) return { state: 'COMPLETED', outcome: { result: 'succeeded', source: 'inferred' } };
  if (state === 'COMPLETED') return { state, outcome: { result: 'succeeded', source: 'ords' } };
  if (state === 'STOPPED') return { state, outcome: { result: 'stopped', source: 'ords' } };
  // NOT RUNNING without a log that says: a failure, or a success kept by keep_master. Nobody can tell.
  return { state: state!, outcome: { result: 'unknown', source: 'ords' } };
}

function stateAfterVanishing(outcome: JobOutcome): string {
  if (outcome.result === 'stopped') return 'STOPPED';
  if (outcome.result === 'failed') return 'NOT RUNNING';
  return 'COMPLETED';
}

/** The public form (snake case). */
export function publicOutcome(outcome: JobOutcome): {
  result: JobOutcome['result'];
  source: JobOutcome['source'];
  errors?: number;
  finished_at?: string;
} {
  return {
    result: outcome.result,
    source: outcome.source,
    ...(outcome.errors === undefined ? {} : { errors: outcome.errors }),
    ...(outcome.finishedAt === undefined ? {} : { finished_at: outcome.finishedAt }),
  };
}

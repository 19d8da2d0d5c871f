/** @module The documented exit codes of `datapump`, and which failure gets which. */
import type { CommanderError } from 'commander';

import {
  DatapumpJobFailedError,
  DatapumpNetworkError,
  DatapumpProblemError,
  DatapumpWaitTimeoutError,
  formatJobRef,
  type Job,
} from '../client/index.js';

export const EXIT = {
  /** The job succeeded (whatever its state: a kept successful job reads NOT RUNNING), or the command did what it was asked. */
  ok: 0,
  /** The job's outcome is failed, stopped or unknown, or something unexpected happened. */
  jobFailed: 1,
  /** Bad usage: unknown command or option, missing or malformed argument, no gateway URL. */
  usage: 2,
  /** Authentication: no API key, or the gateway refused it (401). */
  auth: 3,
  /** Refused by policy or validation: 400, 403, 404, 409, 413, 415, 422 (any other 4xx). */
  refused: 4,
  /** Rate limited or over quota (429). */
  rateLimited: 5,
  /** The gateway or ORDS is unavailable: 5xx (502, 503, 504…) or no answer at all. */
  unavailable: 6,
  /** `--wait --timeout` ran out; the job goes on. */
  timeout: 7,
  /**
   * The job succeeded with errors (its log says `completed with N error(s)`): it finished and wrote its files,
   * but not everything went in. Neither 0 (a script must not take a partial import for a clean one) nor 1
   * (the job did not fail, and running it again would not help): Oracle's own expdp/impdp also keep this
   * apart from success and failure (EX_SUCC_ERR). A script that accepts it tests for 0 or 8.
   */
  succeededWithErrors: 8,
  /**
   * `logs`: the job is known but its log is no longer available (ORDS dropped it with the job, or the ORDS
   * emulator restarted: it keeps jobs in memory only). Not 1: nothing says the job failed.
   */
  logGone: 9,
  /** Interrupted (Ctrl-C) while waiting; the job goes on. */
  interrupted: 130,
} as const;

/** A mistake in the command line, found after commander parsed it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The job ended `succeeded_with_errors`: a warning and exit 8, after the job was printed. */
export class JobSucceededWithErrors extends Error {
  override name = 'JobSucceededWithErrors';
  constructor(readonly job: Job) {
    const ref = formatJobRef(job);
    const n = job.outcome.errors;
    super(
      `job ${ref} ended ${job.state} but its log reports ${n === undefined ? 'errors' : `${n} error${n === 1 ? '' : 's'}`}: datapump logs ${ref}`,
    );
  }
}

/** `logs` of a job the gateway knows, whose log ORDS no longer has. */
export class LogGoneError extends Error {
  override name = 'LogGoneError';
  constructor(readonly ref: string) {
    super(
      `the log of job ${ref} is no longer available: ORDS no longer has it (Data Pump drops a finished job's files with the job; the ORDS emulator forgets its jobs when it restarts)`,
    );
  }
}

/** No credential to send. */
export class MissingCredentialError extends Error {
  override name = 'MissingCredentialError';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof MissingCredentialError) return EXIT.auth;
  if (error instanceof LogGoneError) return EXIT.logGone;
  if (error instanceof DatapumpProblemError) {
    if (error.status === 401) return EXIT.auth;
    if (error.status === 429) return EXIT.rateLimited;
    if (error.status >= 500) return EXIT.unavailable;
    return EXIT.refused;
  }
  if (error instanceof DatapumpNetworkError) return EXIT.unavailable;
  if (error instanceof DatapumpJobFailedError) return EXIT.jobFailed;
  if (error instanceof JobSucceededWithErrors) return EXIT.succeededWithErrors;
  if (error instanceof DatapumpWaitTimeoutError) return EXIT.timeout;
  if (error instanceof Error && error.name === 'AbortError') return EXIT.interrupted;
  return EXIT.jobFailed;
}

/**
 * The exit code for what commander threw under `exitOverride`: `--help`, `help` and `--version` are 0; a help
 * shown because no command was given is 2 (commander itself says 1), and so is every other error of commander's
 * (unknown option or command, missing or invalid argument, excess arguments): `datapump`'s actions raise their
 * own errors, never through commander. The admin CLI keeps the same rule in src/cli/exit-codes.ts.
 */
export function exitCodeForCommander(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
  if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  return EXIT.usage;
}

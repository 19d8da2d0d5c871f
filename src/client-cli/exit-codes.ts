/** @module The documented exit codes of `datapump`, and which failure gets which. */
import {
  DatapumpJobFailedError,
  DatapumpNetworkError,
  DatapumpProblemError,
  DatapumpWaitTimeoutError,
} from '../client/index.js';

export const EXIT = {
  /** The job completed, or the command did what it was asked. */
  ok: 0,
  /** The job ended otherwise than COMPLETED (STOPPED, NOT RUNNING), or something unexpected happened. */
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
  /** Interrupted (Ctrl-C) while waiting; the job goes on. */
  interrupted: 130,
} as const;

/** A mistake in the command line, found after commander parsed it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** No credential to send. */
export class MissingCredentialError extends Error {
  override name = 'MissingCredentialError';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof MissingCredentialError) return EXIT.auth;
  if (error instanceof DatapumpProblemError) {
    if (error.status === 401) return EXIT.auth;
    if (error.status === 429) return EXIT.rateLimited;
    if (error.status >= 500) return EXIT.unavailable;
    return EXIT.refused;
  }
  if (error instanceof DatapumpNetworkError) return EXIT.unavailable;
  if (error instanceof DatapumpJobFailedError) return EXIT.jobFailed;
  if (error instanceof DatapumpWaitTimeoutError) return EXIT.timeout;
  if (error instanceof Error && error.name === 'AbortError') return EXIT.interrupted;
  return EXIT.jobFailed;
}

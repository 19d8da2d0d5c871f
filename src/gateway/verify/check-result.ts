/** @module What one conformance check of `verify-upstream` reports: a verdict, a summary line and its evidence. */

/**
 * PASS: what the gateway relies on holds. WARN: a difference the gateway tolerates, or nothing to judge by
 * (an empty job list, a document not served). FAIL: something the gateway cannot work with.
 */
export type Status = 'PASS' | 'WARN' | 'FAIL';

/** One request a check rests on: never a credential, never more of a body than the check needs. */
export interface Evidence {
  /** `GET /ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/?limit=1`: the path and query only. */
  readonly request: string;
  /** The HTTP status, or null when no answer came. */
  readonly status: number | null;
  /** What was seen, in a few words (a media type, a count, a failure's code). */
  readonly seen: string;
}

export interface CheckResult {
  readonly check: string;
  readonly status: Status;
  readonly summary: string;
  readonly evidence: readonly Evidence[];
}

export const result = (
  check: string,
  status: Status,
  summary: string,
  evidence: readonly Evidence[] = [],
): CheckResult => ({ check, status, summary, evidence });

/** A check that could not run because an earlier read failed: a WARN, the earlier check carries the FAIL. */
export const notChecked = (check: string, why: string): CheckResult => result(check, 'WARN', `not checked: ${why}`);

/** 1 on any FAIL, 0 otherwise (2, usage and configuration errors, is the command's own). */
export const exitCodeOf = (results: readonly CheckResult[]): 0 | 1 =>
  results.some((r) => r.status === 'FAIL') ? 1 : 0;

/** @module The errors the client throws: one class per kind of failure, all `DatapumpError`s. */
import { outcomeOf, resultWords } from './jobs.js';
import type { Job, JobOutcome, Problem, ProblemError } from './types.js';

/** The base class of every error this client throws on purpose. */
export class DatapumpError extends Error {
  override name = 'DatapumpError';
}

/** What the gateway's problem answer said, flattened; also made up for a non-problem error answer. */
export interface ProblemFields {
  readonly status: number;
  /** The problem `type` URI (`https://datapump-gateway.dev/problems/not-granted`), `about:blank` if the answer had none. */
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** Every fault the gateway found (`pointer` into the body or `parameter`), empty when it listed none. */
  readonly errors: readonly ProblemError[];
  /** Seconds to wait before trying again (`Retry-After`), when the gateway sent one. */
  readonly retryAfter: number | undefined;
  /** The request's correlation id (the body's `request_id`, else the `X-Request-Id` header). */
  readonly requestId: string | undefined;
}

const PROBLEM_BASE = 'https://datapump-gateway.dev/problems/';

/**
 * Every answer of the gateway that is not a success: one class, whatever the status, so callers
 * match on `status` or `type` (or `slug`, its last segment), never on the message.
 */
export class DatapumpProblemError extends DatapumpError implements ProblemFields {
  override name = 'DatapumpProblemError';
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: readonly ProblemError[];
  readonly retryAfter: number | undefined;
  readonly requestId: string | undefined;
  /** The problem body as the gateway sent it (undefined when the answer was not a problem). */
  readonly problem: Problem | undefined;

  constructor(fields: ProblemFields, problem?: Problem) {
    super(problemMessage(fields));
    this.status = fields.status;
    this.type = fields.type;
    this.title = fields.title;
    this.detail = fields.detail;
    this.errors = fields.errors;
    this.retryAfter = fields.retryAfter;
    this.requestId = fields.requestId;
    this.problem = problem;
  }

  /** `not-granted` for `https://datapump-gateway.dev/problems/not-granted`; the lower-cased title otherwise. */
  get slug(): string {
    return this.type.startsWith(PROBLEM_BASE)
      ? this.type.slice(PROBLEM_BASE.length)
      : this.title.toLowerCase().replace(/\s+/g, '-');
  }
}

/** `not granted: The schema 'SALES' is not granted to this tenant (/schema_expressions/0/expression)` */
export function problemMessage(p: Pick<ProblemFields, 'type' | 'title' | 'detail' | 'errors' | 'status'>): string {
  const what = p.type.startsWith(PROBLEM_BASE)
    ? p.type.slice(PROBLEM_BASE.length).replace(/-/g, ' ')
    : (p.title || `HTTP ${p.status}`).toLowerCase();
  if (p.errors.length > 0) {
    const faults = p.errors.map((e) => {
      const where = e.pointer ?? e.parameter;
      const detail = e.detail.replace(/\.$/, '');
      return where ? `${detail} (${where})` : detail;
    });
    return `${what}: ${faults.join('; ')}`;
  }
  return p.detail ? `${what}: ${p.detail.replace(/\.$/, '')}` : what;
}

/** No answer at all: refused, reset, DNS, TLS… (`cause` is what fetch threw). */
export class DatapumpNetworkError extends DatapumpError {
  override name = 'DatapumpNetworkError';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach the gateway at ${new URL(url).origin}: ${describeCause(cause)}`, { cause });
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  // undici wraps the socket error: "fetch failed" { cause: Error: connect ECONNREFUSED 127.0.0.1:9 }
  const inner = (cause as { cause?: unknown }).cause;
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code;
    return typeof code === 'string' && !inner.message.includes(code) ? `${code} ${inner.message}` : inner.message;
  }
  return cause.message;
}

/**
 * The job ended, and not well: its outcome is `failed`, `stopped` or `unknown` (or a result this client does
 * not know). A job that `succeeded_with_errors` is not a failure.
 */
export class DatapumpJobFailedError extends DatapumpError {
  override name = 'DatapumpJobFailedError';
  /** The Data Pump state the job ended in: `NOT RUNNING`, `STOPPED` (or `COMPLETED`, for an outcome the log contradicts). */
  readonly state: string;
  /** How it ended, as the gateway said (`result`, `source`, `finished_at`), or as the client read the state of an older gateway's answer. */
  readonly outcome: JobOutcome;
  constructor(
    /** The job as last read. */
    readonly job: Job,
    /** The last lines of the job's log (the `ORA-` errors are there); empty if the log could not be read. */
    readonly logTail: readonly string[],
  ) {
    const outcome = outcomeOf(job);
    const how = `${resultWords(outcome)}${outcome.source === 'inferred' ? ', inferred' : ''}`;
    super(
      `job ${job.owner_name},${job.job_name} ended ${job.state} (${how})${logTail.length ? `: ${lastErrorLine(logTail)}` : ''}`,
    );
    this.state = job.state;
    this.outcome = outcome;
  }
}

function lastErrorLine(lines: readonly string[]): string {
  return lines.find((l) => /^ORA-\d+/.test(l)) ?? lines[lines.length - 1] ?? '';
}

/** `waitForJob` ran out of time; the job itself goes on. */
export class DatapumpWaitTimeoutError extends DatapumpError {
  override name = 'DatapumpWaitTimeoutError';
  constructor(
    readonly job: Job | undefined,
    readonly timeoutMs: number,
  ) {
    super(
      `job ${job ? `${job.owner_name},${job.job_name} still ${job.state}` : 'state unknown'} after ${Math.round(timeoutMs / 1000)} s`,
    );
  }
}

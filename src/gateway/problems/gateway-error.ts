/** @module The one error class the gateway's own code throws; the problem handler turns it into problem+json. */
import type { ProblemFault, ProblemSlug } from './catalogue.js';
import { PROBLEMS } from './catalogue.js';

/**
 * How many faults a problem body lists at most: the contract's `Problem.errors` `maxItems`. Beyond it,
 * `errors_omitted` counts the rest, so that a body with thousands of faults cannot make a huge answer.
 */
export const MAX_LISTED_FAULTS = 50;

export interface GatewayErrorOptions {
  readonly detail?: string;
  readonly errors?: readonly ProblemFault[];
  /** Extra response headers (Retry-After, WWW-Authenticate, Allow). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extension members the contract declares (ords_code, quota, resets_at). */
  readonly extensions?: Readonly<{
    ords_code?: string;
    quota?: 'concurrent_jobs' | 'daily_jobs' | 'database_running_jobs';
    resets_at?: string;
  }>;
  /** What the operators see in the log and the client never does (ORDS ECID, ORA- text, causes). */
  readonly logContext?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class GatewayError extends Error {
  readonly slug: ProblemSlug;
  readonly status: number;
  readonly detail: string | undefined;
  readonly errors: readonly ProblemFault[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: GatewayErrorOptions['extensions'];
  readonly logContext: Readonly<Record<string, unknown>>;

  constructor(slug: ProblemSlug, options: GatewayErrorOptions = {}) {
    super(options.detail ?? PROBLEMS[slug].title, { cause: options.cause });
    this.name = 'GatewayError';
    this.slug = slug;
    this.status = PROBLEMS[slug].status;
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions;
    this.logContext = options.logContext ?? {};
  }
}

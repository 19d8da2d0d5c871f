/** @module Turns an ORDS error answer into the problem the client gets; ORDS's own text never reaches the client. */
import type { ProblemSlug } from '../problems/catalogue.js';
import { GatewayError } from '../problems/gateway-error.js';
import { InvalidJson, type OrdsJsonAnswer } from './ords-client.js';
import type { OrdsContract } from './ords-contract.js';
import { OrdsTransportError } from './transport.js';

export interface AnswerContext {
  /** What a 404 from ORDS means here. */
  readonly notFound: Extract<ProblemSlug, 'job-not-found' | 'file-not-found' | 'database-not-found'>;
  readonly path: string;
  /** The call's method, to name it in the log (`POST …/export`); default GET. */
  readonly method?: 'GET' | 'POST';
}

/**
 * ORDS's own statuses beyond HTTP's (Status Codes page, ORDS 25.3 [S22]; ords-realities §5): 570, the database
 * account is locked; 571, ORDS could not connect to the database. Both are answered before any database work.
 */
export const ORDS_ACCOUNT_LOCKED = 570;
export const ORDS_DATABASE_CONNECTION_ERROR = 571;

/**
 * Whether an error status from a create means ORDS started no job, so its intent may be released and its
 * Idempotency-Key freed: any 3xx or 4xx (ORDS did not take the request), 503 (unavailable), and ORDS's 570 and 571
 * (it never reached the database). Another 5xx may have come after the job started.
 */
export function nothingStarted(status: number): boolean {
  return status < 500 || status === 503 || status === ORDS_ACCOUNT_LOCKED || status === ORDS_DATABASE_CONNECTION_ERROR;
}

/**
 * The mapping table (README "ORDS errors"):
 * 400 → 422 upstream-rejected · 401/403 → 502 upstream-auth-failed · 404 → 404 · 3xx → 502 ·
 * 415 → 502 upstream-error, logged as a contract gap · 503 → 503 with Retry-After · 570 (database account locked) →
 * 502 upstream-auth-failed · 571 (database connection error) → 503 upstream-unavailable with Retry-After ·
 * other 5xx → 502 · anything else unexpected → 502.
 */
export function ordsFailure(
  answer: Pick<OrdsJsonAnswer, 'status' | 'headers' | 'body'>,
  contract: OrdsContract,
  ctx: AnswerContext,
): GatewayError {
  const { status } = answer;
  const ords = contract.isError(answer.body) ? answer.body : undefined;
  const extensions = ords ? { ords_code: String(ords.code).slice(0, 64) } : undefined;
  // ORDS's message, ECID and any ORA- text go to the log only.
  const logContext = {
    ordsStatus: status,
    ordsCode: ords?.code,
    ordsMessage: ords?.message,
    ordsInstance: ords?.instance,
    path: ctx.path,
    ordsCall: `${ctx.method ?? 'GET'} ${ctx.path}`,
  };
  const base = { extensions, logContext };
  if (status === 400) {
    return new GatewayError('upstream-rejected', {
      ...base,
      detail: 'ORDS refused a request the gateway accepted; the operators have been told.',
      logContext: { ...logContext, contractGap: true },
    });
  }
  if (status === 401 || status === 403) {
    return new GatewayError('upstream-auth-failed', {
      ...base,
      detail: "ORDS refused the gateway's own credentials; this is not the caller's fault.",
    });
  }
  if (status === ORDS_ACCOUNT_LOCKED) {
    return new GatewayError('upstream-auth-failed', {
      ...base,
      detail: "The database account ORDS uses for the gateway is locked; this is not the caller's fault.",
      logContext: { ...logContext, ordsMeaning: 'database account locked' },
    });
  }
  if (status === 415) {
    // The gateway sent something ORDS does not take (a body's media type): the contracts disagree with ORDS.
    return new GatewayError('upstream-error', {
      ...base,
      detail: 'ORDS did not take what the gateway sent; the operators have been told.',
      logContext: { ...logContext, contractGap: true },
    });
  }
  if (status === 404) {
    const detail = {
      'job-not-found': 'No such job.',
      'file-not-found': 'The job has no such file.',
      'database-not-found': 'No such database.',
    }[ctx.notFound];
    return new GatewayError(ctx.notFound, { ...base, detail });
  }
  if (status === 503 || status === ORDS_DATABASE_CONNECTION_ERROR) {
    const retryAfter = retryAfterSeconds(answer.headers['retry-after']) ?? 5;
    return new GatewayError('upstream-unavailable', {
      ...base,
      detail: status === 503 ? 'ORDS is unavailable.' : 'ORDS cannot reach the database.',
      headers: { 'Retry-After': String(retryAfter) },
      ...(status === 503 ? {} : { logContext: { ...logContext, ordsMeaning: 'database connection error' } }),
    });
  }
  if (status >= 300 && status < 400) {
    return new GatewayError('upstream-error', {
      ...base,
      detail: 'ORDS answered with a redirect, which the gateway does not follow.',
      logContext: { ...logContext, location: answer.headers.location },
    });
  }
  if (answer.body === InvalidJson) {
    return new OrdsTransportError('malformed', { ...base, detail: 'ORDS answered with a body that is not JSON.' });
  }
  return new GatewayError('upstream-error', { ...base, detail: `ORDS failed (HTTP ${status}).` });
}

/** A body that breaks the upstream contract (or is not JSON): `malformed`, so a create holds its key in doubt. */
export function invalidAnswer(path: string, violations: readonly string[]): OrdsTransportError {
  return new OrdsTransportError('malformed', {
    detail: 'ORDS answered with a body that breaks its contract.',
    logContext: { path, violations },
  });
}

function retryAfterSeconds(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= 86_400 ? n : undefined;
}

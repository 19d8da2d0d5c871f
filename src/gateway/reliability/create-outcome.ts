/** @module Whether a failed create may have started a job: decides if its Idempotency-Key is freed or held in doubt. */
import { GatewayError } from '../problems/gateway-error.js';

export type CreateOutcome = 'not-created' | 'in-doubt';

const OUTCOME = Symbol('create outcome');

/** Marks an error with what it means for the job; errors not marked mean "not created" (they came before ORDS). */
export function withOutcome<E>(err: E, outcome: CreateOutcome): E {
  if (err && typeof err === 'object') (err as Record<symbol, unknown>)[OUTCOME] = outcome;
  return err;
}

export function outcomeOf(err: unknown): CreateOutcome {
  return err && typeof err === 'object' && (err as Record<symbol, unknown>)[OUTCOME] === 'in-doubt'
    ? 'in-doubt'
    : 'not-created';
}

// Failures that happen before a byte of the request leaves: ORDS cannot have started anything.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** For an error thrown while calling ORDS: could the request have reached it? */
export function transportOutcome(err: unknown): CreateOutcome {
  if (err instanceof GatewayError) {
    // The gateway refused to call ORDS at all (open breaker, bulkhead): nothing was sent.
    if (
      err.slug === 'gateway-overloaded' ||
      (err.slug === 'upstream-unavailable' && err.logContext.circuit !== undefined)
    )
      return 'not-created';
    const code = (err.cause as { code?: string } | undefined)?.code ?? '';
    if (NOT_SENT_CODES.has(code)) return 'not-created';
  }
  return 'in-doubt';
}

/** For an ORDS answer that was not a job: 4xx, redirects and 503 mean ORDS did not start one; other 5xx might have. */
export function answerOutcome(status: number): CreateOutcome {
  return status < 500 || status === 503 ? 'not-created' : 'in-doubt';
}

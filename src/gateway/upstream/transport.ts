/**
 * @module How a call to ORDS failed below HTTP, classified once, where it happens (the ORDS client, the
 * breaker, the bulkhead), into a typed value that the breaker, the retries and the create's outcome all read.
 */
import { errors as undiciErrors } from 'undici';

import { GatewayError, type GatewayErrorOptions } from '../problems/gateway-error.js';

/**
 * - `refused`: no connection was made (refused, connect timeout, DNS, unreachable): nothing was sent.
 * - `reset`: the connection broke (reset, closed, EPIPE) after it was made: the request may have been sent.
 * - `timeout`: ORDS did not answer, or finish answering, in time: the request was sent.
 * - `malformed`: ORDS answered with a body that is not JSON (a JSON call).
 * - `too-large`: ORDS answered with a JSON body larger than the gateway accepts.
 * - `circuit-open`: the gateway did not call ORDS: its breaker is open (or probing).
 * - `overloaded`: the gateway did not call ORDS: the database's bulkhead is full.
 * - `aborted`: the gateway gave up because its own client went away.
 * - `unknown`: any other failure of the call.
 */
export type TransportKind =
  'refused' | 'reset' | 'timeout' | 'malformed' | 'too-large' | 'circuit-open' | 'overloaded' | 'aborted' | 'unknown';

export interface Transport {
  readonly kind: TransportKind;
  /** Whether any byte of the request may have left the gateway: false only when that is certain. */
  readonly sent: boolean;
}

const NOT_SENT: ReadonlySet<TransportKind> = new Set(['refused', 'circuit-open', 'overloaded']);

/** A failed ORDS call: the problem the client gets, and the typed transport failure behind it. */
export class OrdsTransportError extends GatewayError {
  readonly transport: Transport;
  constructor(kind: TransportKind, init: GatewayErrorOptions = {}) {
    super(SLUG[kind], { ...init, headers: { ...RETRY_AFTER[kind], ...init.headers } });
    this.transport = { kind, sent: !NOT_SENT.has(kind) };
  }
}

const SLUG = {
  refused: 'upstream-unavailable',
  reset: 'upstream-unavailable',
  timeout: 'upstream-timeout',
  malformed: 'upstream-invalid-response',
  'too-large': 'upstream-invalid-response',
  'circuit-open': 'upstream-unavailable',
  overloaded: 'gateway-overloaded',
  aborted: 'upstream-unavailable',
  unknown: 'upstream-unavailable',
} as const satisfies Record<TransportKind, ConstructorParameters<typeof GatewayError>[0]>;

/** No answer came: asking again later is the right advice. */
const RETRY_AFTER: Record<TransportKind, Record<string, string>> = {
  refused: { 'Retry-After': '5' },
  reset: { 'Retry-After': '5' },
  timeout: {},
  malformed: {},
  'too-large': {},
  'circuit-open': {},
  overloaded: { 'Retry-After': '1' },
  aborted: { 'Retry-After': '1' },
  unknown: { 'Retry-After': '5' },
};

const DETAIL: Record<'refused' | 'reset' | 'timeout' | 'aborted' | 'unknown', string> = {
  refused: 'ORDS is not reachable.',
  reset: 'ORDS is not reachable.',
  timeout: 'ORDS did not answer in time.',
  aborted: 'The request was abandoned.',
  unknown: 'ORDS is not reachable.',
};

const REFUSED = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  // The gateway could not verify ORDS's certificate (databases.<name>.tls): it ends the handshake before sending.
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const RESET = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function codeOf(cause: unknown): string {
  if (!cause || typeof cause !== 'object') return '';
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  // Node's happy-eyeballs connect reports every address it tried in an AggregateError.
  const first = (cause as { errors?: unknown[] }).errors?.[0];
  return first ? codeOf(first) : '';
}

/** What undici (or Node's socket) threw, as a transport kind. */
export function transportKindOf(cause: unknown): TransportKind {
  const code = codeOf(cause);
  if (
    code === 'UND_ERR_ABORTED' ||
    cause instanceof undiciErrors.RequestAbortedError ||
    (cause as { name?: unknown } | null)?.name === 'AbortError'
  )
    return 'aborted';
  if (
    TIMEOUT.has(code) ||
    cause instanceof undiciErrors.HeadersTimeoutError ||
    cause instanceof undiciErrors.BodyTimeoutError
  )
    return 'timeout';
  if (REFUSED.has(code)) return 'refused';
  if (RESET.has(code)) return 'reset';
  return 'unknown';
}

/** The error a failed ORDS call becomes; an error that already is one (or any GatewayError) is kept as it is. */
export function transportError(cause: unknown, context: Readonly<Record<string, unknown>>): GatewayError {
  if (cause instanceof GatewayError) return cause;
  const kind = transportKindOf(cause);
  const detailed = kind as keyof typeof DETAIL;
  return new OrdsTransportError(kind, {
    detail: DETAIL[detailed],
    logContext: { upstreamError: codeOf(cause) || String(cause), ...context },
    cause,
  });
}

/** The transport failure behind an error, or undefined when the error is not one (ORDS answered, or ours). */
export function transportOf(err: unknown): Transport | undefined {
  return err instanceof OrdsTransportError ? err.transport : undefined;
}

/** @module The problem types the gateway answers with; mirrors the `ProblemType` schema of the public contract. */
import type { components } from '../../../generated/public.js';

export const PROBLEM_BASE = 'https://datapump-gateway.dev/problems/';

/** Slug → HTTP status and title. A test checks this table against the contract, entry by entry. */
export const PROBLEMS = {
  'request-invalid': { status: 400, title: 'Request does not match the contract' },
  'malformed-json': { status: 400, title: 'Request body is not valid JSON' },
  'idempotency-key-required': { status: 400, title: 'Idempotency-Key required' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  'not-granted': { status: 403, title: 'Not granted' },
  'not-found': { status: 404, title: 'Not found' },
  'database-not-found': { status: 404, title: 'Database not found' },
  'job-not-found': { status: 404, title: 'Job not found' },
  'file-not-found': { status: 404, title: 'File not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'idempotency-conflict': { status: 409, title: 'Idempotency-Key in use' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'request-unsafe': { status: 422, title: 'Request is not safe to forward' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused with another body' },
  'upstream-rejected': { status: 422, title: 'ORDS refused the request' },
  // 422, not 4xx of its own nor 501: the request is valid and the client can change it (drop the member); only the
  // configured ORDS release cannot do it. Answered before ORDS is called (upstream/ords-versions.ts).
  'ords-version-unsupported': { status: 422, title: 'Not supported by this ORDS release' },
  'headers-too-large': { status: 431, title: 'Request headers too large' },
  'rate-limited': { status: 429, title: 'Rate limit exceeded' },
  'quota-exceeded': { status: 429, title: 'Job quota exceeded' },
  'internal-error': { status: 500, title: 'Internal error' },
  'upstream-error': { status: 502, title: 'ORDS failed' },
  'upstream-auth-failed': { status: 502, title: "ORDS refused the gateway's credentials" },
  'upstream-invalid-response': { status: 502, title: 'ORDS answered with an invalid response' },
  'upstream-unavailable': { status: 503, title: 'ORDS unavailable' },
  'gateway-overloaded': { status: 503, title: 'Gateway overloaded' },
  'store-unavailable': { status: 503, title: 'State store unavailable' },
  'identity-provider-unavailable': { status: 503, title: 'Identity provider unavailable' },
  'upstream-timeout': { status: 504, title: 'ORDS timed out' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemSlug = keyof typeof PROBLEMS;
export type ProblemBody = components['schemas']['Problem'];
export type ProblemFault = components['schemas']['ProblemError'];

export function problemType(slug: ProblemSlug): ProblemBody['type'] {
  return `${PROBLEM_BASE}${slug}` as ProblemBody['type'];
}

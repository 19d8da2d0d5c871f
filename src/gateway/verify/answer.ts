/** @module One read of ORDS as `verify-upstream` saw it, and the small readings every check makes of one. */
import type { Evidence } from './check-result.js';

/** What one request got back: plain data, so that every check is a pure function of answers. */
export interface Answer {
  /** `GET /path?query` (or `POST /…/oauth/token`): no origin, no credential. */
  readonly request: string;
  /** The HTTP status; undefined when no answer came (see `failure`). */
  readonly status: number | undefined;
  /** Why no answer came: the transport error's code (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`, …). */
  readonly failure?: string;
  /** Header names in lower case, first value only. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as read: at most the bytes the read allowed. */
  readonly text: string;
  /** Whether the body went on past what was read (the rest was never downloaded). */
  readonly truncated: boolean;
}

/** `200 GET /path`, or `no answer (ECONNREFUSED) GET /path`. */
export function describeAnswer(answer: Answer): string {
  return `${answer.status ?? `no answer (${answer.failure ?? 'unknown'})`} ${answer.request}`;
}

export const evidenceOf = (answer: Answer, seen: string): Evidence => ({
  request: answer.request,
  status: answer.status ?? null,
  seen,
});

export type JsonBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly why: string };

/** The body as JSON, or why it is not (empty, cut short by the read's cap, not JSON). */
export function jsonBody(answer: Answer): JsonBody {
  if (answer.truncated) return { ok: false, why: 'larger than the read allowed' };
  if (answer.text.trim() === '') return { ok: false, why: 'an empty body' };
  try {
    return { ok: true, value: JSON.parse(answer.text) as unknown };
  } catch {
    return { ok: false, why: 'not JSON' };
  }
}

/** The media type without parameters, in lower case (`text/plain` of `text/plain; charset=utf-8`). */
export const mediaTypeOf = (answer: Answer): string | undefined =>
  answer.headers['content-type']?.split(';')[0]?.trim().toLowerCase() || undefined;

/** ORDS refused the credentials (or their rights) on this read. */
export const isRefused = (answer: Answer | undefined): boolean => answer?.status === 401 || answer?.status === 403;

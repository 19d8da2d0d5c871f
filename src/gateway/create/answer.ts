/** @module The answer to a create — the 201 and every replay of it, live or recovered — built in one place. */
import type { DatabaseConfig } from '../config/types.js';
import { bodyEtag } from '../jobs/etag.js';
import { type GatewayUrls, gatewayUrls, type PublicJob, toPublicJob } from '../jobs/public-job.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { Intent, StoredAnswer } from '../store/types.js';
import type { OrdsJob } from '../upstream/ords-contract.js';

/**
 * `201` with the job's gateway URL in `Location` and `Content-Location`, the public job, and the gateway's own
 * `ETag` of that body (the one a `GET` gives while nothing in it changed). ORDS's ETag describes ORDS's body,
 * which is not the one the client gets, so it is not passed on.
 */
export function createdAnswer(job: OrdsJob, database: DatabaseConfig, publicUrl: string): StoredAnswer {
  const urls = gatewayUrls(publicUrl, database.name);
  const location = urls.job(job.owner_name, job.job_name);
  const body = toPublicJob(job, urls, undefined, database.timeZone);
  const headers: Record<string, string> = {
    Location: location,
    'Content-Location': location,
    'Cache-Control': 'no-store',
    ETag: bodyEtag(body),
  };
  return { status: 201, headers, body };
}

/**
 * The answer in the path shape the request used. Answers are stored in the gateway's own shape; a request on
 * ORDS's shape (a script written against ORDS) gets `Location`, `Content-Location` and links in its own, and the
 * `ETag` of that body. A URL outside `from` (a stored answer from before a `public_url` change) stays as it was.
 */
export function inShape(answer: StoredAnswer, from: GatewayUrls, to: GatewayUrls): StoredAnswer {
  if (from.base === to.base) return answer;
  const move = (url: string) => (url.startsWith(from.base) ? to.base + url.slice(from.base.length) : url);
  const job = answer.body as PublicJob;
  const body: PublicJob = { ...job, links: job.links.map((link) => ({ ...link, href: move(link.href) })) };
  const headers: Record<string, string> = { ...answer.headers, ETag: bodyEtag(body) };
  for (const name of ['Location', 'Content-Location']) {
    const value = answer.headers[name];
    if (value !== undefined) headers[name] = move(value);
  }
  return { ...answer, headers, body };
}

/** A replay: the original answer as it was, plus the draft's replay marker. */
export function replayOf(answer: StoredAnswer): StoredAnswer {
  return { ...answer, headers: { ...answer.headers, 'Idempotent-Replayed': 'true' } };
}

/** Whether an intent is a true replay of a request with this fingerprint: its job was created (or recovered). */
export function isReplay(existing: Intent, fingerprint: string): existing is Intent & { answer: StoredAnswer } {
  return (
    existing.fingerprint === fingerprint &&
    (existing.state === 'created' || existing.state === 'recovered') &&
    existing.answer !== null
  );
}

/** What a key already held by `existing` answers when it is not a replay: 422 reuse or 409 not settled yet. */
export function keyTaken(existing: Intent, fingerprint: string, reconcileIntervalMs: number): GatewayError {
  if (existing.fingerprint !== fingerprint) {
    return new GatewayError('idempotency-key-reused', {
      detail: 'This Idempotency-Key was used with another request; use a new key for a new job.',
    });
  }
  switch (existing.state) {
    case 'pending':
      return new GatewayError('idempotency-conflict', {
        detail: 'A request with this Idempotency-Key is still in flight; retry after Retry-After.',
        headers: { 'Retry-After': '1' },
      });
    case 'in-doubt':
      return new GatewayError('idempotency-conflict', {
        detail:
          'It is not yet known whether ORDS started the job of this Idempotency-Key; the gateway is finding out. Retry after Retry-After.',
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(reconcileIntervalMs / 1000))) },
      });
    case 'quarantined':
      return new GatewayError('idempotency-conflict', {
        detail: 'The outcome of this Idempotency-Key could not be settled automatically; the operators have been told.',
        headers: { 'Retry-After': '3600' },
      });
    default:
      // created or recovered without a stored answer: a broken record, not the client's fault.
      return new GatewayError('internal-error', {
        logContext: { reason: 'settled intent without an answer', intent: existing.id },
      });
  }
}

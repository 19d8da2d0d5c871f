/** @module Answers a create whose Idempotency-Key was used before: replay, conflict or refusal, never a second job. */
import type { Response } from 'express';

import type { Intent } from '../jobs/store.js';
import { GatewayError } from '../problems/gateway-error.js';

export async function answerExistingIntent(
  res: Response,
  existing: Intent,
  fingerprint: string,
  reconcileIntervalMs: number,
): Promise<void> {
  if (existing.fingerprint !== fingerprint) {
    throw new GatewayError('idempotency-key-reused', {
      detail: 'This Idempotency-Key was used with another request; use a new key for a new job.',
    });
  }
  switch (existing.state) {
    case 'created': {
      const answer = existing.answer;
      if (!answer)
        throw new GatewayError('internal-error', {
          logContext: { reason: 'created intent without an answer', intent: existing.id },
        });
      // The original answer, as it was: same job, same headers, plus the draft's replay marker.
      res.status(answer.status).set(answer.headers).set('Idempotent-Replayed', 'true').json(answer.body);
      return;
    }
    case 'pending':
      throw new GatewayError('idempotency-conflict', {
        detail: 'A request with this Idempotency-Key is still in flight; retry after Retry-After.',
        headers: { 'Retry-After': '1' },
      });
    case 'in-doubt':
      throw new GatewayError('idempotency-conflict', {
        detail:
          'It is not yet known whether ORDS started the job of this Idempotency-Key; the gateway is finding out. Retry after Retry-After.',
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(reconcileIntervalMs / 1000))) },
      });
    case 'quarantined':
      throw new GatewayError('idempotency-conflict', {
        detail: 'The outcome of this Idempotency-Key could not be settled automatically; the operators have been told.',
        headers: { 'Retry-After': '3600' },
      });
  }
}

/** @module The audit trail of job creation: every attempt, to the audit log stream and to the state store. */
import type { Logger } from 'pino';

import type { AuditEvent, AuditLog } from '../store/types.js';

export interface AuditTrail {
  /** Best effort: the job registry is the source of truth, so a lost audit write never fails the request. */
  write(event: AuditEvent): Promise<void>;
  /**
   * Like `write`, but events with one `aggregateKey` are kept as one, with a count: for what a client can
   * repeat for free or at will (replays, a reused key), so repetition cannot grow the audit log unbounded.
   */
  writeAggregated(event: AuditEvent, aggregateKey: string): Promise<void>;
  /** The log line of an event already stored in a transaction of its own (the intent journal's). */
  logged(event: AuditEvent): void;
}

export function createAuditTrail({ log, store }: { log: Logger; store: AuditLog }): AuditTrail {
  const logged = (event: AuditEvent) => log.info({ audit: event }, `create ${event.decision}`);
  const stored = async (event: AuditEvent, write: () => Promise<void>) => {
    logged(event);
    try {
      await write();
    } catch (err) {
      log.error({ audit: event, err: String(err) }, 'audit event not stored');
    }
  };
  return {
    write: (event) => stored(event, () => store.append(event)),
    writeAggregated: (event, key) => stored(event, () => store.appendAggregated(event, key)),
    logged,
  };
}

/** What of a request the audit trail keeps: never a credential name, never a refused request's raw text. */
export function auditedRequest(request: Record<string, unknown>): Record<string, unknown> {
  const { credential_name: credential, ...rest } = request;
  return credential === undefined ? rest : { ...rest, credential_name: '[redacted]' };
}

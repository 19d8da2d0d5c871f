/** @module The audit trail of job creation: one event per attempt, to the audit log stream and to the state store. */
import type { Logger } from 'pino';

import type { AuditEvent, JobStore } from './store.js';

export interface AuditTrail {
  /** Best effort: the job registry is the source of truth, so a lost audit write never fails the request. */
  write(event: AuditEvent): Promise<void>;
}

export function createAuditTrail({ jobs, log }: { jobs: JobStore; log: Logger }): AuditTrail {
  return {
    async write(event) {
      log.info({ audit: event }, `create ${event.decision}`);
      try {
        await jobs.appendAudit(event);
      } catch (err) {
        log.error({ audit: event, err: String(err) }, 'audit event not stored');
      }
    },
  };
}

/** What of a request the audit trail keeps: never a credential name, never a refused request's raw text. */
export function auditedRequest(request: Record<string, unknown>): Record<string, unknown> {
  const { credential_name: credential, ...rest } = request;
  return credential === undefined ? rest : { ...rest, credential_name: '[redacted]' };
}

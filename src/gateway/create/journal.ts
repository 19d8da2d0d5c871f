/**
 * @module The intent journal: it owns every state change of a create, for the route and the reconciler alike.
 *
 *   claimed (pending) ─┬─ created       ORDS answered with the job
 *                      ├─ in doubt ──┬─ recovered    evidence unique to the intent found the job
 *                      │             └─ quarantined  no (unique) evidence: an operator decides
 *                      ├─ released      ORDS cannot have started a job: the key is free again
 *                      └─ quarantined   the job ORDS named is already another tenant's
 *
 * Each change is one store transaction with its audit event (and, for created and recovered, the job's
 * registry record and the answer replays give), logged once it is committed and counted in /metrics.
 */
import type { Counter } from 'prom-client';

import type { DatabaseConfig } from '../config/types.js';
import { auditedRequest, type AuditTrail } from '../jobs/audit.js';
import { jobFileNames } from '../jobs/public-job.js';
import type {
  AuditEvent,
  ClaimResult,
  Intent,
  IntentStore,
  Provenance,
  QuotaRequest,
  StoredAnswer,
} from '../store/types.js';
import type { OrdsJob } from '../upstream/ords-contract.js';
import { createdAnswer } from './answer.js';

export type JournalOutcome = 'created' | 'recovered' | 'in-doubt' | 'released' | 'quarantined';

export interface FoundJob {
  readonly job: OrdsJob;
  readonly etag: string | undefined;
}

export interface IntentJournal {
  /** Claims the key (if any) and reserves quota, atomically; see `IntentStore.claim`. */
  claim(intent: Intent, quota: QuotaRequest): Promise<ClaimResult>;
  /** The intent holding a tenant's key, live or expired. */
  find(tenant: string, idempotencyKey: string): Promise<Intent | undefined>;
  /** ORDS answered with the job: record it for the intent's tenant; resolves to the 201 (and its replays). */
  created(intent: Intent, found: FoundJob, database: DatabaseConfig, at: Date): Promise<StoredAnswer>;
  /** Reconciliation found the job by the intent's evidence: the same record and answer as a live create. */
  recovered(intent: Intent, found: FoundJob, database: DatabaseConfig, at: Date, how: string): Promise<StoredAnswer>;
  inDoubt(intent: Intent, why: string, status: number, at: Date): Promise<void>;
  released(intent: Intent, why: string, status: number, at: Date): Promise<void>;
  quarantined(intent: Intent, why: string, status: number, at: Date): Promise<void>;
}

export interface JournalDeps {
  readonly intents: IntentStore;
  /** Where what an export produced is remembered, for the import-provenance rule. */
  readonly provenance?: Provenance;
  /** Told when remembering an export's file name failed (the job exists; the tenant cannot import it yet). */
  readonly onProvenanceError?: (err: unknown) => void;
  readonly audit: AuditTrail;
  /** The gateway's public base URL now (Location and links of the answer). */
  readonly publicUrl: () => string;
  /** Counts each outcome (`datapump_gateway_create_outcomes_total`). */
  readonly outcomes?: Counter<'outcome'>;
}

export function createIntentJournal({
  intents,
  audit,
  publicUrl,
  outcomes,
  provenance,
  onProvenanceError,
}: JournalDeps): IntentJournal {
  const event = (
    intent: Intent,
    at: Date,
    fields: Pick<AuditEvent, 'decision' | 'status'> & Partial<AuditEvent>,
  ): AuditEvent => ({
    at: at.toISOString(),
    tenant: intent.tenant,
    principal: intent.principal,
    database: intent.database,
    requestId: intent.requestId,
    request: auditedRequest(intent.canonicalRequest as Record<string, unknown>),
    ...fields,
  });
  const done = (outcome: JournalOutcome, audited: AuditEvent) => {
    audit.logged(audited);
    outcomes?.inc({ outcome });
  };

  async function complete(
    state: 'created' | 'recovered',
    intent: Intent,
    { job }: FoundJob,
    database: DatabaseConfig,
    at: Date,
    violations?: AuditEvent['violations'],
  ): Promise<StoredAnswer> {
    const answer = createdAnswer(job, database, publicUrl());
    const seen = at.toISOString();
    const audited = event(intent, at, {
      decision: 'allowed',
      status: 201,
      job: { ownerName: job.owner_name, jobName: job.job_name },
      ...(violations ? { violations } : {}),
    });
    await intents.complete(intent.id, {
      state,
      at: seen,
      answer,
      audit: audited,
      record: {
        tenant: intent.tenant,
        database: database.name,
        ownerName: job.owner_name,
        jobName: job.job_name,
        operation: job.operation,
        jobMode: job.job_mode,
        principal: intent.principal,
        requestId: intent.requestId,
        canonicalRequest: intent.canonicalRequest,
        // A recovered job keeps the time it was asked for: the tenant's list shows it where it belongs.
        createdAt: state === 'created' ? seen : intent.createdAt,
        lastState: job.state,
        lastSeenAt: seen,
        outcome: null,
        // The files ORDS lists at once (the log): a job that ends and vanishes before the watcher's first look
        // keeps a log the gateway can still ask for by name.
        files: jobFileNames(job),
        logTail: null,
      },
    });
    done(state, audited);
    // After the commit, and not part of it: if this fails the job stands, and only importing its dump is refused.
    const fileName = (intent.canonicalRequest as { file_name?: unknown } | undefined)?.file_name;
    if (provenance && job.operation.trim() === 'EXPORT' && typeof fileName === 'string') {
      await provenance
        .record({ tenant: intent.tenant, database: database.name, name: fileName, at: seen })
        .catch((err: unknown) => onProvenanceError?.(err));
    }
    return answer;
  }

  const failed = (intent: Intent, why: string, status: number, at: Date) =>
    event(intent, at, { decision: 'failed', status, violations: [{ detail: why }] });

  return {
    claim: (intent, quota) => intents.claim(intent, quota),
    find: (tenant, key) => intents.get(tenant, key),
    created: (intent, found, database, at) => complete('created', intent, found, database, at),
    recovered: (intent, found, database, at, how) =>
      complete('recovered', intent, found, database, at, [{ detail: `recovered by reconciliation: ${how}` }]),
    async inDoubt(intent, why, status, at) {
      const audited = failed(intent, why, status, at);
      await intents.transition(intent.id, { state: 'in-doubt', at: at.toISOString(), audit: audited });
      done('in-doubt', audited);
    },
    async released(intent, why, status, at) {
      const audited = failed(intent, why, status, at);
      await intents.release(intent.id, audited);
      done('released', audited);
    },
    async quarantined(intent, why, status, at) {
      const audited = failed(intent, `quarantined: ${why}`, status, at);
      await intents.transition(intent.id, { state: 'quarantined', at: at.toISOString(), audit: audited });
      done('quarantined', audited);
    },
  };
}

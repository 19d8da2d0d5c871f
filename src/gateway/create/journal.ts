/**
 * @module The intent journal: it owns every state change of a create, for the route and the reconciler alike.
 *
 *   claimed (pending) ─┬─ created       ORDS answered with the job
 *                      ├─ in doubt ──┬─ recovered    evidence unique to the intent found the job
 *                      │             └─ quarantined  no (unique) evidence: an operator decides
 *                      ├─ released      ORDS cannot have started a job: the key is free again
 *                      └─ quarantined   the job ORDS named is already another tenant's
 *   in doubt / quarantined ─┬─ recovered   an operator named the job (`datapump-gateway intents resolve --job`)
 *                           └─ released    an operator freed the key (`… --release`)
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
  IntentState,
  IntentStore,
  Provenance,
  QuotaRequest,
  StoredAnswer,
} from '../store/types.js';
import type { OrdsJob } from '../upstream/ords-contract.js';
import { createdAnswer } from './answer.js';

export type JournalOutcome = 'created' | 'recovered' | 'in-doubt' | 'released' | 'quarantined';

/** The states an operator may resolve: the intent's outcome is not known and reconciliation did not settle it. */
export const RESOLVABLE_STATES: readonly IntentState[] = ['in-doubt', 'quarantined'];

/** The state the gateway shows of a job an operator named, until the job watcher has read it from ORDS. */
const UNSEEN_JOB_STATE = 'UNKNOWN';

/** Who resolved an intent, and what the audit event says of it (the command and its arguments, never a secret). */
export interface OperatorAction {
  /** `admin:<OS user>`: the audit event's principal. */
  readonly actor: string;
  /** The audit event's request: the command and its arguments. */
  readonly request: unknown;
  /** Why, in words (the violation detail of the event). */
  readonly detail: string;
}

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
  /**
   * An operator named the job of an unsettled intent (`RESOLVABLE_STATES`): recorded for the intent's tenant as
   * reconciliation's `recovered` is, with the same answer for replays; only while the intent is still unsettled
   * (else `IntentStateConflictError`, nothing written), so of two operators at once exactly one wins.
   */
  assigned(
    intent: Intent,
    job: { readonly ownerName: string; readonly jobName: string },
    database: DatabaseConfig,
    at: Date,
    operator: OperatorAction,
  ): Promise<StoredAnswer>;
  /** An operator freed an unsettled intent's key, so a retry creates anew; only while it is still unsettled. */
  releasedByOperator(intent: Intent, at: Date, operator: OperatorAction): Promise<void>;
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

  /** What differs when an operator, not ORDS's answer or the evidence, names the job. */
  interface CompleteOptions {
    readonly violations?: AuditEvent['violations'];
    /** Overrides of the audit event (an operator's principal, request and status). */
    readonly audit?: Partial<AuditEvent>;
    /** The states the intent must still be in (see `Completion.from`). */
    readonly from?: readonly IntentState[];
    /** The job's files when ORDS has not listed them (null: never seen). */
    readonly files?: readonly string[] | null;
  }

  async function complete(
    state: 'created' | 'recovered',
    intent: Intent,
    { job }: FoundJob,
    database: DatabaseConfig,
    at: Date,
    { violations, audit: overrides, from, files }: CompleteOptions = {},
  ): Promise<StoredAnswer> {
    const answer = createdAnswer(job, database, publicUrl());
    const seen = at.toISOString();
    const audited = event(intent, at, {
      decision: 'allowed',
      status: 201,
      job: { ownerName: job.owner_name, jobName: job.job_name },
      ...(violations ? { violations } : {}),
      ...overrides,
    });
    await intents.complete(intent.id, {
      state,
      at: seen,
      answer,
      audit: audited,
      ...(from ? { from } : {}),
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
        files: files === undefined ? jobFileNames(job) : files,
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
      complete('recovered', intent, found, database, at, {
        violations: [{ detail: `recovered by reconciliation: ${how}` }],
      }),
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
    assigned(intent, { ownerName, jobName }, database, at, operator) {
      // What the gateway knows of the job without asking ORDS (the operator's command needs no ORDS
      // credentials): the job watcher reads its state, files and outcome on its next round.
      const job: OrdsJob = {
        owner_name: ownerName,
        job_name: jobName,
        operation: intent.operation,
        job_mode: intent.jobMode,
        state: UNSEEN_JOB_STATE,
      };
      return complete('recovered', intent, { job, etag: undefined }, database, at, {
        violations: [{ detail: operator.detail }],
        audit: { principal: operator.actor, request: operator.request, status: 0 },
        from: RESOLVABLE_STATES,
        files: null,
      });
    },
    async releasedByOperator(intent, at, operator) {
      const audited = event(intent, at, {
        decision: 'allowed',
        status: 0,
        principal: operator.actor,
        request: operator.request,
        violations: [{ detail: operator.detail }],
      });
      await intents.release(intent.id, audited, RESOLVABLE_STATES);
      done('released', audited);
    },
  };
}

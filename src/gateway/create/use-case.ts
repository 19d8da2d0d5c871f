/**
 * @module Job creation as one use case, independent of Express: policy → budget → claim (key and quota) →
 * ORDS → record → answer. Plain functions over typed ports; the route only turns its result into a response.
 */
import { randomUUID } from 'node:crypto';

import type { Logger } from 'pino';

import type { components } from '../../../generated/public.js';
import type { ConfigSource, DatabaseConfig, TenantConfig } from '../config/types.js';
import { auditedRequest, type AuditTrail } from '../jobs/audit.js';
import { evaluatePolicy } from '../policy/index.js';
import { GatewayError } from '../problems/gateway-error.js';
import {
  type AuditEvent,
  type Intent,
  JobOwnedElsewhereError,
  type JobRecord,
  type JobRegistry,
  type Provenance,
  type StoredAnswer,
} from '../store/types.js';
import { TRACING_OFF } from '../tracing/settings.js';
import { createTracing, type SpanHandle, type TraceContext, type Tracing } from '../tracing/tracing.js';
import type { CallMeta, OrdsPort } from '../upstream/ords-port.js';
import { routeCreate } from '../upstream/ords-versions.js';
import { isReplay, keyTaken, replayOf } from './answer.js';
import { evidenceToken } from './evidence.js';
import { idempotencyKey as parseKey, requestFingerprint } from './idempotency-key.js';
import type { IntentJournal } from './journal.js';
import { quotaExceeded, quotaRequest } from './quota.js';
import { refreshActiveJobs, refreshDatabaseJobs } from './refresh-active.js';
import { policyTimestamp, tenantPolicy } from './tenant-policy.js';

type JobRequest = components['schemas']['JobRequest'];

export interface CreateInput {
  readonly tenant: TenantConfig;
  readonly principal: string;
  readonly database: DatabaseConfig;
  readonly requestId: string;
  readonly traceparent?: string;
  /** The request's server span (tracing on). */
  readonly trace?: TraceContext;
  /** The body as the client sent it, already valid against the public contract. */
  readonly body: JobRequest;
  /** The raw `Idempotency-Key` header. */
  readonly idempotencyKeyHeader: string | string[] | undefined;
  /**
   * Spends the tenant's create budget, or throws `rate-limited`: called once the request reaches the policy
   * (allowed, refused, or a key reused with another body); a true replay never calls it.
   */
  readonly spendCreateBudget: () => Promise<void>;
}

export interface CreateOutput {
  readonly answer: StoredAnswer;
  readonly replayed: boolean;
}

export interface CreateDeps {
  readonly config: ConfigSource;
  readonly ords: OrdsPort;
  readonly journal: IntentJournal;
  readonly registry: JobRegistry;
  /** Reads jobs from ORDS one by one and records what changed (the job watcher's step), for the quota refresh. */
  readonly look: (records: readonly JobRecord[]) => Promise<void>;
  /** What the tenant's exports produced (the import-provenance rule). */
  readonly provenance: Pick<Provenance, 'candidates'>;
  readonly audit: AuditTrail;
  readonly now: () => Date;
  readonly newId?: () => string;
  /** Spans for the policy and the store calls, under the request's server span (default: none). */
  readonly tracing?: Pick<Tracing, 'span'>;
  /** Where a create sent to another endpoint than the configured one (its ORDS release) is logged. */
  readonly logger?: Pick<Logger, 'info'>;
}

export type CreateJob = (input: CreateInput) => Promise<CreateOutput>;

/** ORDS's RPC endpoints (`export`, `import`) take the same body without `operation`. */
export function upstreamBody(body: JobRequest, createEndpoint: 'jobs' | 'rpc'): Record<string, unknown> {
  if (createEndpoint === 'jobs') return { ...body };
  const { operation: _operation, ...rest } = body;
  return rest;
}

const minute = (at: Date) => at.toISOString().slice(0, 16);

export function createJobUseCase(deps: CreateDeps): CreateJob {
  const { journal } = deps;
  const tracing = deps.tracing ?? createTracing({ settings: TRACING_OFF });
  const newId = deps.newId ?? randomUUID;

  return async function createJob(input) {
    const { tenant, database, body } = input;
    const now = deps.now();
    const config = deps.config.current();
    const meta: CallMeta = {
      requestId: input.requestId,
      ...(input.traceparent ? { traceparent: input.traceparent } : {}),
      ...(input.trace ? { trace: input.trace } : {}),
    };
    /** A child span of the request's server span (nothing when tracing is off). */
    const traced = <T>(name: string, fn: (span: SpanHandle) => T): T => tracing.span(input.trace, { name }, fn);
    const audit: Pick<AuditTrail, 'write' | 'writeAggregated'> = {
      write: (e) => traced('store.audit.write', () => deps.audit.write(e)),
      writeAggregated: (e, aggregate) => traced('store.audit.write', () => deps.audit.writeAggregated(e, aggregate)),
    };
    const key = parseKey(input.idempotencyKeyHeader);
    if (key === undefined && tenant.requireIdempotencyKey) {
      throw new GatewayError('idempotency-key-required', {
        detail: 'This tenant must send an Idempotency-Key with every create.',
      });
    }
    const event = (fields: Pick<AuditEvent, 'decision' | 'status'> & Partial<AuditEvent>): AuditEvent => ({
      at: now.toISOString(),
      tenant: tenant.id,
      principal: input.principal,
      database: database.name,
      requestId: input.requestId,
      request: { operation: body.operation, job_mode: body.job_mode },
      ...fields,
    });

    // 1. Policy: the client's request becomes the gateway's canonical one (with the evidence token in the
    //    export file name the gateway chooses), or every violation is listed. Pure: no budget spent yet.
    const id = newId();
    const token = evidenceToken(id);
    const ownExports =
      body.operation === 'IMPORT' &&
      tenant.grants.importProvenance === 'own_exports' &&
      typeof body.file_name === 'string'
        ? await traced('store.provenance.candidates', () => deps.provenance.candidates(tenant.id, body.file_name!))
        : undefined;
    // The policy stays pure: its span is made here, around the call, with the outcome's shape only (no values).
    const decision = traced('policy.evaluate', (span) => {
      const outcome = evaluatePolicy({
        ...(ownExports ? { ownExports } : {}),
        tenant: tenantPolicy(tenant),
        request: body,
        timestamp: policyTimestamp(now),
        evidenceToken: token,
        limits: { maxListNames: config.policy.maxListNames },
      });
      span.set({
        'datapump.policy.allowed': outcome.allowed,
        'datapump.policy.violations': outcome.allowed ? 0 : outcome.violations.length,
      });
      return outcome;
    });
    const canonical = decision.allowed ? decision.upstream : undefined;
    // The file name the policy makes up carries the time and the token: left out, or a retry would differ.
    const fingerprint = canonical
      ? requestFingerprint(
          database.name,
          body.file_name === undefined ? { ...canonical, file_name: undefined } : canonical,
        )
      : undefined;

    // 2. A true replay (same tenant, key and request, job created) answers at once and costs nothing.
    if (key !== undefined && fingerprint !== undefined) {
      const existing = await traced('store.journal.find', () => journal.find(tenant.id, key));
      if (existing && existing.expiresAt > now.toISOString() && isReplay(existing, fingerprint)) {
        await audit.writeAggregated(
          event({
            decision: 'allowed',
            status: existing.answer.status,
            request: auditedRequest(existing.canonicalRequest as Record<string, unknown>),
            ...(existing.job ? { job: existing.job } : {}),
          }),
          `replay:${tenant.id}:${key}:${minute(now)}`,
        );
        return { answer: replayOf(existing.answer), replayed: true };
      }
    }

    // 3. Everything else that reached the policy spends the create budget, refused or not.
    await input.spendCreateBudget();
    if (!decision.allowed) {
      const errors = decision.violations.map(({ pointer, detail }) => ({ pointer, detail }));
      await audit.write(event({ decision: 'refused', status: decision.status, violations: errors }));
      const n = errors.length;
      throw decision.status === 403
        ? new GatewayError('not-granted', {
            detail: `The request asks for ${n === 1 ? '1 thing' : `${n} things`} the tenant is not granted; each is listed in errors.`,
            errors,
          })
        : new GatewayError('request-unsafe', {
            detail: `The request has ${n === 1 ? '1 unsafe value' : `${n} unsafe values`}; each is listed in errors.`,
            errors,
          });
    }
    const allowed = decision.upstream;
    // What the database's configured ORDS release takes, and on which create endpoint (pure: data in, decision out).
    const route = routeCreate({
      ordsVersion: database.ordsVersion,
      configured: database.createEndpoint,
      request: allowed as unknown as Parameters<typeof routeCreate>[0]['request'],
    });
    if (!route.ok) {
      const errors = route.unsupported.map(({ pointer, detail }) => ({ pointer, detail }));
      await audit.write(event({ decision: 'refused', status: 422, violations: errors }));
      const n = errors.length;
      throw new GatewayError('ords-version-unsupported', {
        detail: `This database's ORDS release (${database.ordsVersion}) cannot take ${n === 1 ? '1 member' : `${n} members`} of the request on any of its create endpoints; each is listed in errors.`,
        errors,
        logContext: { ordsVersion: database.ordsVersion, createEndpoint: database.createEndpoint },
      });
    }
    const endpoint = route.endpoint;
    // An operator configured one endpoint and the release sent the job to the other: said once per create, so a
    // surprise at ORDS (its access log, its audit) can be traced back to the gateway's decision.
    if (route.rerouted) {
      deps.logger?.info(
        {
          requestId: input.requestId,
          tenant: tenant.id,
          database: database.name,
          ordsVersion: database.ordsVersion,
          configured: database.createEndpoint,
          endpoint,
          why: route.why,
        },
        'create sent to the other ORDS endpoint for its release',
      );
    }
    const forwarded = upstreamBody(allowed, endpoint);
    const audited = auditedRequest(forwarded);

    // 4. The claim: the key (if any) and the quotas, in one store transaction, before ORDS is called.
    const intent: Intent = {
      id,
      tenant: tenant.id,
      principal: input.principal,
      database: database.name,
      idempotencyKey: key ?? null,
      fingerprint: fingerprint!,
      operation: allowed.operation,
      jobMode: allowed.job_mode ?? 'SCHEMA',
      canonicalRequest: forwarded,
      requestId: input.requestId,
      // Evidence exists only where the gateway chose the file name, and so put the token into it.
      evidenceToken:
        body.file_name === undefined && typeof allowed.file_name === 'string' && allowed.file_name.includes(token)
          ? token
          : null,
      state: 'pending',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + config.idempotency.ttlMs).toISOString(),
      job: null,
      answer: null,
    };
    let claim = await traced('store.journal.claim', () => journal.claim(intent, quotaRequest(tenant, database, now)));
    if (claim.outcome === 'over-quota' && claim.quota !== 'daily_jobs') {
      // The registry only knows what it last saw: ask ORDS (outside the claim's lock), then claim again.
      if (claim.quota === 'concurrent_jobs') await refreshActiveJobs(deps, tenant);
      else await refreshDatabaseJobs(deps, database);
      claim = await traced('store.journal.claim', () =>
        journal.claim(intent, quotaRequest(tenant, database, deps.now())),
      );
    }
    if (claim.outcome === 'over-quota') {
      await audit.write(
        event({ decision: 'refused', status: 429, request: audited, violations: [{ detail: `quota ${claim.quota}` }] }),
      );
      throw quotaExceeded(claim, tenant, now);
    }
    if (claim.outcome === 'existing') {
      const { existing } = claim;
      if (isReplay(existing, intent.fingerprint)) return { answer: replayOf(existing.answer), replayed: true };
      const refusal = keyTaken(existing, intent.fingerprint, config.reconcile.intervalMs);
      // One event per key and minute, with a count: a client repeating a key cannot grow the audit log.
      await audit.writeAggregated(
        event({
          decision: refusal.slug === 'idempotency-key-reused' ? 'refused' : 'failed',
          status: refusal.status,
          request: audited,
        }),
        `key:${refusal.slug}:${tenant.id}:${key}:${minute(now)}`,
      );
      throw refusal;
    }

    // 5. ORDS, then the journal: what a failure means for the key depends on whether ORDS may have started the job.
    const result = await deps.ords.create(database, forwarded, allowed.operation, meta, endpoint);
    const at = deps.now();
    switch (result.kind) {
      case 'created':
        try {
          return {
            answer: await traced('store.journal.created', () => journal.created(intent, result, database, at)),
            replayed: false,
          };
        } catch (err) {
          if (!(err instanceof JobOwnedElsewhereError)) throw err; // the store failed: the intent stays pending
          const why = `ORDS answered with ${result.job.owner_name},${result.job.job_name}, which the registry holds for another tenant`;
          await traced('store.journal.quarantined', () => journal.quarantined(intent, why, 502, at));
          throw new GatewayError('upstream-invalid-response', {
            detail: 'ORDS answered with a job the gateway cannot give to this tenant; the operators have been told.',
            logContext: { reason: 'job-owned-elsewhere', job: `${result.job.owner_name},${result.job.job_name}` },
          });
        }
      case 'refused':
        await settle(() =>
          traced('store.journal.released', () =>
            journal.released(intent, result.error.message, result.error.status, at),
          ),
        );
        throw result.error;
      case 'in-doubt':
        await settle(() =>
          traced('store.journal.in_doubt', () =>
            journal.inDoubt(intent, result.error.message, result.error.status, at),
          ),
        );
        throw result.error;
    }
  };
}

/** A journal write after ORDS failed: when the store fails too, the intent stays pending (reconciled later). */
async function settle(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch {
    // Reconciliation treats a pending intent older than the create deadline as in doubt.
  }
}

/** @module POST …/datapump/jobs/: policy → idempotency claim → quotas → ORDS → registry → answer (or replay). */
import { randomUUID } from 'node:crypto';

import type { components } from '../../../generated/public.js';
import { auditedRequest, type AuditTrail } from '../jobs/audit.js';
import { gatewayUrls, toPublicJob } from '../jobs/public-job.js';
import type { AuditEvent, Intent, StoredAnswer } from '../jobs/store.js';
import { enforceQuotas } from '../limits/quotas.js';
import type { JobRoute } from '../middleware/database-scope.js';
import type { JobScope } from '../middleware/request-context.js';
import { evaluatePolicy } from '../policy/index.js';
import { GatewayError } from '../problems/gateway-error.js';
import { answerOutcome, outcomeOf, transportOutcome, withOutcome } from '../reliability/create-outcome.js';
import { idempotencyKey, requestFingerprint } from '../reliability/idempotency-key.js';
import { invalidAnswer, ordsFailure } from '../upstream/ords-answers.js';
import { callMeta, type RouteDeps } from './context.js';
import { answerExistingIntent } from './idempotent-replay.js';
import { refreshActiveJobs } from './refresh-active.js';
import { policyTimestamp, tenantPolicy } from './tenant-policy.js';

type JobRequest = components['schemas']['JobRequest'];

export interface CreateJobDeps extends RouteDeps {
  readonly audit: AuditTrail;
}

/** ORDS's RPC endpoints (`export`, `import`) take the same body without `operation`. */
export function upstreamBody(body: JobRequest, createEndpoint: 'jobs' | 'rpc'): Record<string, unknown> {
  if (createEndpoint === 'jobs') return { ...body };
  const { operation: _operation, ...rest } = body;
  return rest;
}

export function createJob(deps: CreateJobDeps): JobRoute {
  return async function createJobHandler(scope, req, res) {
    const { caller, database, tenant } = scope;
    const now = deps.now();
    const config = deps.config.current();
    const key = idempotencyKey(req.headers['idempotency-key']);
    if (key === undefined && tenant.requireIdempotencyKey) {
      throw new GatewayError('idempotency-key-required', {
        detail: 'This tenant must send an Idempotency-Key with every create.',
      });
    }
    const event = {
      at: now.toISOString(),
      tenant: tenant.id,
      principal: caller.principal,
      database: database.name,
      requestId: scope.requestId,
    };

    // 1. Policy: the client's request becomes the gateway's canonical one, or every violation is listed.
    const body = req.body as JobRequest;
    const decision = evaluatePolicy({
      tenant: tenantPolicy(tenant),
      request: body,
      timestamp: policyTimestamp(now),
      limits: { maxListNames: config.policy.maxListNames },
    });
    if (!decision.allowed) {
      const errors = decision.violations.map(({ pointer, detail }) => ({ pointer, detail }));
      await deps.audit.write({
        ...event,
        decision: 'refused',
        status: decision.status,
        request: { operation: body.operation, job_mode: body.job_mode },
        violations: errors,
      });
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
    const canonical = decision.upstream;
    const forwarded = upstreamBody(canonical, database.createEndpoint);

    // 2. The intent journal (and the key's record): written before ORDS is called, atomically per key.
    const intent: Intent = {
      id: randomUUID(),
      tenant: tenant.id,
      principal: caller.principal,
      database: database.name,
      idempotencyKey: key ?? null,
      // The export file name the policy makes up carries the time: leave it out, or a retry a second later would differ.
      fingerprint: requestFingerprint(
        database.name,
        body.file_name === undefined ? { ...canonical, file_name: undefined } : canonical,
      ),
      operation: canonical.operation,
      jobMode: canonical.job_mode ?? 'SCHEMA',
      canonicalRequest: forwarded,
      requestId: event.requestId,
      state: 'pending',
      createdAt: event.at,
      updatedAt: event.at,
      expiresAt: new Date(now.getTime() + config.idempotency.ttlMs).toISOString(),
      job: null,
      answer: null,
    };
    const claim = await deps.jobs.claimIntent(intent);
    if (!claim.claimed) {
      await answerExistingIntent(res, claim.existing, intent.fingerprint, config.reconcile.intervalMs);
      await deps.audit.write({
        ...event,
        decision: 'allowed',
        status: res.statusCode,
        request: auditedRequest(forwarded),
        ...(claim.existing.job ? { job: claim.existing.job } : {}),
      });
      return;
    }

    // 3. Quotas, ORDS, the registry. What a failure means for the key depends on whether ORDS may have started the job.
    let answer: StoredAnswer;
    try {
      answer = await createAllowed(deps, scope, { forwarded, operation: canonical.operation });
    } catch (err) {
      await settleFailed(deps, intent, err);
      await deps.audit.write({
        ...event,
        decision: 'failed',
        status: err instanceof GatewayError ? err.status : 500,
        request: auditedRequest(forwarded),
      });
      throw err;
    }
    const job = answer.body as { owner_name: string; job_name: string };
    await deps.jobs.updateIntent(intent.id, {
      state: 'created',
      updatedAt: deps.now().toISOString(),
      job: { ownerName: job.owner_name, jobName: job.job_name },
      answer,
    });
    await deps.audit.write({
      ...event,
      decision: 'allowed',
      status: 201,
      request: auditedRequest(forwarded),
      job: { ownerName: job.owner_name, jobName: job.job_name },
    } satisfies AuditEvent);
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
}

/** Frees the key when ORDS cannot have started the job; otherwise holds it in doubt for reconciliation. */
async function settleFailed(deps: CreateJobDeps, intent: Intent, err: unknown): Promise<void> {
  try {
    if (outcomeOf(err) === 'in-doubt')
      await deps.jobs.updateIntent(intent.id, { state: 'in-doubt', updatedAt: deps.now().toISOString() });
    else await deps.jobs.deleteIntent(intent.id);
  } catch {
    // The store is failing too: the intent stays pending, and reconciliation treats an old pending intent as in doubt.
  }
}

/** Quotas → ORDS → registry, for a request the policy allowed; returns the answer to send (and to replay). */
async function createAllowed(
  deps: CreateJobDeps,
  scope: JobScope,
  { forwarded, operation }: { forwarded: Record<string, unknown>; operation: JobRequest['operation'] },
): Promise<StoredAnswer> {
  const { caller, database, tenant } = scope;
  // Quotas before ORDS: counted from the registry, which also proves the store is up (fail closed).
  await enforceQuotas({
    tenant,
    jobs: deps.jobs,
    now: deps.now(),
    refreshActive: () => refreshActiveJobs(deps, scope),
  });
  const path = deps.upstreams.client(database).paths.create(operation);
  // No abort signal: once sent, a create must run to its answer so the job is recorded, whatever the client does.
  let ords;
  try {
    ords = await deps.upstreams.json(database, {
      method: 'POST',
      path,
      kind: 'create',
      body: forwarded,
      ...callMeta(scope),
    });
  } catch (err) {
    throw withOutcome(err, transportOutcome(err));
  }
  if (ords.status < 200 || ords.status > 299)
    throw withOutcome(
      ordsFailure(ords, deps.ordsContract, { notFound: 'database-not-found', path }),
      answerOutcome(ords.status),
    );
  // A 2xx whose body is unusable: the job most likely exists.
  if (!deps.ordsContract.isJob(ords.body)) throw withOutcome(invalidAnswer(deps.ordsContract, path), 'in-doubt');
  const job = ords.body;
  const now = deps.now().toISOString();
  try {
    // Recorded before the 201 leaves: a job the client hears of is always one the gateway knows it owns.
    await deps.jobs.record({
      tenant: tenant.id,
      database: database.name,
      ownerName: job.owner_name,
      jobName: job.job_name,
      operation: job.operation,
      jobMode: job.job_mode,
      principal: caller.principal,
      requestId: scope.requestId,
      canonicalRequest: forwarded,
      createdAt: now,
      lastState: job.state,
      lastSeenAt: now,
    });
  } catch (err) {
    // ORDS started the job; only the gateway's memory of it failed. Reconciliation will find it.
    throw withOutcome(err, 'in-doubt');
  }
  const urls = gatewayUrls(deps.config.current().publicUrl, database.name);
  const location = urls.job(job.owner_name, job.job_name);
  const headers: Record<string, string> = {
    Location: location,
    'Content-Location': location,
    'Cache-Control': 'no-store',
  };
  if (typeof ords.headers.etag === 'string') headers.ETag = ords.headers.etag;
  return { status: 201, headers, body: toPublicJob(job, urls) };
}

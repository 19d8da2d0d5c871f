/** @module POST …/datapump/jobs/: forward the accepted request to ORDS, record the job, answer with gateway URLs. */
import type { Request, RequestHandler, Response } from 'express';
import type { components } from '../../../generated/public.js';
import { auditedRequest, type AuditTrail } from '../jobs/audit.js';
import { gatewayUrls, toPublicJob } from '../jobs/public-job.js';
import type { AuditEvent } from '../jobs/store.js';
import { evaluatePolicy } from '../policy/index.js';
import { GatewayError } from '../problems/gateway-error.js';
import { policyTimestamp, tenantPolicy } from './tenant-policy.js';
import { enforceQuotas } from '../limits/quotas.js';
import { refreshActiveJobs } from './refresh-active.js';
import { invalidAnswer, ordsFailure } from '../upstream/ords-answers.js';
import { callMeta, scope, type RouteDeps } from './context.js';

type JobRequest = components['schemas']['JobRequest'];

/** ORDS's RPC endpoints (`export`, `import`) take the same body without `operation`. */
export function upstreamBody(body: JobRequest, createEndpoint: 'jobs' | 'rpc'): Record<string, unknown> {
  if (createEndpoint === 'jobs') return { ...body };
  const { operation: _operation, ...rest } = body;
  return rest;
}

export function createJob(deps: RouteDeps & { audit: AuditTrail }): RequestHandler {
  return async function createJobHandler(req, res) {
    const { caller, database, tenant } = scope(req);
    const now = deps.now();
    const event = {
      at: now.toISOString(), tenant: tenant.id, principal: caller.principal, database: database.name, requestId: callMeta(req).requestId,
    };
    // Policy: the client's request becomes the gateway's canonical one, or every violation is listed.
    const decision = evaluatePolicy({
      tenant: tenantPolicy(tenant), request: req.body as JobRequest, timestamp: policyTimestamp(now),
      limits: { maxListNames: deps.config.current().policy.maxListNames },
    });
    if (!decision.allowed) {
      const errors = decision.violations.map(({ pointer, detail }) => ({ pointer, detail }));
      const body = req.body as JobRequest;
      await deps.audit.write({ ...event, decision: 'refused', status: decision.status, request: { operation: body.operation, job_mode: body.job_mode }, violations: errors });
      const n = errors.length;
      throw decision.status === 403
        ? new GatewayError('not-granted', { detail: `The request asks for ${n === 1 ? '1 thing' : `${n} things`} the tenant is not granted; each is listed in errors.`, errors })
        : new GatewayError('request-unsafe', { detail: `The request has ${n === 1 ? '1 unsafe value' : `${n} unsafe values`}; each is listed in errors.`, errors });
    }
    const canonical = decision.upstream;
    const forwarded = upstreamBody(canonical, database.createEndpoint);
    try {
      await createAllowed(deps, req, res, { forwarded, operation: canonical.operation, event });
    } catch (err) {
      const status = err instanceof GatewayError ? err.status : 500;
      await deps.audit.write({ ...event, decision: 'failed', status, request: auditedRequest(forwarded) });
      throw err;
    }
  };
}

interface Allowed {
  readonly forwarded: Record<string, unknown>;
  readonly operation: JobRequest['operation'];
  readonly event: Pick<AuditEvent, 'at' | 'tenant' | 'principal' | 'database' | 'requestId'>;
}

/** Quotas → ORDS → registry → answer, for a request the policy allowed. */
async function createAllowed(deps: RouteDeps & { audit: AuditTrail }, req: Request, res: Response, { forwarded, operation, event }: Allowed): Promise<void> {
  const { caller, database, tenant } = scope(req);
  // Quotas before ORDS: counted from the registry, which also proves the store is up (fail closed).
  await enforceQuotas({ tenant, jobs: deps.jobs, now: deps.now(), refreshActive: () => refreshActiveJobs(deps, req, tenant) });
  const path = deps.upstreams.client(database).paths.create(operation);
  // No abort signal: once sent, a create must run to its answer so the job is recorded, whatever the client does.
  const answer = await deps.upstreams.json(database, { method: 'POST', path, kind: 'create', body: forwarded, ...callMeta(req) });
  if (answer.status < 200 || answer.status > 299) throw ordsFailure(answer, deps.ordsContract, { notFound: 'database-not-found', path });
  if (!deps.ordsContract.isJob(answer.body)) throw invalidAnswer(deps.ordsContract, path);
  const job = answer.body;
  const now = deps.now().toISOString();
  // Recorded before the 201 leaves: a job the client hears of is always one the gateway knows it owns.
  await deps.jobs.record({
    tenant: tenant.id, database: database.name, ownerName: job.owner_name, jobName: job.job_name,
    operation: job.operation, jobMode: job.job_mode, principal: caller.principal, requestId: callMeta(req).requestId,
    canonicalRequest: forwarded, createdAt: now, lastState: job.state, lastSeenAt: now,
  });
  const urls = gatewayUrls(deps.config.current().publicUrl, database.name);
  const location = urls.job(job.owner_name, job.job_name);
  res.status(201).set({ Location: location, 'Content-Location': location, 'Cache-Control': 'no-store' });
  const etag = answer.headers.etag;
  if (typeof etag === 'string') res.setHeader('ETag', etag);
  await deps.audit.write({ ...event, decision: 'allowed', status: 201, request: auditedRequest(forwarded), job: { ownerName: job.owner_name, jobName: job.job_name } });
  res.json(toPublicJob(job, urls));
}

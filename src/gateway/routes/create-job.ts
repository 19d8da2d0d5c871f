/** @module POST …/datapump/jobs/: forward the accepted request to ORDS, record the job, answer with gateway URLs. */
import type { RequestHandler } from 'express';
import type { components } from '../../../generated/public.js';
import { gatewayUrls, toPublicJob } from '../jobs/public-job.js';
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

export function createJob(deps: RouteDeps): RequestHandler {
  return async function createJobHandler(req, res) {
    const { caller, database, tenant } = scope(req);
    const body = req.body as JobRequest;
    const forwarded = upstreamBody(body, database.createEndpoint);
    // Quotas before ORDS: counted from the registry, which also proves the store is up (fail closed).
    await enforceQuotas({ tenant, jobs: deps.jobs, now: deps.now(), refreshActive: () => refreshActiveJobs(deps, req, tenant) });
    const path = deps.upstreams.client(database).paths.create(body.operation);
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
    res.json(toPublicJob(job, urls));
  };
}

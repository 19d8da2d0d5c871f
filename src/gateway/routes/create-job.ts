/**
 * @module POST …/datapump/jobs/ (and ORDS's RPC forms, …/export and …/import): hands the request to the create use
 * case (create/use-case.ts) and sends its answer, in the path shape the request used.
 */
import type { Request, Response } from 'express';

import type { components } from '../../../generated/public.js';
import { inShape } from '../create/answer.js';
import type { CreateJob } from '../create/use-case.js';
import { gatewayUrls } from '../jobs/public-job.js';
import type { JobRoute } from '../middleware/database-scope.js';

type JobRequest = components['schemas']['JobRequest'];
type RpcRequest = components['schemas']['ExportRequest'] | components['schemas']['ImportRequest'];

export interface CreateRouteDeps {
  readonly createJob: CreateJob;
  /** Spends the request's create budget (limits/rate-limit.ts), when the use case says the request reached the policy. */
  readonly spendCreateBudget: (req: Request, res: Response) => Promise<void>;
  /** The gateway's public URL now: stored answers are in its own path shape, moved to the request's. */
  readonly publicUrl: () => string;
}

/**
 * `operation`: the RPC endpoint's (`…/export`, `…/import`), whose body may leave it out (the contract allows only
 * that very operation there). The body then is exactly a `jobs/` body, so it meets the same policy, and the same
 * Idempotency-Key with the same fields replays the same job whichever form made it.
 */
export function createJobRoute(
  { createJob, spendCreateBudget, publicUrl }: CreateRouteDeps,
  operation?: 'EXPORT' | 'IMPORT',
): JobRoute {
  return async function createJobHandler(scope, req, res) {
    const body = (operation ? { ...(req.body as RpcRequest), operation } : req.body) as JobRequest;
    const { answer } = await createJob({
      tenant: scope.tenant,
      principal: scope.caller.principal,
      database: scope.database,
      requestId: scope.requestId,
      ...(scope.traceparent ? { traceparent: scope.traceparent } : {}),
      ...(scope.trace ? { trace: scope.trace } : {}),
      body,
      idempotencyKeyHeader: req.headers['idempotency-key'],
      spendCreateBudget: () => spendCreateBudget(req, res),
    });
    const shaped =
      answer.status === 201 ? inShape(answer, gatewayUrls(publicUrl(), scope.database.name), scope.urls) : answer;
    res.status(shaped.status).set(shaped.headers).json(shaped.body);
  };
}

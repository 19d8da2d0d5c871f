/** @module POST …/datapump/jobs/: hands the request to the create use case (create/use-case.ts) and sends its answer. */
import type { Request, Response } from 'express';

import type { components } from '../../../generated/public.js';
import type { CreateJob } from '../create/use-case.js';
import type { JobRoute } from '../middleware/database-scope.js';

export interface CreateRouteDeps {
  readonly createJob: CreateJob;
  /** Spends the request's create budget (limits/rate-limit.ts), when the use case says the request reached the policy. */
  readonly spendCreateBudget: (req: Request, res: Response) => Promise<void>;
}

export function createJobRoute({ createJob, spendCreateBudget }: CreateRouteDeps): JobRoute {
  return async function createJobHandler(scope, req, res) {
    const { answer } = await createJob({
      tenant: scope.tenant,
      principal: scope.caller.principal,
      database: scope.database,
      requestId: scope.requestId,
      ...(scope.traceparent ? { traceparent: scope.traceparent } : {}),
      body: req.body as components['schemas']['JobRequest'],
      idempotencyKeyHeader: req.headers['idempotency-key'],
      spendCreateBudget: () => spendCreateBudget(req, res),
    });
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
}

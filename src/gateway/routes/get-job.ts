/** @module GET …/jobs/{owner},{job}/: the caller's job from ORDS (ETag and 304 pass through), or its last known state. */
import { gatewayUrls, historicalJob, toPublicJob } from '../jobs/public-job.js';
import type { JobRoute } from '../middleware/database-scope.js';
import { GatewayError } from '../problems/gateway-error.js';
import { invalidAnswer, ordsFailure } from '../upstream/ords-answers.js';
import { abortOnClose, callMeta, pathParam, type RouteDeps } from './context.js';
import { ownedJob } from './ownership.js';

export function getJob(deps: RouteDeps): JobRoute {
  return async function getJobHandler(scope, req, res) {
    const { database, tenant } = scope;
    const owner = pathParam(req, 'owner_name');
    const name = pathParam(req, 'job_name');
    const record = await ownedJob(deps.jobs, tenant, database.name, owner, name);
    const path = deps.upstreams.client(database).paths.job(owner, name);
    const ifNoneMatch = typeof req.headers['if-none-match'] === 'string' ? req.headers['if-none-match'] : undefined;
    const answer = await deps.upstreams.json(database, {
      method: 'GET',
      path,
      kind: 'read',
      ...callMeta(scope),
      signal: abortOnClose(res),
      ...(ifNoneMatch ? { ifNoneMatch } : {}),
    });
    const urls = gatewayUrls(deps.config.current().publicUrl, database.name);
    res.setHeader('Cache-Control', 'no-store');
    if (answer.status === 304) {
      if (typeof answer.headers.etag === 'string') res.setHeader('ETag', answer.headers.etag);
      res.status(304).end();
      return;
    }
    if (answer.status === 404 && record) {
      // ORDS dropped the job (its control table is gone); the registry still knows how it ended.
      res.json(historicalJob(record, urls));
      return;
    }
    if (answer.status !== 200) throw ordsFailure(answer, deps.ordsContract, { notFound: 'job-not-found', path });
    if (!deps.ordsContract.isJob(answer.body)) throw invalidAnswer(deps.ordsContract, path);
    const job = answer.body;
    if (job.owner_name !== owner || job.job_name !== name) {
      throw new GatewayError('upstream-invalid-response', {
        detail: 'ORDS answered with another job than the one asked for.',
        logContext: { path },
      });
    }
    // Written only when the state moved: a client polling every second must not cost a write per poll.
    if (record && record.lastState !== job.state)
      await deps.jobs.updateState(database.name, owner, name, job.state, deps.now().toISOString());
    if (typeof answer.headers.etag === 'string') res.setHeader('ETag', answer.headers.etag);
    res.json(toPublicJob(job, urls));
  };
}

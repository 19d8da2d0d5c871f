/** @module GET …/jobs/{owner},{job}/: the caller's job from ORDS (ETag and 304 pass through), or its last known state. */
import { fileMediaType, gatewayUrls, historicalJob, jobFileNames, toPublicJob } from '../jobs/public-job.js';
import type { JobRoute } from '../middleware/database-scope.js';
import { GatewayError } from '../problems/gateway-error.js';
import { abortOnClose, callMeta, pathParam, type RouteDeps } from './context.js';
import { ownedJob } from './ownership.js';

export function getJob(deps: RouteDeps): JobRoute {
  return async function getJobHandler(scope, req, res) {
    const { database, tenant } = scope;
    const owner = pathParam(req, 'owner_name');
    const name = pathParam(req, 'job_name');
    const record = await ownedJob(deps.registry, tenant, database.name, owner, name);
    const ifNoneMatch = typeof req.headers['if-none-match'] === 'string' ? req.headers['if-none-match'] : undefined;
    const read = await deps.ords.getJob(database, owner, name, {
      ...callMeta(scope),
      signal: abortOnClose(res),
      ...(ifNoneMatch ? { ifNoneMatch } : {}),
    });
    const urls = gatewayUrls(deps.config.current().publicUrl, database.name);
    res.setHeader('Cache-Control', 'no-store');
    switch (read.kind) {
      case 'not-modified':
        if (read.etag !== undefined) res.setHeader('ETag', read.etag);
        res.status(304).end();
        return;
      case 'gone':
        // ORDS dropped the job (its control table is gone); the registry still knows how it ended.
        if (!record) throw new GatewayError('job-not-found', { detail: 'No such job.' });
        res.json(historicalJob(record, urls));
        return;
      case 'job':
        // Written only when the state moved: a client polling every second must not cost a write per poll.
        if (record && record.lastState !== read.job.state) {
          const seen = deps.now().toISOString();
          await deps.registry.updateState(database.name, owner, name, read.job.state, seen);
          // The dump files an export lists (once it completed) are its tenant's to import later.
          if (record.operation === 'EXPORT') {
            for (const file of jobFileNames(read.job).filter((f) => fileMediaType(f) !== 'text/plain'))
              await deps.provenance.record({ tenant: record.tenant, database: database.name, name: file, at: seen });
          }
        }
        if (read.etag !== undefined) res.setHeader('ETag', read.etag);
        res.json(toPublicJob(read.job, urls));
    }
  };
}

/** @module GET …/jobs/{owner},{job}/{filename}: stream a job's log or dump file from ORDS, byte for byte. */
import { pipeline } from 'node:stream/promises';

import { fileMediaType } from '../jobs/public-job.js';
import type { JobRoute } from '../middleware/database-scope.js';
import { GatewayError } from '../problems/gateway-error.js';
import { abortOnClose, callMeta, pathParam, type RouteDeps } from './context.js';
import { ownedJob } from './ownership.js';

export function getJobFile(deps: RouteDeps): JobRoute {
  return async function getJobFileHandler(scope, req, res) {
    const { database, tenant } = scope;
    const owner = pathParam(req, 'owner_name');
    const name = pathParam(req, 'job_name');
    const filename = pathParam(req, 'filename');
    await ownedJob(deps.registry, tenant, database.name, owner, name);
    const file = await deps.ords.openFile(database, owner, name, filename, {
      ...callMeta(scope),
      signal: abortOnClose(res),
    });
    const upstreamType = String(file.headers['content-type'] ?? '');
    const type = upstreamType.startsWith('text/plain') ? 'text/plain' : fileMediaType(filename);
    res.status(200).set({
      'Content-Type': type === 'text/plain' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      'Cache-Control': 'no-store',
      'Content-Disposition': `attachment; filename="${filename}"`,
    });
    const length = file.headers['content-length'];
    if (typeof length === 'string' && /^\d+$/.test(length)) res.setHeader('Content-Length', length);
    try {
      // Streamed, never buffered: a 1 GiB log costs the gateway a few chunks of memory.
      await pipeline(file.body, res);
    } catch (cause) {
      // ORDS failed part-way: pipeline destroyed the response, so the client sees a cut connection,
      // never a short 200 that looks whole. Log it; there is nothing left to answer.
      throw new GatewayError('upstream-error', {
        detail: 'ORDS failed while sending the file.',
        logContext: { owner, job: name, filename, streamed: true },
        cause,
      });
    }
  };
}

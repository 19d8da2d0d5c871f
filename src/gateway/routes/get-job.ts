/**
 * @module GET …/jobs/{owner},{job}/: the caller's job, from ORDS while ORDS shows it, with its outcome; from the
 * registry once ORDS forgot it (Data Pump drops a successful job). The `ETag` is the gateway's own, and
 * `If-None-Match` is answered here (`304`): the body carries what ORDS does not know (the outcome).
 */
import { bodyEtag, matchesIfNoneMatch } from '../jobs/etag.js';
import { endOf, isTerminalState } from '../jobs/outcome.js';
import { fileMediaType, jobFileNames, type PublicJob, recordedJob, toPublicJob } from '../jobs/public-job.js';
import type { JobRoute } from '../middleware/database-scope.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { JobRecord } from '../store/types.js';
import type { JobResult } from '../upstream/ords-port.js';
import { abortOnClose, callMeta, pathParam, type RouteDeps } from './context.js';
import { ownedJob } from './ownership.js';

export function getJob(deps: RouteDeps): JobRoute {
  return async function getJobHandler(scope, req, res) {
    const { database, tenant } = scope;
    const owner = pathParam(req, 'owner_name');
    const name = pathParam(req, 'job_name');
    let record = await ownedJob(deps.registry, tenant, database.name, owner, name);
    const { urls } = scope; // in the path shape the request used
    let body: PublicJob;
    if (record?.outcome) {
      // Ended, and recorded so: the registry has the last word, and ORDS need not be asked again.
      body = recordedJob(record, urls);
    } else {
      const read = await deps.ords.getJob(database, owner, name, { ...callMeta(scope), signal: abortOnClose(res) });
      if (read.kind === 'not-modified')
        throw new GatewayError('internal-error', { logContext: { reason: '304 unasked' } });
      if (read.kind === 'gone') {
        // ORDS forgot the job: it ended. The watcher settles it now, as its next round would (its log read by the
        // names recorded, where ORDS still serves it); the answer is the registry's.
        if (!record) throw new GatewayError('job-not-found', { detail: 'No such job.' });
        const settled = await settleQuietly(deps, record, read);
        if (settled.outcome) record = settled;
        else {
          // The watcher could not settle it (ORDS failing on its own read): the answer still tells the truth.
          const end = endOf({ ordsState: undefined, logTail: record.logTail, timeZone: database.timeZone })!;
          record = { ...record, lastState: end.state, outcome: end.outcome };
        }
        body = recordedJob(record, urls);
      } else if (record && isTerminalState(read.job.state)) {
        // Ended, not yet recorded: the watcher settles it now (the log's last lines tell a kept success from a
        // failure), so the first poll that sees the end already answers how it ended.
        const settled = await settleQuietly(deps, record, read);
        // Once recorded, a job's answer is the registry's, from this poll on: the body (and its ETag) stays put.
        body = settled.outcome ? recordedJob(settled, urls) : toPublicJob(read.job, urls, record, database.timeZone);
      } else {
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
        body = toPublicJob(read.job, urls, record, database.timeZone);
      }
    }
    const etag = bodyEtag(body);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('ETag', etag);
    const ifNoneMatch = typeof req.headers['if-none-match'] === 'string' ? req.headers['if-none-match'] : undefined;
    if (matchesIfNoneMatch(ifNoneMatch, etag)) {
      res.status(304).end();
      return;
    }
    res.json(body);
  };
}

/**
 * The watcher's step for a job this poll saw end: a failure to record it (the store, or the log's read) leaves the
 * answer to what ORDS said, and the watcher's next round records it.
 */
async function settleQuietly(deps: RouteDeps, record: JobRecord, read: JobResult): Promise<JobRecord> {
  try {
    return await deps.settle(record, read);
  } catch {
    return record;
  }
}

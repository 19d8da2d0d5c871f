/**
 * @module GET …/jobs/{owner},{job}/: the caller's job, from ORDS while ORDS shows it, with its outcome; from the
 * registry once ORDS forgot it (Data Pump drops a successful job). The `ETag` is the gateway's own, and
 * `If-None-Match` is answered here (`304`): the body carries what ORDS does not know (the outcome). Polls of one job
 * share this replica's reads of it (watch/job-views.ts), and with `Prefer: wait=N` a poll waits for a change.
 */
import type { DatabaseConfig } from '../config/types.js';
import { preferredWait } from '../http/prefer.js';
import { bodyEtag, matchesIfNoneMatch } from '../jobs/etag.js';
import { endOf, isTerminalState } from '../jobs/outcome.js';
import { fileMediaType, jobFileNames, type PublicJob, recordedJob, toPublicJob } from '../jobs/public-job.js';
import type { JobRoute } from '../middleware/database-scope.js';
import type { JobScope } from '../middleware/request-context.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { JobRecord } from '../store/types.js';
import type { JobResult } from '../upstream/ords-port.js';
import type { JobView } from '../watch/job-views.js';
import { abortOnClose, callMeta, pathParam, type RouteDeps } from './context.js';
import { authorised, ownedJob } from './ownership.js';

/**
 * Long-polls one tenant may have waiting at once on a replica; past it, a poll is answered at once (without
 * `Preference-Applied`), as RFC 7240 lets a server do: waiting holds a socket, and one tenant must not hold them all.
 */
export const MAX_WAITING_PER_TENANT = 100;

interface Answer {
  readonly body: PublicJob;
  readonly etag: string;
  /** The registry's record the body was made with (what a waiting poll compares the store against). */
  readonly record: JobRecord | undefined;
}

export function getJob(deps: RouteDeps): JobRoute {
  const waitingByTenant = new Map<string, number>();
  // The answer made from one kept read, per path shape: polls within the window skip the projection and the hash.
  const made = new WeakMap<JobView, Map<string, Answer>>();
  const answerOf = (scope: JobScope, owner: string, name: string, signal: AbortSignal) =>
    currentAnswer(deps, made, scope, owner, name, signal);

  return async function getJobHandler(scope, req, res) {
    const owner = pathParam(req, 'owner_name');
    const name = pathParam(req, 'job_name');
    const ifNoneMatch = typeof req.headers['if-none-match'] === 'string' ? req.headers['if-none-match'] : undefined;
    // A wait needs something to compare with: without If-None-Match, `Prefer: wait` is ignored.
    const wait = ifNoneMatch === undefined ? undefined : preferredWait(req.headers.prefer);
    const signal = abortOnClose(res);
    let answer = await answerOf(scope, owner, name, signal);

    const tenant = scope.tenant.id;
    const held = waitingByTenant.get(tenant) ?? 0;
    if (wait !== undefined && held < MAX_WAITING_PER_TENANT) {
      res.setHeader('Preference-Applied', `wait=${wait}`);
      waitingByTenant.set(tenant, held + 1);
      try {
        const deadline = deps.now().getTime() + wait * 1000;
        // An ended job never changes again: nothing to wait for.
        while (matchesIfNoneMatch(ifNoneMatch, answer.etag) && !answer.record?.outcome) {
          const end = await deps.views.waitForChange(
            scope.database.name,
            owner,
            name,
            answer.record,
            deadline - deps.now().getTime(),
            signal,
          );
          if (end === 'aborted') return; // the client went away: nobody to answer
          // On shutdown, what is known now is the answer: the body just compared, unchanged. The wait was cut
          // short, so the answer does not claim it was honoured (a client then polls on its own schedule).
          if (end === 'closing') res.removeHeader('Preference-Applied');
          if (end !== 'changed') break;
          answer = await answerOf(scope, owner, name, signal);
        }
      } finally {
        const left = (waitingByTenant.get(tenant) ?? 1) - 1;
        if (left > 0) waitingByTenant.set(tenant, left);
        else waitingByTenant.delete(tenant);
      }
    }

    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('ETag', answer.etag);
    if (matchesIfNoneMatch(ifNoneMatch, answer.etag)) {
      res.status(304).end();
      return;
    }
    res.json(answer.body);
  };
}

/** The job as the caller may see it now: from an ended job's kept record, this replica's fresh read, or ORDS. */
async function currentAnswer(
  deps: RouteDeps,
  made: WeakMap<JobView, Map<string, Answer>>,
  scope: JobScope,
  owner: string,
  name: string,
  signal: AbortSignal,
): Promise<Answer> {
  const { database, tenant, urls } = scope;
  // Ended, and recorded so: the registry has the last word, and ORDS need not be asked again.
  const ended = deps.ended.get(database.name, owner, name);
  if (ended) return answered(recordedJob(authorised(tenant, ended)!, urls), ended);
  // Read from ORDS by this replica a moment ago (the watcher, or another poll): the same answer, no I/O.
  const fresh = deps.views.fresh(database.name, owner, name);
  if (fresh) {
    authorised(tenant, fresh.record);
    let byShape = made.get(fresh);
    const known = byShape?.get(urls.base);
    if (known) return known;
    const answer = await fromRead(deps, scope, fresh.record, fresh.read, false);
    // A running job's answer only: an ended one's goes through the settling step, then the ended record.
    if (fresh.read.kind === 'job' && !isTerminalState(fresh.read.job.state)) {
      if (!byShape) made.set(fresh, (byShape = new Map()));
      byShape.set(urls.base, answer);
    }
    return answer;
  }

  const record = await ownedJob(deps.registry, tenant, database.name, owner, name);
  if (record?.outcome) {
    deps.ended.remember(record);
    return answered(recordedJob(record, urls), record);
  }
  // Shared by every poll of the job meanwhile, and aborted only once all of them went away.
  const got = await deps.views.read(
    database.name,
    owner,
    name,
    record,
    (shared) => deps.ords.getJob(database, owner, name, { ...callMeta(scope), signal: shared }),
    signal,
  );
  return fromRead(deps, scope, record, got.read, got.own);
}

/** What one read of the job (`own`: made by this poll, which then writes what it learnt) answers. */
async function fromRead(
  deps: RouteDeps,
  scope: JobScope,
  record: JobRecord | undefined,
  read: JobResult,
  own: boolean,
): Promise<Answer> {
  const { database, urls } = scope;
  if (read.kind === 'not-modified') throw new GatewayError('internal-error', { logContext: { reason: '304 unasked' } });
  if (read.kind === 'gone') {
    // ORDS forgot the job: it ended. The watcher settles it now, as its next round would (its log read by the
    // names recorded, where ORDS still serves it); the answer is the registry's.
    if (!record) throw new GatewayError('job-not-found', { detail: 'No such job.' });
    const settled = await settleOnce(deps, database, record, read);
    if (settled.outcome) return answered(recordedJob(settled, urls), settled);
    // The watcher could not settle it (ORDS failing on its own read): the answer still tells the truth.
    const end = endOf({ ordsState: undefined, logTail: record.logTail, timeZone: database.timeZone })!;
    const told = { ...record, lastState: end.state, outcome: end.outcome };
    return answered(recordedJob(told, urls), record);
  }
  if (record && isTerminalState(read.job.state)) {
    // Ended, not yet recorded: the watcher settles it now (the log's last lines tell a kept success from a
    // failure), so the first poll that sees the end already answers how it ended.
    const settled = await settleOnce(deps, database, record, read);
    // Once recorded, a job's answer is the registry's, from this poll on: the body (and its ETag) stays put.
    if (settled.outcome) return answered(recordedJob(settled, urls), settled);
    return answered(toPublicJob(read.job, urls, record, database.timeZone), record);
  }
  // Written only when the state moved, and by the poll that read it: polling must not cost a write per poll.
  if (own && record && record.lastState !== read.job.state) {
    const seen = deps.now().toISOString();
    await deps.registry.updateState(database.name, record.ownerName, record.jobName, read.job.state, seen);
    // The dump files an export lists (once it completed) are its tenant's to import later.
    if (record.operation === 'EXPORT') {
      for (const file of jobFileNames(read.job).filter((f) => fileMediaType(f) !== 'text/plain'))
        await deps.provenance.record({ tenant: record.tenant, database: database.name, name: file, at: seen });
    }
    deps.views.changed(database.name, record.ownerName, record.jobName);
  }
  return answered(toPublicJob(read.job, urls, record, database.timeZone), record);
}

function answered(body: PublicJob, record: JobRecord | undefined): Answer {
  return { body, etag: bodyEtag(body), record };
}

/**
 * The watcher's step for a job a poll saw end, once per job however many polls saw it at once. A failure to record
 * it (the store, or the log's read) leaves the answer to what ORDS said, and the watcher's next round records it.
 */
async function settleOnce(
  deps: RouteDeps,
  database: DatabaseConfig,
  record: JobRecord,
  read: JobResult,
): Promise<JobRecord> {
  const settled = await deps.views.once(database.name, record.ownerName, record.jobName, async () => {
    try {
      return await deps.settle(record, read);
    } catch {
      return record;
    }
  });
  if (settled.outcome) deps.ended.remember(settled);
  return settled;
}

// GET jobs/{owner},{job}/: the job with its links, an ETag, and 304 for a matching If-None-Match.
import type { AuthenticatedContext, EmulatorState } from '../context.js';
import { etagOf, jobBody, matchesIfNoneMatch } from '../job-view.js';
import { ordsError } from '../ords-errors.js';
import type { Reply } from '../reply.js';

export function getJob(state: EmulatorState, ctx: AuthenticatedContext): Reply {
  const job = state.jobs.find(ctx.route.owner, ctx.route.jobName);
  if (!job)
    return ordsError(
      404,
      state.options.ids,
      `The Data Pump job ${ctx.route.owner},${ctx.route.jobName} does not exist`,
    );
  const json = JSON.stringify(jobBody(job, ctx.now, ctx.urls, true));
  // The ETag covers the whole answer, so it changes as soon as the state (or anything else) does.
  const etag = etagOf(json);
  if (matchesIfNoneMatch(ctx.req.headers['if-none-match'], etag)) return { status: 304, headers: { ETag: etag } };
  return { status: 200, headers: { 'Content-Type': 'application/json', ETag: etag }, body: json, json: true };
}

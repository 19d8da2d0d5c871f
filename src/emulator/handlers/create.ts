// POST jobs/, export and import: ORDS's checks, then a new job answered with 201, Location and ETag.
import { type CreateEndpoint, minimalCheck } from '../body-validator.js';
import type { AuthenticatedContext, EmulatorState } from '../context.js';
import { mediaType } from '../http-body.js';
import type { Operation } from '../job-params.js';
import { etagOf, jobBody } from '../job-view.js';
import { ordsError } from '../ords-errors.js';
import type { Reply } from '../reply.js';

function problems(state: EmulatorState, ctx: AuthenticatedContext, endpoint: CreateEndpoint): string[] {
  const { body } = ctx;
  const type = mediaType(ctx.req.headers['content-type']);
  if (state.validator && type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    return [`The request body must be application/json, not ${type}`];
  }
  if (body.value === undefined) return ['A request body is required'];
  if (body.jsonError !== undefined) return [`The request body is not valid JSON: ${body.jsonError}`];
  return state.validator ? state.validator.check(endpoint, body.value) : minimalCheck(endpoint, body.value);
}

export function createJob(state: EmulatorState, ctx: AuthenticatedContext, endpoint: CreateEndpoint): Reply {
  const found = problems(state, ctx, endpoint);
  if (found.length > 0) return ordsError(400, state.options.ids, found.join('; '));
  const body = ctx.body.value as Record<string, unknown>;
  const operation = (endpoint === 'jobs' ? body.operation : endpoint.toUpperCase()) as Operation;
  // The job is stored as data; nothing in the body is ever executed or interpreted.
  const job = state.jobs.create(ctx.principal.owner, operation, body);
  const json = JSON.stringify(jobBody(job, ctx.now, ctx.urls, true));
  const href = ctx.urls.job(job.owner, job.name);
  return {
    status: 201,
    headers: { 'Content-Type': 'application/json', Location: href, 'Content-Location': href, ETag: etagOf(json) },
    body: json,
    json: true,
  };
}

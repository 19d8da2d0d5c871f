// POST jobs/, export and import: ORDS's checks, then a new job answered with 201, Location and ETag.
import type { BodyCheck, CreateEndpoint } from '../body-validator.js';
import type { AuthenticatedContext, EmulatorState } from '../context.js';
import { mediaType } from '../http-body.js';
import type { Operation } from '../job-params.js';
import { etagOf, jobBody } from '../job-view.js';
import { ordsError } from '../ords-errors.js';
import type { Reply } from '../reply.js';

/** What ORDS acts on: the body as the validation mode leaves it, or every problem with the request. */
function checkBody(state: EmulatorState, ctx: AuthenticatedContext, endpoint: CreateEndpoint): BodyCheck {
  const { body } = ctx;
  const type = mediaType(ctx.req.headers['content-type']);
  if (state.validator.mode !== 'off' && type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    return { ok: false, problems: [`The request body must be application/json, not ${type}`] };
  }
  if (body.value === undefined) return { ok: false, problems: ['A request body is required'] };
  if (body.jsonError !== undefined)
    return { ok: false, problems: [`The request body is not valid JSON: ${body.jsonError}`] };
  return state.validator.check(endpoint, body.value);
}

export function createJob(state: EmulatorState, ctx: AuthenticatedContext, endpoint: CreateEndpoint): Reply {
  const checked = checkBody(state, ctx, endpoint);
  if (!checked.ok) return ordsError(400, state.options.ids, checked.problems.join('; '));
  const { body } = checked;
  const operation = (endpoint === 'jobs' ? body.operation : endpoint.toUpperCase()) as Operation;
  // ORDS 19.x/20.x: "only the export operation is allowed in this implementation version" (DB 19c REST book
  // F32587_01, POST jobs/); its POST import takes imports.
  if (endpoint === 'jobs' && operation === 'IMPORT' && !state.release.jobsImport) {
    return ordsError(
      400,
      state.options.ids,
      `Only the export operation is allowed in this implementation version (ORDS ${state.release.version})`,
    );
  }
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

// Runs one ORDS request: method check (405), authentication (401), then the route's handler.
import type { AuthenticatedContext, EmulatorState, RequestContext } from './context.js';
import { createJob } from './handlers/create.js';
import { getJobFile } from './handlers/file.js';
import { getJob } from './handlers/job.js';
import { listJobs } from './handlers/list.js';
import { metadataCatalog, openApi } from './handlers/metadata.js';
import { issueToken } from './handlers/token.js';
import { ordsError } from './ords-errors.js';
import type { Reply } from './reply.js';
import { allowedMethods } from './router.js';

export function dispatch(state: EmulatorState, ctx: RequestContext): Reply {
  const { resource } = ctx.route;
  const method = ctx.req.method ?? 'GET';
  const allow = allowedMethods(resource);
  if (!allow.includes(method)) {
    return ordsError(405, state.options.ids, `The ${method} method is not supported for this resource`, {
      Allow: allow.join(', '),
    });
  }
  // The token endpoint authenticates OAuth clients, not database users.
  if (resource === 'token') return issueToken(state, ctx);
  const principal = state.auth.authenticate(ctx.req.headers.authorization);
  if (!principal) return ordsError(401, state.options.ids);
  const authed: AuthenticatedContext = { ...ctx, principal };
  switch (resource) {
    case 'jobs':
      return method === 'POST' ? createJob(state, authed, 'jobs') : listJobs(state, authed);
    case 'export':
      return createJob(state, authed, 'export');
    case 'import':
      return createJob(state, authed, 'import');
    case 'job':
      return getJob(state, authed);
    case 'file':
      return getJobFile(state, authed);
    case 'metadata':
      return metadataCatalog(authed);
    case 'openapi':
      return openApi(state, authed);
  }
}

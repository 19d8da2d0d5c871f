// GET metadata-catalog/: a small catalogue, enough for clients that use it as a liveness probe; and
// metadata-catalog/openapi.json, the OpenAPI document of the release played.
import type { AuthenticatedContext, EmulatorState } from '../context.js';
import { openApiDocument } from '../ords-release.js';
import { jsonReply, type Reply } from '../reply.js';

export function metadataCatalog(ctx: AuthenticatedContext): Reply {
  return jsonReply(200, {
    items: [{ name: 'database/datapump/jobs', links: [{ rel: 'describes', href: ctx.urls.jobs }] }],
    links: [{ rel: 'self', href: ctx.urls.metadata }],
  });
}

/** The release's OpenAPI document: `info.version` is `ordsVersion`, `paths` the Data Pump calls it has. */
export function openApi(state: EmulatorState, ctx: AuthenticatedContext): Reply {
  return jsonReply(200, openApiDocument(state.release, ctx.urls.root));
}

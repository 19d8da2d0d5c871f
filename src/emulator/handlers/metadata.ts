// GET metadata-catalog/: a small catalogue, enough for clients that use it as a liveness probe.
import type { AuthenticatedContext } from '../context.js';
import { jsonReply, type Reply } from '../reply.js';

export function metadataCatalog(ctx: AuthenticatedContext): Reply {
  return jsonReply(200, {
    items: [{ name: 'database/datapump/jobs', links: [{ rel: 'describes', href: ctx.urls.jobs }] }],
    links: [{ rel: 'self', href: ctx.urls.metadata }],
  });
}

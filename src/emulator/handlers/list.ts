// GET jobs/: every owner's jobs (DBA_DATAPUMP_JOBS) as an ORDS collection page.
import type { components } from '../../../generated/ords.js';
import type { AuthenticatedContext, EmulatorState } from '../context.js';
import { jobBody, type Link, type OrdsJob } from '../job-view.js';
import { parseListQuery } from '../list-query.js';
import { ordsError } from '../ords-errors.js';
import { jsonReply, type Reply } from '../reply.js';

type Collection = components['schemas']['OrdsJobCollection'];

export function listJobs(state: EmulatorState, ctx: AuthenticatedContext): Reply {
  const { defaultLimit, maxLimit, ignorePaging } = state.options;
  const parsed = parseListQuery(ctx.query, defaultLimit, maxLimit, ignorePaging);
  if (!parsed.ok) return ordsError(400, state.options.ids, parsed.message);
  const { limit, offset, filter } = parsed.query;
  const q = ctx.query.get('q');
  let items: OrdsJob[];
  let total: number;
  if (q) {
    const matching = state.jobs
      .visible()
      .map((job) => jobBody(job, ctx.now, ctx.urls, false))
      .filter(filter);
    total = matching.length;
    items = matching.slice(offset, offset + limit);
  } else {
    // Without `q`, only the page is rendered: listing stays cheap however many jobs a benchmark made.
    const page = state.jobs.page(offset, limit);
    total = page.total;
    items = page.jobs.map((job) => jobBody(job, ctx.now, ctx.urls, false));
  }
  const hasMore = offset + items.length < total;
  // The members and links count from what was applied, so under `ignorePaging` they stay truthful: with `offset`
  // ignored every page says offset 0 and its `next` link asks for `offset=<count>` again, which (ignored once more)
  // gives the first page again, as an ORDS ignoring `offset` would; with `limit` ignored they carry `defaultLimit`.
  const page = (at: number) => {
    const params = new URLSearchParams({ limit: String(limit), offset: String(at) });
    if (q) params.set('q', q);
    return `${ctx.urls.jobs}?${params.toString()}`;
  };
  const links: Link[] = [
    { rel: 'self', href: `${ctx.urls.jobs}${ctx.search}` },
    { rel: 'describedby', href: ctx.urls.metadata },
    { rel: 'first', href: page(0) },
  ];
  if (offset > 0) links.push({ rel: 'prev', href: page(Math.max(0, offset - limit)) });
  if (hasMore) links.push({ rel: 'next', href: page(offset + items.length) });
  const body: Collection = { items, hasMore, limit, offset, count: items.length, links };
  return jsonReply(200, body);
}

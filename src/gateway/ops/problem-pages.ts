/**
 * @module The pages behind the problem `type` URIs: /problems/ and /problems/{slug}, public documentation (no
 * credential): what the problem means (the contract's text), an example answer and how to fix it (guides.ts).
 * Anything else under /problems/ is a 404 here, so it never reaches authentication (a 401 for a page that does
 * not exist would only confuse) nor any other route.
 */
import { STATUS_CODES } from 'node:http';

import { type RequestHandler, Router } from 'express';
import { marked } from 'marked';

import type { OpenApiDocument } from '../../contract/documents.js';
import { type ProblemBody, PROBLEMS, type ProblemSlug, problemType } from '../problems/catalogue.js';
import { GatewayError } from '../problems/gateway-error.js';
import { PROBLEM_GUIDES } from '../problems/guides.js';

interface Entry {
  title: string;
  'x-title': string;
  'x-status': number;
  description: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Our own Markdown (the contract's descriptions, the guides): rendered, not sanitised; nothing a caller sent. */
const markdown = (text: string) => marked.parse(text, { async: false, gfm: true });

const isSlug = (slug: string): slug is ProblemSlug => Object.hasOwn(PROBLEMS, slug);

/** The example answer of a problem type, as the gateway would send it. */
export function exampleProblem(slug: ProblemSlug): ProblemBody {
  return {
    type: problemType(slug),
    title: PROBLEMS[slug].title,
    status: PROBLEMS[slug].status,
    ...PROBLEM_GUIDES[slug].example,
  };
}

export function problemPages({ publicContract }: { publicContract: OpenApiDocument }): Router {
  const schema = (publicContract.components.schemas as Record<string, { oneOf?: Entry[] }>).ProblemType;
  const entries = (schema?.oneOf ?? []).filter((e) => isSlug(e.title));
  // Built once: the pages are the same for every request.
  const pages = new Map(entries.map((e) => [e.title, page(e['x-title'], problemBody(e))]));
  const index = page(
    'Problem types',
    `<p>Every error this gateway answers is an RFC 9457 <code>application/problem+json</code> body whose <code>type</code> is one of these URIs; match on it, not on <code>title</code>.</p><ul>${entries
      .map(
        (e) =>
          `<li><a href="${escapeHtml(e.title)}"><code>${escapeHtml(e.title)}</code></a> (${e['x-status']}): ${escapeHtml(e['x-title'])}</li>`,
      )
      .join('')}</ul>`,
  );

  const notFound: RequestHandler = (_req, _res, next) => {
    next(new GatewayError('not-found', { detail: 'No such problem type; /problems/ lists them all.' }));
  };
  const router = Router();
  router.get('/problems/', (_req, res) => {
    res.type('html').send(index);
  });
  router.get('/problems/:slug', (req, res, next) => {
    const html = pages.get(req.params.slug);
    if (html === undefined) return notFound(req, res, next);
    res.type('html').send(html);
  });
  // Any other path or method under /problems: the same 404, before authentication.
  router.use('/problems', notFound);
  return router;
}

function problemBody(entry: Entry): string {
  const slug = entry.title as ProblemSlug;
  const status = entry['x-status'];
  const example = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\nContent-Type: application/problem+json\n\n${JSON.stringify(exampleProblem(slug), null, 2)}`;
  return [
    `<p>HTTP ${status} · <code>${escapeHtml(problemType(slug))}</code></p>`,
    markdown(entry.description),
    '<h2>Example</h2>',
    `<pre><code>${escapeHtml(example)}</code></pre>`,
    '<h2>How to fix it</h2>',
    markdown(PROBLEM_GUIDES[slug].fix),
    '<p><a href="./">All problem types</a> · <a href="../docs/">The API</a></p>',
  ].join('');
}

/** No script at all, so helmet's CSP (`script-src 'self'`) has nothing to refuse; the style is allowed inline. */
function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} — datapump-gateway</title><style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}pre{background:#f4f4f4;padding:1rem;overflow-x:auto}code{font-size:.95em}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

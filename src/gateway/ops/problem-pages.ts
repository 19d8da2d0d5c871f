/** @module The pages behind the problem `type` URIs: /problems/{slug}, one short HTML page each. */
import { Router } from 'express';

import type { OpenApiDocument } from '../../contract/documents.js';

interface Entry {
  title: string;
  'x-title': string;
  'x-status': number;
  description: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function problemPages({ publicContract }: { publicContract: OpenApiDocument }): Router {
  const schema = (publicContract.components.schemas as Record<string, { oneOf?: Entry[] }>).ProblemType;
  const entries = new Map((schema?.oneOf ?? []).map((e) => [e.title, e]));
  const router = Router();
  router.get('/problems/', (_req, res) => {
    const items = [...entries.values()].map(
      (e) =>
        `<li><a href="${escapeHtml(e.title)}">${escapeHtml(e.title)}</a> (${e['x-status']}): ${escapeHtml(e['x-title'])}</li>`,
    );
    res.type('html').send(page('Problem types', `<ul>${items.join('')}</ul>`));
  });
  router.get('/problems/:slug', (req, res, next) => {
    const entry = entries.get(req.params.slug);
    if (!entry) {
      next();
      return;
    }
    res
      .type('html')
      .send(
        page(
          entry['x-title'],
          `<p>HTTP ${entry['x-status']} · <code>${escapeHtml(entry.title)}</code></p><p>${escapeHtml(entry.description)}</p><p><a href="./">All problem types</a></p>`,
        ),
      );
  });
  return router;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} — datapump-gateway</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

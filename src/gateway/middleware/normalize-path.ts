/** @module Serves `/jobs` and `/jobs/OWNER,JOB` like their trailing-slash forms, without a redirect. */
import type { RequestHandler } from 'express';

// Only the contract paths that end in '/' (the job list and a job, on either path shape) get it added; a file path,
// …/export and …/import never do.
const NEEDS_SLASH =
  /^((?:\/databases\/[^/]+|\/ords\/[^/]+\/[^/]+\/_\/db-api\/[^/]+\/database)\/datapump\/jobs(?:\/[^/]+)?)$/;

export function normalizePath(): RequestHandler {
  return function normalizePathMiddleware(req, _res, next) {
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    // Clients will not re-POST after a 301/308, so rewrite in place rather than redirect.
    if (NEEDS_SLASH.test(path)) req.url = `${path}/${q === -1 ? '' : req.url.slice(q)}`;
    next();
  };
}

/** @module One JSON access-log line per request, written when the answer is done, with no credential in it. */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

import { traceIdOf } from '../tracing/tracing.js';
import { requestContext } from './request-context.js';

/** Paths pino redacts wherever they appear in any line the gateway writes (the server's logger uses them). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.client_secret',
  '*.clientSecret',
  '*.credential_name',
  '*.apiKey',
  '*.api_key',
];

/**
 * Logs method, path, status, time, request id, tenant and trace id — never headers or bodies, so no credential can
 * reach the line. Written by hand rather than with pino-http, whose child logger per request cost 14 % of
 * a job poll (bench/README.md).
 *
 * The line is written through one child logger made here, once, without the app logger's redaction: its fields are
 * the list below and nothing else (strings and numbers the gateway picks, no header, no body), so no redaction path
 * can ever match in it, and running them over every line was most of its cost. Every other line keeps REDACT_PATHS.
 * (A child copies its parent's level once; `log_level` needs a restart (reload.ts), so that copy never goes stale.)
 * One `close` listener per request: `close` comes for every answer, one tick after `finish` for a completed one and
 * alone for an answer cut before its end (then `request aborted`).
 */
export function accessLog({ logger }: { logger: Logger }): RequestHandler {
  const access = logger.child({}, { redact: [] });
  return function accessLogMiddleware(req, res, next) {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      // Read when the answer is done: by then authentication has set the caller (or never will).
      const context = requestContext(req);
      const line = {
        req: {
          id: context.requestId,
          method: req.method,
          url: req.originalUrl,
          userAgent: req.headers['user-agent'],
        },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        tenant: context.caller?.tenant.id,
        // Tracing on: the trace this request's spans are in, to go from the line to the trace.
        traceId: traceIdOf(context.trace),
      };
      if (!res.writableFinished) access.warn(line, 'request aborted');
      else if (res.statusCode >= 500) access.error(line, 'request completed');
      else access.info(line, 'request completed');
    });
    next();
  };
}

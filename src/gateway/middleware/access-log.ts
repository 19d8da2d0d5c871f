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
 */
export function accessLog({ logger }: { logger: Logger }): RequestHandler {
  return function accessLogMiddleware(req, res, next) {
    const started = process.hrtime.bigint();
    let logged = false;
    const done = (aborted: boolean) => {
      if (logged) return;
      logged = true;
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
      if (aborted) logger.warn(line, 'request aborted');
      else if (res.statusCode >= 500) logger.error(line, 'request completed');
      else logger.info(line, 'request completed');
    };
    res.once('finish', () => done(false));
    res.once('close', () => done(!res.writableFinished));
    next();
  };
}

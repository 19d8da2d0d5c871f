/** @module One JSON access-log line per request (pino-http), with every credential redacted. */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** Paths pino redacts wherever they appear in a log line the gateway writes. */
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

export function accessLog({ logger }: { logger: Logger }): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req) => String(req.headers['x-request-id']),
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customProps: (req) => ({ tenant: (req as { caller?: { tenant: { id: string } } }).caller?.tenant.id }),
    // Log what an operator needs, not the whole header set.
    serializers: {
      req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
        id: req.id, method: req.method, url: req.url, userAgent: req.headers['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}

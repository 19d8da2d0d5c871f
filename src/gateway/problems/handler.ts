/** @module The single Express error handler: every failure leaves the gateway as application/problem+json. */
import { STATUS_CODES } from 'node:http';

import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';

import { maybeRequestContext } from '../middleware/request-context.js';
import { type ProblemBody, PROBLEMS, problemType } from './catalogue.js';
import { classify } from './from-error.js';
import { type GatewayError, MAX_LISTED_FAULTS } from './gateway-error.js';

export interface ProblemHandlerOptions {
  readonly logger: Logger;
  /** Counts each answered problem by slug (the metrics' "rejections by reason"). */
  readonly onProblem?: (slug: string, status: number) => void;
}

export function problemBody(error: GatewayError, requestId: string | undefined): ProblemBody {
  const body: ProblemBody = {
    type: problemType(error.slug),
    title: PROBLEMS[error.slug].title,
    status: error.status,
  };
  if (error.detail) body.detail = error.detail;
  if (requestId) body.request_id = requestId;
  if (error.errors && error.errors.length > 0) {
    // At most MAX_LISTED_FAULTS (the contract's maxItems); the rest are only counted.
    body.errors = error.errors.slice(0, MAX_LISTED_FAULTS);
    const omitted = error.errors.length - body.errors.length;
    if (omitted > 0) body.errors_omitted = Math.min(omitted, 1_000_000);
  }
  Object.assign(body, error.extensions ?? {});
  return body;
}

/**
 * A whole HTTP/1.1 problem answer as bytes, for a socket no Express response exists for (Node's own parser
 * refused the request: see http/client-errors.ts). No request id: none was read. The connection is closed
 * after it, since what follows on the socket cannot be trusted to start a request.
 */
export function rawProblemResponse(error: GatewayError): Buffer {
  const body = Buffer.from(JSON.stringify(problemBody(error, undefined)), 'utf8');
  const headers: Record<string, string> = {
    ...error.headers,
    Date: new Date().toUTCString(),
    'Content-Type': 'application/problem+json',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  };
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Writes a problem answer. Used by the handler and by middleware that answers before routing. */
export function sendProblem(res: Response, error: GatewayError, requestId: string | undefined): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-store');
  // send(), not json(): a problem must never itself be re-validated into another error.
  res
    .status(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(problemBody(error, requestId)));
}

export function createProblemHandler({ logger, onProblem }: ProblemHandlerOptions): ErrorRequestHandler {
  return function problemHandler(err, req, res, _next) {
    const error = classify(err);
    const requestId = maybeRequestContext(req)?.requestId;
    const log = logger;
    const context = { problem: error.slug, status: error.status, requestId, ...error.logContext };
    if (error.status >= 500) log.error({ ...context, err: error.cause ?? error }, error.message);
    else log.info(context, error.message);
    onProblem?.(error.slug, error.status);
    if (res.headersSent) {
      // A streamed answer already started: cut the connection so the client cannot mistake it for a whole one.
      res.destroy(error);
      return;
    }
    sendProblem(res, error, requestId);
  };
}

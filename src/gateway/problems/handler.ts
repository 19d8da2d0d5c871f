/** @module The single Express error handler: every failure leaves the gateway as application/problem+json. */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';

import { maybeRequestContext } from '../middleware/request-context.js';
import { type ProblemBody, PROBLEMS, problemType } from './catalogue.js';
import { classify } from './from-error.js';
import type { GatewayError } from './gateway-error.js';

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
  if (error.errors && error.errors.length > 0) body.errors = [...error.errors];
  Object.assign(body, error.extensions ?? {});
  return body;
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

/** @module Begins every request's context with a correlation id (the caller's when well-formed, else a new one). */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

import type { RequestHandler } from 'express';

import type { RequestScope } from '../process-guard.js';
import { beginRequestContext, requestContext } from './request-context.js';

export interface RequestIdOptions {
  readonly generate?: () => string;
  /** Runs the rest of the request inside this scope, so a last-resort error log can name the request. */
  readonly scope?: AsyncLocalStorage<RequestScope>;
}

const WELL_FORMED = /^[A-Za-z0-9._~:=-]{1,128}$/;
// W3C Trace Context: version-traceid-parentid-flags, lower-case hex, not all zeros.
const TRACEPARENT = /^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

export function requestId({ generate = randomUUID, scope }: RequestIdOptions = {}): RequestHandler {
  return function requestIdMiddleware(req, res, next) {
    const inbound = req.headers['x-request-id'];
    const id = typeof inbound === 'string' && WELL_FORMED.test(inbound) ? inbound : generate();
    const traceparent = req.headers.traceparent;
    // A malformed trace context is dropped, not passed on: ORDS (and its tracing) must not see it.
    beginRequestContext(req, {
      requestId: id,
      traceparent: typeof traceparent === 'string' && TRACEPARENT.test(traceparent) ? traceparent : undefined,
    });
    res.setHeader('X-Request-Id', id);
    if (scope) scope.run({ requestId: id }, next);
    else next();
  };
}

/**
 * Enters the request's scope again: a body parser reads the request through stream events, and what runs
 * after it would otherwise have lost the scope the request-id middleware set.
 */
export function keepRequestScope(scope: AsyncLocalStorage<RequestScope>): RequestHandler {
  return function keepRequestScopeMiddleware(req, _res, next) {
    scope.run({ requestId: requestContext(req).requestId }, next);
  };
}

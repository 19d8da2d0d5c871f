/** @module Begins every request's context with a correlation id (the caller's when well-formed, else a new one). */
import { randomUUID } from 'node:crypto';

import type { RequestHandler } from 'express';

import { beginRequestContext } from './request-context.js';

export interface RequestIdOptions {
  readonly generate?: () => string;
}

const WELL_FORMED = /^[A-Za-z0-9._~:=-]{1,128}$/;
// W3C Trace Context: version-traceid-parentid-flags, lower-case hex, not all zeros.
const TRACEPARENT = /^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

export function requestId({ generate = randomUUID }: RequestIdOptions = {}): RequestHandler {
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
    next();
  };
}

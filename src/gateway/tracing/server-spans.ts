/**
 * @module The SERVER span of each request: continued from the caller's W3C trace context, named by the contract
 * route it matched (as the metrics label it), ended when the answer is done. Its context goes into the request
 * context, from where the routes hand it to the spans below (policy, store, ORDS).
 */
import { defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';

import { requestContext, setTrace } from '../middleware/request-context.js';
import { contractRoute } from '../validation/contract-validator.js';

/** Probes and scrapes, every few seconds each: a trace apiece would drown the requests worth looking at. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/** The methods semantic conventions name; any other is `_OTHER` (a client's made-up method is not a label). */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

const httpMethod = (method: string) => (KNOWN_METHODS.has(method) ? method : '_OTHER');

export function serverSpans({
  tracer,
  propagator,
}: {
  tracer: Tracer;
  propagator: W3CTraceContextPropagator;
}): RequestHandler {
  return function serverSpanMiddleware(req, res, next) {
    if (UNTRACED.has(req.path)) {
      next();
      return;
    }
    // The propagator checks `traceparent` itself: a malformed one starts a new trace.
    const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const method = httpMethod(req.method);
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_SCHEME]: req.protocol,
          'datapump.request_id': requestContext(req).requestId,
        },
      },
      parent,
    );
    setTrace(req, trace.setSpan(parent, span));
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = contractRoute(req);
      if (route) {
        span.updateName(`${method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      const { caller, database } = requestContext(req);
      if (caller) span.setAttribute('datapump.tenant', caller.tenant.id);
      if (database) span.setAttribute('datapump.database', database.name);
      if (res.writableFinished) {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
        if (res.statusCode >= 500) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute(ATTR_ERROR_TYPE, String(res.statusCode));
        }
      } else {
        // The client went away before the answer was complete.
        span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
      }
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    next();
  };
}

/**
 * @module The one typed context of a request: what the pipeline has learnt of it (request id, trace context,
 * caller, database), each value set once by the middleware that learns it and read through this module only.
 *
 * Kept under a symbol on the request, not in `req.headers` (which is what the client sent) nor in ad-hoc
 * `req.*` fields (which any code could set): `requestContext(req)` is the one way to read it.
 */
import type { Request } from 'express';

import type { DatabaseConfig, TenantConfig } from '../config/types.js';
import type { GatewayUrls } from '../jobs/public-job.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { TraceContext } from '../tracing/tracing.js';

/** Who is calling: set by the authentication middleware, the only code that can know it. */
export interface Caller {
  readonly tenant: TenantConfig;
  /** Who within the tenant: the tenant id for API keys; the JWT's principal claim (`sub` by default) for JWTs. */
  readonly principal: string;
  readonly method: 'api-key' | 'bearer' | 'basic' | 'jwt';
}

export interface RequestContext {
  /** The correlation id: the caller's `X-Request-Id` when well-formed, else one the gateway made. */
  readonly requestId: string;
  /** The caller's W3C `traceparent` when well-formed (passed on to ORDS), else undefined. */
  readonly traceparent: string | undefined;
  /**
   * The request's server span, as the context the spans below it start from (tracing/server-spans.ts); undefined
   * when tracing is off, and on the probes and scrapes, which are not traced.
   */
  readonly trace: TraceContext | undefined;
  /** The authenticated caller; undefined before authentication and on the operational endpoints. */
  readonly caller: Caller | undefined;
  /** The database of the path, once the tenant is known to be granted it. */
  readonly database: DatabaseConfig | undefined;
}

/**
 * What a job route works with: the context once authentication and the database scope have run, so
 * neither the caller nor the database can be missing. Handed to the route as an argument.
 */
export interface JobScope extends RequestContext {
  readonly caller: Caller;
  readonly database: DatabaseConfig;
  readonly tenant: TenantConfig;
  /** The gateway's URLs in the path shape this request used (its own, or ORDS's): for `Location` and links. */
  readonly urls: GatewayUrls;
}

const CONTEXT = Symbol('datapump-gateway.request-context');
type Holder = Request & { [CONTEXT]?: RequestContext };

function pipelineBug(reason: string): GatewayError {
  return new GatewayError('internal-error', { logContext: { reason } });
}

/** Starts the context (the request-id middleware, first in the pipeline). */
export function beginRequestContext(req: Request, ids: Pick<RequestContext, 'requestId' | 'traceparent'>): void {
  const holder = req as Holder;
  if (holder[CONTEXT]) throw pipelineBug('request context begun twice');
  holder[CONTEXT] = { ...ids, trace: undefined, caller: undefined, database: undefined };
}

/** Sets the server span's context, once (tracing/server-spans.ts, right after the request id). */
export function setTrace(req: Request, trace: TraceContext): void {
  const context = requestContext(req);
  if (context.trace) throw pipelineBug('trace set twice');
  (req as Holder)[CONTEXT] = { ...context, trace };
}

/** The request's context; a request that never passed the request-id middleware is a pipeline bug. */
export function requestContext(req: Request): RequestContext {
  const context = (req as Holder)[CONTEXT];
  if (!context) throw pipelineBug('request context read before it was begun');
  return context;
}

/** The context if there is one: for the error handler, which must answer even for a request that has none. */
export function maybeRequestContext(req: Request): RequestContext | undefined {
  return (req as Holder)[CONTEXT];
}

/** Sets the caller, once (the authentication middleware). */
export function setCaller(req: Request, caller: Caller): void {
  const context = requestContext(req);
  if (context.caller) throw pipelineBug('caller set twice');
  (req as Holder)[CONTEXT] = { ...context, caller };
}

/** Sets the database, once, and returns the scope a job route works with (the database-scope middleware). */
export function setDatabase(req: Request, database: DatabaseConfig, urls: GatewayUrls): JobScope {
  const context = requestContext(req);
  if (context.database) throw pipelineBug('database set twice');
  const { caller } = context;
  if (!caller) throw pipelineBug('database scope reached before authentication');
  const scope: JobScope = { ...context, caller, database, tenant: caller.tenant, urls };
  (req as Holder)[CONTEXT] = scope;
  return scope;
}

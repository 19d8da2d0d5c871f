/** @module Per-tenant rate limits, separately for creating jobs and for reads, keyed on the tenant only. */
import type { Request, RequestHandler } from 'express';
import { rateLimit, type RateLimitInfo, type RateLimitRequestHandler } from 'express-rate-limit';

import { type Caller, requestContext } from '../middleware/request-context.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { CounterStores, LimitClass } from './counter-stores.js';

export interface TenantRateLimitOptions {
  readonly stores: CounterStores;
  /** Requests that spend no budget (a replay of an idempotent create). */
  readonly skip?: (req: Request, kind: LimitClass) => Promise<boolean>;
}

/**
 * One express-rate-limit instance per (class, window length), made on first use: the window is fixed
 * per instance, while the limit is read per request from the caller's tenant (so a reload that changes
 * a tenant's limit takes effect at once).
 */
export function tenantRateLimits({ stores, skip }: TenantRateLimitOptions): RequestHandler {
  const limiters = new Map<string, RateLimitRequestHandler>();

  function limiter(kind: LimitClass, windowMs: number): RateLimitRequestHandler {
    const id = `${kind}:${windowMs}`;
    let handler = limiters.get(id);
    if (!handler) {
      handler = rateLimit({
        windowMs,
        limit: (req) => callerOf(req).tenant.limits[kind].limit,
        // Never the IP or X-Forwarded-For: tenants share proxies, and XFF is whatever the client says.
        keyGenerator: (req) => callerOf(req).tenant.id,
        identifier: kind,
        ...(skip ? { skip: (req: Request) => skip(req, kind) } : {}),
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        store: stores.storeFor(kind, windowMs),
        // Store failures are decided by the store wrappers (create: 503, read: fallback), not here.
        passOnStoreError: false,
        handler: (request, _res, next) => {
          const info = (request as { rateLimit?: RateLimitInfo }).rateLimit;
          const resetTime = info?.resetTime;
          const seconds = resetTime
            ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
            : Math.ceil(windowMs / 1000);
          next(
            new GatewayError('rate-limited', {
              detail: `The tenant's ${kind} limit of ${info?.limit ?? '?'} per ${describeWindow(windowMs)} is used up.`,
              headers: { 'Retry-After': String(seconds) },
            }),
          );
        },
        // creationStack: these limiters are made on a tenant's first request and then kept, which is what that
        // check protects (one instance per window, not one per request). The IP checks do not apply: the key is the tenant.
        validate: { ip: false, trustProxy: false, xForwardedForHeader: false, creationStack: false },
      });
      limiters.set(id, handler);
    }
    return handler;
  }

  return function tenantRateLimit(req, res, next) {
    const tenant = requestContext(req).caller?.tenant;
    if (!tenant) {
      next();
      return;
    }
    const kind: LimitClass = req.method === 'POST' ? 'create' : 'read';
    void limiter(kind, tenant.limits[kind].windowMs)(req, res, next);
  };
}

/** The limiters run only for authenticated requests (tenantRateLimit passes the others by). */
function callerOf(req: Request): Caller {
  const { caller } = requestContext(req);
  if (!caller)
    throw new GatewayError('internal-error', { logContext: { reason: 'rate limit reached without a caller' } });
  return caller;
}

function describeWindow(ms: number): string {
  return (
    ({ 1_000: 'second', 60_000: 'minute', 3_600_000: 'hour', 86_400_000: 'day' } as Record<number, string>)[ms] ??
    `${ms / 1000} s`
  );
}

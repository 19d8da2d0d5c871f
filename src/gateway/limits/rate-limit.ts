/** @module Per-tenant rate limits, separately for creating jobs and for reads, keyed on the tenant only. */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { rateLimit, type RateLimitInfo, type RateLimitRequestHandler } from 'express-rate-limit';

import { type Caller, requestContext } from '../middleware/request-context.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { CounterStores, LimitClass } from './counter-stores.js';

export interface TenantRateLimitOptions {
  readonly stores: CounterStores;
}

/**
 * Who pays what:
 * - a read (`GET`, `HEAD`) spends the tenant's read budget, before anything else is done for it;
 * - a `POST` refused before the policy runs (malformed JSON, 415, 400 from the contract, 404) spends the read
 *   budget too: it cost no more than a read;
 * - a `POST` that reaches the policy spends the create budget, whether it is then allowed, refused, or a key
 *   reused with another body; only a true replay (same tenant, key and request, job created) spends nothing.
 */
export interface TenantRateLimits {
  /** Middleware: charges reads; a POST passes, to be charged by `spendCreate` or `earlyFailures`. */
  readonly reads: RequestHandler;
  /** Charges this request's create budget (the create use case calls it once the policy is reached); throws `rate-limited`. */
  spendCreate(req: Request, res: Response): Promise<void>;
  /** Error middleware: a POST that failed before reaching the policy is charged as a read, then its error goes on. */
  readonly earlyFailures: ErrorRequestHandler;
}

/**
 * One express-rate-limit instance per (class, window length), made on first use: the window is fixed
 * per instance, while the limit is read per request from the caller's tenant (so a reload that changes
 * a tenant's limit takes effect at once).
 */
export function tenantRateLimits({ stores }: TenantRateLimitOptions): TenantRateLimits {
  const limiters = new Map<string, RateLimitRequestHandler>();
  // Requests whose budget is settled (charged, or a replay): per instance, so apps never share it.
  const charged = new WeakSet<Request>();

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

  /** Runs the tenant's limiter of `kind` for this request; resolves when allowed, rejects with its problem. */
  function charge(kind: LimitClass, req: Request, res: Response): Promise<void> {
    const tenant = requestContext(req).caller?.tenant;
    if (!tenant || charged.has(req)) return Promise.resolve();
    charged.add(req);
    return new Promise((resolve, reject) => {
      void limiter(kind, tenant.limits[kind].windowMs)(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
    });
  }

  return {
    reads: function tenantReadLimit(req, res, next) {
      if (req.method === 'POST') {
        next();
        return;
      }
      charge('read', req, res).then(() => next(), next);
    },
    spendCreate: (req, res) => charge('create', req, res),
    earlyFailures: function chargeEarlyFailure(err: unknown, req, res, next) {
      if (req.method !== 'POST' || charged.has(req)) {
        next(err);
        return;
      }
      // Over the read budget too: the 429 is the answer (a flood of bad creates is still a flood).
      charge('read', req, res).then(
        () => next(err),
        (limited: unknown) => next(limited),
      );
    },
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

/** @module helmet's security headers on every answer, worked out once at start-up and set with one loop. */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** The helmet options of a gateway served at `publicUrl`. */
export function securityHeaderOptions(publicUrl: string): HelmetOptions {
  return {
    // No upgrade-insecure-requests: /docs must work on plain-HTTP hosts inside the organisation too.
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    // HSTS only for a gateway served over https: on plain HTTP the header is meaningless to browsers and
    // would pin https for the whole host (other services on it included) once it ever is reached over TLS.
    strictTransportSecurity: publicUrl.startsWith('https:'),
  };
}

export type HeaderStep = { readonly set: string; readonly value: string } | { readonly remove: string };

/**
 * Sets exactly what `helmet(securityHeaderOptions(publicUrl))` sets, in its order.
 *
 * Why not helmet itself: it runs a dozen middlewares per request, one per header, through a chain of `next`
 * closures, to set headers that never change for these options (3 % of a job poll's CPU, bench/README.md). So helmet
 * runs once here, at start-up, against a recorder; each request then replays what it did in one loop. Built from
 * helmet's own answer, the set cannot drift from helmet's, and test/gateway/middleware/security-headers.test.ts
 * compares the two on real answers. Options under which helmet would read the request or answer asynchronously
 * (a CSP nonce function) cannot be recorded, and are refused here at start-up.
 */
export function securityHeaders({ publicUrl }: { publicUrl: string }): RequestHandler {
  const steps = recordHelmet(securityHeaderOptions(publicUrl));
  return function securityHeadersMiddleware(_req, res, next) {
    for (const step of steps) {
      if ('set' in step) res.setHeader(step.set, step.value);
      else res.removeHeader(step.remove);
    }
    next();
  };
}

/** What `helmet(options)` does to an answer, recorded once; throws when that depends on the request or is asynchronous. */
export function recordHelmet(options: HelmetOptions): HeaderStep[] {
  const steps: HeaderStep[] = [];
  const refuse = (what: string) => {
    throw new Error(`securityHeaders: helmet ${what} with these options; its headers are not constant`);
  };
  const res = {
    setHeader(name: unknown, value: unknown) {
      if (typeof name !== 'string' || typeof value !== 'string') refuse('set a header that is not a string');
      steps.push({ set: name as string, value: value as string });
      return res;
    },
    removeHeader(name: unknown) {
      if (typeof name !== 'string') refuse('removed a header that is not a string');
      steps.push({ remove: name as string });
    },
  };
  // Any other use of the request or the answer throws: a Proxy that knows nothing.
  const nothing = new Proxy({}, { get: (_t, key) => refuse(`read ${String(key)}`) });
  const answer = new Proxy(res, {
    get: (target, key) => (key in target ? target[key as keyof typeof target] : refuse(`read res.${String(key)}`)),
  });
  let done = false;
  helmet(options)(nothing as IncomingMessage, answer as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    done = true;
  });
  if (!done) refuse('did not finish synchronously');
  return steps;
}

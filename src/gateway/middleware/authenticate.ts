/** @module Finds the calling tenant from its credential: X-API-Key, Bearer API key or JWT, or Basic tenant-id:key. */
import { createHash, timingSafeEqual } from 'node:crypto';

import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';

import { invalidToken, unauthenticated } from '../auth/challenge.js';
import { type JwtVerifier, looksLikeJwt } from '../auth/jwt-verifier.js';
import type { ApiKeyConfig, ConfigSource, GatewayConfig, TenantConfig } from '../config/types.js';
import { type Caller, requestContext, setCaller } from './request-context.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

interface KeyOwner {
  readonly tenant: TenantConfig;
  readonly key: ApiKeyConfig;
}

/** Key hash → its tenant and entry, built once per configuration snapshot (a reload brings a new snapshot). */
function keyIndex(cache: WeakMap<GatewayConfig, Map<string, KeyOwner>>, config: GatewayConfig): Map<string, KeyOwner> {
  let index = cache.get(config);
  if (!index) {
    index = new Map();
    for (const tenant of Object.values(config.tenants)) {
      for (const key of tenant.apiKeys) index.set(key.sha256, { tenant, key });
    }
    cache.set(config, index);
  }
  return index;
}

interface Presented {
  method: Caller['method'];
  key: string;
  claimedTenant?: string;
}

/**
 * How often each credential header was sent, counted on the raw header pairs: `req.headers` hides
 * repeats — Node keeps only the first `Authorization` and joins `X-API-Key` values with ", " — and a
 * proxy or log in front may read another copy than the gateway does.
 */
function credentialHeaderCounts(req: Request): { authorization: number; apiKey: number } {
  let authorization = 0;
  let apiKey = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]?.toLowerCase();
    if (name === 'authorization') authorization += 1;
    else if (name === 'x-api-key') apiKey += 1;
  }
  return { authorization, apiKey };
}

function presentedCredential(req: Request): Presented | undefined {
  const counts = credentialHeaderCounts(req);
  if (counts.authorization > 1) throw unauthenticated('Send one Authorization header, not several.');
  if (counts.apiKey > 1) throw unauthenticated('Send one X-API-Key header, not several.');
  const apiKey = req.headers['x-api-key'];
  const authorization = req.headers.authorization;
  if ((counts.apiKey > 0 && counts.authorization > 0) || (apiKey !== undefined && authorization !== undefined))
    throw unauthenticated('Send one credential, not both X-API-Key and Authorization.');
  if (typeof apiKey === 'string') return { method: 'api-key', key: apiKey };
  if (typeof authorization !== 'string') return undefined;
  const [scheme, value = '', ...rest] = authorization.trim().split(/ +/);
  if (rest.length > 0 || value === '') throw unauthenticated('The Authorization header is malformed.');
  switch (scheme?.toLowerCase()) {
    case 'bearer':
      return { method: 'bearer', key: value };
    case 'basic': {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 1) throw unauthenticated('Basic credentials must be tenant-id:api-key.');
      return { method: 'basic', key: decoded.slice(colon + 1), claimedTenant: decoded.slice(0, colon) };
    }
    default:
      throw unauthenticated('Use X-API-Key, Authorization: Bearer, or Authorization: Basic.');
  }
}

export interface AuthenticateOptions {
  readonly config: ConfigSource;
  /** Verifies Bearer JWTs; without it a JWT-shaped Bearer value is refused. */
  readonly jwt?: JwtVerifier;
  /** The gateway's clock, against which `expires_at` is judged. */
  readonly now: () => Date;
  /** Says why an expired key was refused (the answer itself does not). */
  readonly logger: Pick<Logger, 'warn'>;
}

/** A JWT-shaped Bearer value is only ever a JWT: it is never looked up as an API key, even when no verifier is configured. */
async function jwtCaller(token: string, jwt: JwtVerifier | undefined, config: ConfigSource): Promise<Caller> {
  if (!jwt) throw invalidToken('JWT authentication is not configured.');
  const { tenantId, principal } = await jwt.verify(token);
  const { tenants } = config.current();
  // Own properties only: a claim of "constructor" or "__proto__" must not find Object.prototype's members.
  const tenant = Object.hasOwn(tenants, tenantId) ? tenants[tenantId] : undefined;
  if (!tenant)
    throw invalidToken('The token names a tenant this gateway does not serve.', { jwt: { tenant: tenantId } });
  return { tenant, principal, method: 'jwt' };
}

export function authenticate({ config, jwt, now, logger }: AuthenticateOptions): RequestHandler {
  const indexes = new WeakMap<GatewayConfig, Map<string, KeyOwner>>();
  // Async for the JWKS fetch; Express 5 passes a rejected promise to the problem handler.
  return async function authenticateMiddleware(req, _res, next) {
    const presented = presentedCredential(req);
    if (!presented)
      throw unauthenticated('This API needs a credential: an API key, a Bearer token or Basic tenant-id:api-key.');
    if (presented.method === 'bearer' && looksLikeJwt(presented.key)) {
      setCaller(req, await jwtCaller(presented.key, jwt, config));
      next();
      return;
    }
    if (presented.key.length === 0 || presented.key.length > 512)
      throw unauthenticated('The credential is not one the gateway accepts.');
    const current = config.current();
    // Looked up by hash: the cost does not grow with the number of tenants, and the key itself is never stored.
    const digest = sha256(presented.key);
    const owner = keyIndex(indexes, current).get(digest.toString('hex'));
    // Constant-time confirmation of the match, and of the tenant id Basic claims.
    if (!owner || !timingSafeEqual(Buffer.from(owner.key.sha256, 'hex'), digest))
      throw unauthenticated('The credential is not one the gateway accepts.');
    const { tenant, key } = owner;
    if (presented.claimedTenant !== undefined && !sameText(presented.claimedTenant, tenant.id)) {
      throw unauthenticated('The credential is not one the gateway accepts.');
    }
    if (key.expiresAtMs !== null && now().getTime() >= key.expiresAtMs) {
      // The answer is the unknown key's, word for word: a caller cannot tell an expired key from a wrong one.
      // The operator can: the log names the tenant and the key's id (never the key).
      logger.warn(
        {
          requestId: requestContext(req).requestId,
          tenant: tenant.id,
          keyId: key.id,
          expiredAt: new Date(key.expiresAtMs).toISOString(),
        },
        'API key refused: key expired',
      );
      throw unauthenticated('The credential is not one the gateway accepts.');
    }
    setCaller(req, { tenant, principal: tenant.id, method: presented.method });
    next();
  };
}

function sameText(a: string, b: string): boolean {
  const x = sha256(a);
  const y = sha256(b);
  return timingSafeEqual(x, y);
}

/** @module Verifies a tenant's JWT against the identity provider's JWKS, issuer, audience and algorithm allow-list. */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';

import type { JwtConfig } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';
import { invalidToken } from './challenge.js';

/**
 * The configured JWT settings (`jwt:` in the YAML; the claim and tolerance defaults are `sub` and 30 s)
 * plus the JWKS cache tuning the configuration leaves at its defaults: keys refetched after 10 minutes,
 * at most every 30 s for an unknown `kid` (so random kids cannot hammer the provider), 5 s per fetch.
 * `jwksUrl` is https, or http only on a loopback host (keys fetched in clear text could be swapped);
 * `algorithms` are asymmetric only (a public JWKS would make an HMAC secret public).
 */
export type JwtOptions = Omit<JwtConfig, 'principalClaim' | 'clockToleranceSec' | 'tokenTypes' | 'maxLifetimeSec'> &
  Partial<Pick<JwtConfig, 'principalClaim' | 'clockToleranceSec' | 'tokenTypes' | 'maxLifetimeSec'>> & {
    readonly jwksCacheMaxAgeMs?: number;
    readonly jwksCooldownMs?: number;
    readonly jwksTimeoutMs?: number;
  };

export interface VerifiedToken {
  readonly tenantId: string;
  readonly principal: string;
  /** The token's `exp` in epoch milliseconds (always set: `exp` is required). */
  readonly expiresAt: number | undefined;
}

export interface JwtVerifier {
  /** Resolves the token's tenant and principal; throws GatewayError `unauthenticated` (or `internal-error` when the JWKS cannot be had). */
  verify(token: string): Promise<VerifiedToken>;
}

export interface JwtVerifierDeps {
  /** The verification clock (jose's `currentDate`). The JWKS cache and cooldown keep real time. */
  readonly now?: () => Date;
}

/** Signature algorithms a JWKS of public keys can serve; everything else (none, HS*, unknown names) is refused. */
const ASYMMETRIC = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

/** Far above any real access token; stops parsing work on absurd input before jose sees it. */
const MAX_TOKEN_LENGTH = 8192;
const MAX_PRINCIPAL_LENGTH = 256;

/** header.payload.signature, each base64url; the signature may be empty so that `alg: none` tokens are still read as JWTs and refused as such. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(value: string): boolean {
  return JWT_SHAPE.test(value);
}

/** The JWKS could not be fetched or read: the provider's fault (or the network's), never the caller's. */
class KeySetUnavailable extends Error {
  constructor(cause: unknown) {
    super('JWKS unavailable', { cause });
    this.name = 'KeySetUnavailable';
  }
}

export function createJwtVerifier(opts: JwtOptions, deps: JwtVerifierDeps = {}): JwtVerifier {
  const settings = checkedOptions(opts);
  const remote = createRemoteJWKSet(settings.jwksUrl, {
    cacheMaxAge: settings.cacheMaxAgeMs,
    cooldownDuration: settings.cooldownMs,
    timeoutDuration: settings.timeoutMs,
  });
  // Separates "the token names a key the set lacks" (the caller's problem) from "there is no set" (ours).
  const getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      throw new KeySetUnavailable(err);
    }
  };
  const jwksHost = settings.jwksUrl.host;

  return {
    async verify(token) {
      if (token.length > MAX_TOKEN_LENGTH || !looksLikeJwt(token)) throw invalidToken('The token is malformed.');
      let payload: JWTPayload;
      try {
        const now = deps.now?.();
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: [...settings.algorithms],
          clockTolerance: settings.clockToleranceSec,
          // A token without exp would be a credential for ever: refuse it rather than trust the IdP always sets one.
          requiredClaims: ['exp'],
          ...(now ? { currentDate: now } : {}),
        }));
      } catch (err) {
        if (err instanceof KeySetUnavailable) {
          throw new GatewayError('internal-error', {
            detail:
              'The gateway could not check the token right now; retry later, or quote the request_id to the operators.',
            logContext: { reason: 'jwks-unavailable', jwksHost },
            cause: err.cause,
          });
        }
        // Anything but a JOSE verdict is a fault of ours, not of the token: the problem handler logs it as one.
        if (!(err instanceof errors.JOSEError)) throw err;
        throw rejection(err);
      }
      return claimsOf(payload, settings);
    },
  };
}

function claimsOf(payload: JWTPayload, settings: Settings): VerifiedToken {
  const tenantId = payload[settings.tenantClaim];
  if (typeof tenantId !== 'string' || tenantId === '')
    throw invalidToken('The token names no tenant.', { jwt: { claim: settings.tenantClaim } });
  const principal = payload[settings.principalClaim];
  if (typeof principal !== 'string' || principal === '' || principal.length > MAX_PRINCIPAL_LENGTH) {
    throw invalidToken('The token names no usable subject.', { jwt: { claim: settings.principalClaim } });
  }
  return { tenantId, principal, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined };
}

/** jose's verdict → a short detail that names the failed check and nothing of the token, keys or configuration. */
function rejection(err: errors.JOSEError): GatewayError {
  const { code } = err;
  const log = (extra: Record<string, unknown> = {}) => ({ jwt: { code, ...extra } });
  if (err instanceof errors.JWTExpired) return invalidToken('The token has expired.', log({ claim: err.claim }));
  if (err instanceof errors.JWTClaimValidationFailed) {
    const where = { claim: err.claim, reason: err.reason };
    if (err.reason === 'missing') return invalidToken(`The token lacks the '${err.claim}' claim.`, log(where));
    switch (err.claim) {
      case 'nbf':
        return invalidToken('The token is not valid yet.', log(where));
      case 'iss':
        return invalidToken('The token is not from a trusted issuer.', log(where));
      case 'aud':
        return invalidToken('The token is not for this API.', log(where));
      default:
        return invalidToken("The token's claims are not valid.", log(where));
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return invalidToken("The token's signing algorithm is not accepted.", log());
  if (err instanceof errors.JWKSNoMatchingKey)
    return invalidToken('The token is signed with a key the gateway does not know.', log());
  if (err instanceof errors.JWKSMultipleMatchingKeys)
    return invalidToken('The token does not say which key signed it.', log());
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return invalidToken("The token's signature is not valid.", log());
  return invalidToken('The token is malformed.', log());
}

/** The configuration, checked, with the URL parsed and the JWKS cache tuning resolved. */
type Settings = Omit<JwtConfig, 'jwksUrl'> & {
  readonly jwksUrl: URL;
  readonly cacheMaxAgeMs: number;
  readonly cooldownMs: number;
  readonly timeoutMs: number;
};

/** Refuses a bad configuration at start-up rather than on the first request. */
function checkedOptions(opts: JwtOptions): Settings {
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(opts.jwksUrl);
  } catch {
    throw new TypeError('jwt: jwksUrl is not a URL.');
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(jwksUrl.hostname);
  if (!(jwksUrl.protocol === 'https:' || (jwksUrl.protocol === 'http:' && loopback))) {
    throw new TypeError('jwt: jwksUrl must be https (http only on a loopback host).');
  }
  if (jwksUrl.username || jwksUrl.password) throw new TypeError('jwt: jwksUrl must not carry credentials.');
  for (const name of ['issuer', 'audience', 'tenantClaim'] as const) {
    if (typeof opts[name] !== 'string' || opts[name].trim() === '')
      throw new TypeError(`jwt: ${name} must be a non-empty string.`);
  }
  if (opts.principalClaim !== undefined && opts.principalClaim.trim() === '')
    throw new TypeError('jwt: principalClaim must be a non-empty string.');
  if (opts.algorithms.length === 0) throw new TypeError('jwt: algorithms must list at least one algorithm.');
  for (const alg of opts.algorithms) {
    if (!ASYMMETRIC.has(alg))
      throw new TypeError(
        `jwt: algorithm ${JSON.stringify(alg)} is not allowed; use one of ${[...ASYMMETRIC].join(', ')}.`,
      );
  }
  return {
    jwksUrl,
    issuer: opts.issuer,
    audience: opts.audience,
    algorithms: [...new Set(opts.algorithms)],
    tenantClaim: opts.tenantClaim,
    principalClaim: opts.principalClaim ?? 'sub',
    clockToleranceSec: duration('clockToleranceSec', opts.clockToleranceSec, 30, 300),
    tokenTypes: [...(opts.tokenTypes ?? ['at+jwt', 'JWT'])],
    maxLifetimeSec: duration('maxLifetimeSec', opts.maxLifetimeSec, 86_400, 604_800),
    cacheMaxAgeMs: duration('jwksCacheMaxAgeMs', opts.jwksCacheMaxAgeMs, 600_000, 86_400_000),
    cooldownMs: duration('jwksCooldownMs', opts.jwksCooldownMs, 30_000, 3_600_000),
    timeoutMs: duration('jwksTimeoutMs', opts.jwksTimeoutMs, 5_000, 60_000),
  };
}

function duration(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new TypeError(`jwt: ${name} must be an integer from 0 to ${max}.`);
  return value;
}

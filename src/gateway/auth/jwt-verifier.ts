/** @module Verifies a tenant's JWT against the identity provider's JWKS, issuer, audience and algorithm allow-list. */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';

import type { JwtConfig } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';
import { invalidToken } from './challenge.js';

/**
 * The configured JWT settings (`jwt:` in the YAML; the claim and tolerance defaults are `sub` and 30 s,
 * `typ` one of `at+jwt`/`JWT`, lifetime at most a day) plus the JWKS cache tuning the configuration leaves
 * at its defaults: keys refetched after 10 minutes, at most every 30 s for an unknown `kid` (so random
 * kids cannot hammer the provider), 5 s per fetch; after a failed fetch the next one waits 1 s, 2 s, 4 s …
 * up to the cooldown (so an outage cannot be turned into a flood of fetches either).
 * `jwksUrl` is https, or http only on a loopback host (keys fetched in clear text could be swapped);
 * `algorithms` are asymmetric only (a public JWKS would make an HMAC secret public).
 */
export type JwtOptions = Omit<JwtConfig, 'principalClaim' | 'clockToleranceSec' | 'tokenTypes' | 'maxLifetimeSec'> &
  Partial<Pick<JwtConfig, 'principalClaim' | 'clockToleranceSec' | 'tokenTypes' | 'maxLifetimeSec'>> & {
    readonly jwksCacheMaxAgeMs?: number;
    readonly jwksCooldownMs?: number;
    readonly jwksTimeoutMs?: number;
    /** The hold-off after the first failed fetch (1 s); it doubles with each failure that follows. */
    readonly jwksBackoffInitialMs?: number;
    /** The longest hold-off (the cooldown). */
    readonly jwksBackoffMaxMs?: number;
  };

export interface VerifiedToken {
  readonly tenantId: string;
  readonly principal: string;
  /** The token's `exp` in epoch milliseconds (always set: `exp` is required). */
  readonly expiresAt: number | undefined;
}

export interface JwtVerifier {
  /**
   * Resolves the token's tenant and principal; throws GatewayError `unauthenticated`, or
   * `identity-provider-unavailable` (with `Retry-After`) when the JWKS cannot be had.
   */
  verify(token: string): Promise<VerifiedToken>;
}

export interface JwtVerifierDeps {
  /** The verification clock (jose's `currentDate`, and `iat` and the lifetime are judged against it). */
  readonly now?: () => Date;
  /** The JWKS fetch backoff's clock, epoch milliseconds (`Date.now`). jose's cache age and cooldown keep real time. */
  readonly clock?: () => number;
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

/** No fetch was made: an earlier one failed and the next is not due yet. Its cause is that earlier failure. */
class FetchHeldOff extends Error {
  constructor(
    readonly waitMs: number,
    cause: unknown,
  ) {
    super(`JWKS fetch held off for ${waitMs} ms after a failed fetch`, { cause });
    this.name = 'FetchHeldOff';
  }
}

interface FetchGate {
  /** The fetch jose makes every JWKS request with: refused at once while held off, its outcome recorded. */
  readonly fetch: FetchImplementation;
  /** Milliseconds until the next fetch may be made (0 when it may be made now). */
  waitMs(): number;
}

/**
 * jose keeps the cache, the cooldown after a success, the timeout and one fetch in flight at a time
 * (concurrent callers share it); what it lacks is a pause after a *failure*, so while the provider is
 * down or hanging every unknown or uncached key would fetch again and wait out the timeout. The gate
 * sits where jose touches the network: after a failed fetch (no answer in time, not 200, not a key set)
 * the next is held off 1 s, then 2 s, 4 s … up to the cap, and a request inside the hold-off fails at
 * once; a good key set clears it.
 */
function fetchGate(settings: Settings, clock: () => number): FetchGate {
  let failures = 0;
  let nextFetchAt = 0;
  let lastFailure: unknown;
  const fetchJwks: FetchImplementation = async (url, init) => {
    const wait = nextFetchAt - clock();
    if (wait > 0) throw new FetchHeldOff(wait, lastFailure);
    try {
      const response = await fetch(url, init);
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`The JWKS endpoint answered ${response.status}.`);
      }
      const jwks: unknown = await response.json();
      // jose's own check: throws JWKSInvalid for anything that is not a JWK set, so garbage counts as a failure.
      createLocalJWKSet(jwks as JSONWebKeySet);
      failures = 0;
      nextFetchAt = 0;
      lastFailure = undefined;
      return Response.json(jwks);
    } catch (err) {
      failures += 1;
      lastFailure = err;
      const backoff = Math.min(settings.backoffInitialMs * 2 ** Math.min(failures - 1, 30), settings.backoffMaxMs);
      nextFetchAt = clock() + backoff;
      throw err;
    }
  };
  return { fetch: fetchJwks, waitMs: () => Math.max(0, nextFetchAt - clock()) };
}

export function createJwtVerifier(opts: JwtOptions, deps: JwtVerifierDeps = {}): JwtVerifier {
  const settings = checkedOptions(opts);
  const gate = fetchGate(settings, deps.clock ?? Date.now);
  const remote = createRemoteJWKSet(settings.jwksUrl, {
    cacheMaxAge: settings.cacheMaxAgeMs,
    cooldownDuration: settings.cooldownMs,
    timeoutDuration: settings.timeoutMs,
    [customFetch]: gate.fetch,
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
      const now = deps.now?.() ?? new Date();
      let payload: JWTPayload;
      let protectedHeader: JWTHeaderParameters;
      try {
        ({ payload, protectedHeader } = await jwtVerify(token, getKey, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: [...settings.algorithms],
          clockTolerance: settings.clockToleranceSec,
          // A token without exp would be a credential for ever: refuse it rather than trust the IdP always sets one.
          requiredClaims: ['exp'],
          currentDate: now,
        }));
      } catch (err) {
        if (err instanceof KeySetUnavailable) {
          // Not a 401: the token may be fine, and a 401 would send every client to fetch a new one.
          const retryAfterSec = Math.max(1, Math.ceil(gate.waitMs() / 1000));
          const { cause } = err;
          const heldOff = cause instanceof FetchHeldOff;
          throw new GatewayError('identity-provider-unavailable', {
            detail: "The identity provider's keys cannot be had right now, so the token could not be checked.",
            headers: { 'Retry-After': String(retryAfterSec) },
            logContext: {
              reason: 'jwks-unavailable',
              jwksHost,
              jwksFetch: heldOff ? 'held-off' : 'failed',
              retryAfterSec,
            },
            // While held off, the log shows the failure that started the hold-off.
            cause: heldOff ? (cause.cause ?? cause) : cause,
          });
        }
        // Anything but a JOSE verdict is a fault of ours, not of the token: the problem handler logs it as one.
        if (!(err instanceof errors.JOSEError)) throw err;
        throw rejection(err);
      }
      checkTypeAndTimes(protectedHeader, payload, settings, Math.floor(now.getTime() / 1000));
      return claimsOf(payload, settings);
    },
  };
}

/** `typ` is `application/` + the value when the value has no `/`, compared case-insensitively (RFC 7515 §4.1.9, as jose does). */
function normalizedType(value: string): string {
  const lower = value.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

/**
 * What jose does not check: a `typ` that is present must be an accepted one (RFC 8725 §3.11: an ID token
 * or a logout token is not an access token); `iat` must not be in the future; and the token must not
 * be valid for longer than `maxLifetimeSec` — `exp − iat`, or `exp − now` (plus the tolerance, for a
 * clock behind the provider's) when there is no `iat` — so a leaked long-lived token is refused.
 */
function checkTypeAndTimes(header: JWTHeaderParameters, payload: JWTPayload, settings: Settings, now: number): void {
  if (Object.hasOwn(header, 'typ')) {
    const { typ } = header as { typ: unknown };
    if (typeof typ !== 'string' || !settings.acceptedTypes.has(normalizedType(typ))) {
      const sent = typeof typ === 'string' ? typ.slice(0, 64) : typeof typ;
      throw invalidToken('The token is not of a type the gateway accepts.', { jwt: { header: 'typ', typ: sent } });
    }
  }
  // jose has already checked that iat, when present, and exp are numbers.
  const { iat, exp } = payload;
  const tolerance = settings.clockToleranceSec;
  if (iat !== undefined && iat > now + tolerance)
    throw invalidToken('The token is issued in the future.', { jwt: { claim: 'iat', reason: 'future', iat, now } });
  if (exp === undefined) return;
  const lifetime = exp - (iat ?? now);
  const limit = settings.maxLifetimeSec + (iat === undefined ? tolerance : 0);
  if (lifetime > limit) {
    throw invalidToken('The token is valid for longer than the gateway accepts.', {
      jwt: {
        claim: iat === undefined ? 'exp' : 'iat',
        reason: 'lifetime',
        lifetimeSec: lifetime,
        maxLifetimeSec: settings.maxLifetimeSec,
      },
    });
  }
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
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** `tokenTypes`, normalised as `typ` is compared. */
  readonly acceptedTypes: ReadonlySet<string>;
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
  const tokenTypes = [...(opts.tokenTypes ?? ['at+jwt', 'JWT'])];
  if (tokenTypes.length === 0 || tokenTypes.some((t) => typeof t !== 'string' || t.trim() === ''))
    throw new TypeError('jwt: tokenTypes must list at least one non-empty type.');
  const cooldownMs = duration('jwksCooldownMs', opts.jwksCooldownMs, 30_000, 3_600_000);
  return {
    jwksUrl,
    issuer: opts.issuer,
    audience: opts.audience,
    algorithms: [...new Set(opts.algorithms)],
    tenantClaim: opts.tenantClaim,
    principalClaim: opts.principalClaim ?? 'sub',
    clockToleranceSec: duration('clockToleranceSec', opts.clockToleranceSec, 30, 300),
    tokenTypes,
    acceptedTypes: new Set(tokenTypes.map(normalizedType)),
    maxLifetimeSec: duration('maxLifetimeSec', opts.maxLifetimeSec, 86_400, 604_800),
    cacheMaxAgeMs: duration('jwksCacheMaxAgeMs', opts.jwksCacheMaxAgeMs, 600_000, 86_400_000),
    cooldownMs,
    timeoutMs: duration('jwksTimeoutMs', opts.jwksTimeoutMs, 5_000, 60_000),
    backoffInitialMs: duration('jwksBackoffInitialMs', opts.jwksBackoffInitialMs, 1_000, 3_600_000),
    backoffMaxMs: duration('jwksBackoffMaxMs', opts.jwksBackoffMaxMs, cooldownMs, 3_600_000),
  };
}

function duration(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new TypeError(`jwt: ${name} must be an integer from 0 to ${max}.`);
  return value;
}

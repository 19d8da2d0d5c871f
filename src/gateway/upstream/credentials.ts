/** @module The gateway's own credentials for one ORDS: HTTP Basic, or an OAuth2 client-credentials token kept fresh. */
import { type Dispatcher, request } from 'undici';

import type { UpstreamAuth } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';

export interface CredentialProvider {
  /** The `Authorization` header value to send to ORDS. */
  authorization(): Promise<string>;
  /** Forget a cached token (ORDS answered 401 with it). */
  invalidate(): void;
}

export interface CredentialOptions {
  readonly auth: UpstreamAuth;
  readonly dispatcher: Dispatcher;
  readonly now: () => number;
  readonly timeoutMs: number;
  /** Refresh this long before the token's announced expiry, so a request never carries a token about to lapse. */
  readonly refreshMarginMs?: number;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export function createCredentialProvider({
  auth,
  dispatcher,
  now,
  timeoutMs,
  refreshMarginMs = 30_000,
}: CredentialOptions): CredentialProvider {
  if (auth.kind === 'basic') {
    const header = basic(auth.username, auth.password);
    return { authorization: async () => header, invalidate: () => {} };
  }
  const oauth = auth; // narrowed: the closures below keep the OAuth2 variant
  let cached: { header: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const started = now();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(oauth.tokenUrl, {
        dispatcher,
        method: 'POST',
        headers: {
          authorization: basic(oauth.clientId, oauth.clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (cause) {
      throw new GatewayError('upstream-unavailable', {
        detail: 'ORDS did not answer the token request.',
        headers: { 'Retry-After': '5' },
        cause,
      });
    }
    const text = await res.body.text();
    if (res.statusCode === 400 || res.statusCode === 401) {
      throw new GatewayError('upstream-auth-failed', {
        detail: "ORDS refused the gateway's OAuth2 client.",
        logContext: { tokenStatus: res.statusCode },
      });
    }
    let token: { access_token?: unknown; expires_in?: unknown } = {};
    try {
      token = JSON.parse(text) as typeof token;
    } catch {
      /* handled below */
    }
    if (res.statusCode !== 200 || typeof token.access_token !== 'string' || typeof token.expires_in !== 'number') {
      throw new GatewayError('upstream-invalid-response', {
        detail: 'ORDS answered the token request with an invalid response.',
        logContext: { tokenStatus: res.statusCode },
      });
    }
    const lifetimeMs = token.expires_in * 1000;
    // Never wait longer than half the lifetime for short-lived tokens.
    const margin = Math.min(refreshMarginMs, lifetimeMs / 2);
    cached = { header: `Bearer ${token.access_token}`, expiresAt: started + lifetimeMs - margin };
    return cached.header;
  }

  return {
    async authorization() {
      if (cached && now() < cached.expiresAt) return cached.header;
      // One token request at a time: concurrent callers share it.
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

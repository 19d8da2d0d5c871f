// OAuth2 access tokens issued by the emulator, checked against the injected clock so expiry is testable.
import type { Clock } from './clock.js';
import type { IdSource } from './ids.js';

export interface IssuedToken {
  token: string;
  expiresIn: number;
}

export interface TokenStore {
  issue(clientId: string): IssuedToken;
  /** The client a live token belongs to, or null if unknown or expired. */
  clientOf(token: string): string | null;
}

export function createTokenStore(clock: Clock, ids: IdSource, ttlSeconds: number): TokenStore {
  const tokens = new Map<string, { clientId: string; expiresAt: number }>();
  return {
    issue(clientId) {
      const now = clock.now();
      // Forget expired tokens when issuing, so a long benchmark does not grow the map forever.
      for (const [token, entry] of tokens) if (entry.expiresAt <= now) tokens.delete(token);
      const token = `${ids.next()}${ids.next()}`;
      tokens.set(token, { clientId, expiresAt: now + ttlSeconds * 1000 });
      return { token, expiresIn: ttlSeconds };
    },
    clientOf(token) {
      const entry = tokens.get(token);
      if (!entry) return null;
      return clock.now() < entry.expiresAt ? entry.clientId : null;
    },
  };
}

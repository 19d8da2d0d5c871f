// Authenticates Data Pump requests as ORDS does: HTTP Basic database users, or OAuth2 bearer tokens.
import type { TokenStore } from './tokens.js';

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Who a request runs as; `owner` is the job owner it gets (Oracle upper-cases unquoted user names). */
export type Principal = { kind: 'user'; owner: string } | { kind: 'client'; clientId: string; owner: string };

export function parseBasic(header: string | undefined): BasicCredentials | null {
  const match = /^basic\s+([A-Za-z0-9+/=._-]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function parseBearer(header: string | undefined): string | null {
  // ORDS examples send `bearer` in lower case; the scheme is case-insensitive (RFC 9110).
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

export interface Authenticator {
  authenticate(authorization: string | undefined): Principal | null;
  /** Checks OAuth client credentials (for the token endpoint). */
  isClient(credentials: BasicCredentials | null): credentials is BasicCredentials;
}

export function createAuthenticator(
  users: Record<string, string>,
  clients: Record<string, string>,
  schema: string,
  tokens: TokenStore,
): Authenticator {
  // Oracle user names are case-insensitive unless quoted: `pdbadmin` and `PDBADMIN` are one user.
  const byUpper = new Map(Object.entries(users).map(([name, password]) => [name.toUpperCase(), password]));
  const clientSecrets = new Map(Object.entries(clients));
  return {
    authenticate(authorization) {
      const bearer = parseBearer(authorization);
      if (bearer !== null) {
        const clientId = tokens.clientOf(bearer);
        // An OAuth client acts as the schema the URL maps to.
        return clientId === null ? null : { kind: 'client', clientId, owner: schema.toUpperCase() };
      }
      const basic = parseBasic(authorization);
      if (!basic) return null;
      const owner = basic.username.toUpperCase();
      return byUpper.get(owner) === basic.password ? { kind: 'user', owner } : null;
    },
    isClient(credentials): credentials is BasicCredentials {
      return credentials !== null && clientSecrets.get(credentials.username) === credentials.password;
    },
  };
}

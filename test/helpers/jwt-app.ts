// A minimal Express app for JWT tests: request id → authenticate → echo the caller → problem handler, on a fixed clock;
// and a GET that puts headers on the wire exactly as given, repeats included.
import { createServer, type IncomingHttpHeaders, request as httpRequest, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

import express, { type Express } from 'express';
import type { JWTPayload } from 'jose';
import { type Logger, pino } from 'pino';

import {
  createJwtVerifier,
  type JwtOptions,
  type JwtVerifier,
  type JwtVerifierDeps,
} from '../../src/gateway/auth/jwt-verifier.js';
import type { GatewayConfig } from '../../src/gateway/config/types.js';
import { authenticate } from '../../src/gateway/middleware/authenticate.js';
import { requestContext } from '../../src/gateway/middleware/request-context.js';
import { requestId } from '../../src/gateway/middleware/request-id.js';
import { createProblemHandler } from '../../src/gateway/problems/handler.js';
import { testConfig } from './gateway-config.js';

export const ISSUER = 'https://idp.example.test/realms/data';
export const AUDIENCE = 'datapump-gateway';
/** The verification clock: tokens are dated around it, so no test depends on the wall clock or sleeps. */
export const NOW = new Date('2030-01-01T00:00:00Z');
export const NOW_SEC = NOW.getTime() / 1000;

/** Claims of a good token for hr-team; override or drop (undefined) any of them. */
export function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const all: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'alice@example.test',
    tenant: 'hr-team',
    iat: NOW_SEC - 60,
    exp: NOW_SEC + 300,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

/** A verifier for the test IdP on the fixed clock; `deps` may add the backoff clock (or another verification clock). */
export function testVerifier(
  jwksUrl: string,
  overrides: Partial<JwtOptions> = {},
  deps: JwtVerifierDeps = {},
): JwtVerifier {
  return createJwtVerifier(
    {
      jwksUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256', 'RS256'],
      tenantClaim: 'tenant',
      ...overrides,
    },
    { now: () => NOW, ...deps },
  );
}

export function jwtApp(
  jwt: JwtVerifier | undefined,
  config: GatewayConfig = testConfig(),
  logger: Logger = pino({ level: 'silent' }),
): Express {
  const app = express();
  app.use(requestId());
  app.use(authenticate({ config: { current: () => config }, now: () => new Date(), logger, ...(jwt ? { jwt } : {}) }));
  app.get('/whoami', (req, res) => {
    const { caller } = requestContext(req);
    res.json({ tenant: caller?.tenant.id, principal: caller?.principal, method: caller?.method });
  });
  app.use(createProblemHandler({ logger }));
  return app;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with any header and no real signature (alg none, forged headers). */
export function unsignedToken(header: Record<string, unknown>, payload: JWTPayload, signature = ''): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

/** The same token with another payload and the original signature: a tampered token. */
export function withPayload(token: string, payload: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64url(payload)}.${signature}`;
}

interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: { readonly [name: string]: unknown };
}

/**
 * GET over real HTTP with the headers exactly as given, name and value pairs in order, repeats
 * included (supertest's `.set()` takes one value per name): what an attacker puts on the wire.
 */
export async function getWithRawHeaders(
  app: RequestListener,
  path: string,
  headers: readonly string[],
): Promise<RawAnswer> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<RawAnswer>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'GET',
          // Sent as given, without the Host Node would add for an object of headers (and a Node server requires).
          headers: ['Host', `127.0.0.1:${port}`, ...headers],
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} });
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

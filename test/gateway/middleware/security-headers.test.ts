// The gateway's security headers against helmet itself with the same options, on real HTTP answers, for a gateway
// served over http and over https: the same headers with the same values in the same order, X-Powered-By removed,
// on every kind of answer; HSTS only over https, and a CSP without upgrade-insecure-requests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  recordHelmet,
  securityHeaderOptions,
  securityHeaders,
} from '../../../src/gateway/middleware/security-headers.js';

function appWith(headers: RequestHandler) {
  const app = express(); // x-powered-by left on: the header must be removed by both
  app.use((req, res, next) => {
    // A header set before, of the kind helmet sets: both must end with the same value.
    if (req.path === '/preset') res.setHeader('X-Frame-Options', 'DENY');
    next();
  });
  app.use(headers);
  app.get('/json', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/preset', (_req, res) => {
    res.type('text/html').send('<p>hello</p>');
  });
  app.get('/empty', (_req, res) => {
    res.status(204).end();
  });
  app.get('/fail', (_req, _res, next) => {
    next(new Error('boom'));
  });
  const onError: ErrorRequestHandler = (_err, _req, res, _next) => {
    res.status(500).json({ failed: true });
  };
  app.use(onError);
  return app;
}

async function listen(app: express.Express): Promise<{ server: Server; base: string }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The answer's headers in order, as sent (names lower-cased; Date left out: it moves). */
async function headersOf(url: string, method = 'GET'): Promise<Array<[string, string]>> {
  const res = await fetch(url, { method });
  await res.arrayBuffer();
  return [...res.headers].filter(([name]) => name !== 'date');
}

describe.each([
  { publicUrl: 'http://gateway.internal:8080', https: false },
  { publicUrl: 'https://datapump.example.com/', https: true },
])('security headers for $publicUrl', ({ publicUrl, https }) => {
  let ours: { server: Server; base: string };
  let theirs: { server: Server; base: string };
  beforeAll(async () => {
    ours = await listen(appWith(securityHeaders({ publicUrl })));
    theirs = await listen(appWith(helmet(securityHeaderOptions(publicUrl))));
  });
  afterAll(async () => {
    for (const { server } of [ours, theirs]) await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    ['a JSON answer', '/json', 'GET'],
    ['a HEAD', '/json', 'HEAD'],
    ['an answer whose header was set before', '/preset', 'GET'],
    ['a 204', '/empty', 'GET'],
    ['an error answer', '/fail', 'GET'],
    ['a 404 of Express', '/nowhere', 'GET'],
  ])('are exactly helmet’s on %s', async (_what, path, method) => {
    const [got, want] = await Promise.all([
      headersOf(`${ours.base}${path}`, method),
      headersOf(`${theirs.base}${path}`, method),
    ]);
    expect(got).toEqual(want);
    expect(got.map(([name]) => name)).not.toContain('x-powered-by');
    expect(got.map(([name]) => name)).toContain('content-security-policy');
  });

  it(`has HSTS ${https ? 'over https' : 'never, on plain http'}, and a CSP that does not upgrade to https`, async () => {
    const headers = new Map(await headersOf(`${ours.base}/json`));
    expect(headers.has('strict-transport-security')).toBe(https);
    expect(headers.get('content-security-policy')).toMatch(/^default-src 'self';/);
    expect(headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('recordHelmet', () => {
  it("records helmet's steps in its order: the CSP first, X-Powered-By removed", () => {
    const steps = recordHelmet(securityHeaderOptions('https://x.example'));
    expect(steps[0]).toEqual({ set: 'Content-Security-Policy', value: expect.stringMatching(/^default-src/) });
    expect(steps).toContainEqual({ remove: 'X-Powered-By' });
    expect(steps).toContainEqual({ set: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' });
  });

  it('refuses, at start-up, options under which helmet reads the request (a CSP nonce): they are not constant', () => {
    const nonce = (req: unknown) => `'nonce-${String((req as { id?: string }).id)}'`;
    expect(() => recordHelmet({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", nonce] } } })).toThrow(
      /not constant/,
    );
  });
});

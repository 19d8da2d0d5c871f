// The JWKS as the verifier uses it: fetched once and cached, refetched for a new kid (with a cooldown), and what an outage answers.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createJwtVerifier, type JwtOptions, looksLikeJwt } from '../../../src/gateway/auth/jwt-verifier.js';
import { type JwksServer, startJwksServer } from '../../helpers/jwks-server.js';
import { AUDIENCE, claims, ISSUER, jwtApp, testVerifier, unsignedToken } from '../../helpers/jwt-app.js';

let idp: JwksServer;

beforeAll(async () => {
  idp = await startJwksServer(['ES256']);
});
afterAll(() => idp.close());

/** Requests the IdP receives while `run` runs. */
async function fetchesDuring(run: () => Promise<unknown>): Promise<number> {
  const before = idp.requests();
  await run();
  return idp.requests() - before;
}

describe('looksLikeJwt', () => {
  it.each([
    ['header.payload.signature', 'eyJh.eyJz.c2ln', true],
    ['an unsigned JWT (empty signature)', 'eyJh.eyJz.', true],
    ['an API key', 'Zk9x_3-abcDEF0123456789abcdefghijklmnopqrs', false],
    ['two parts', 'eyJh.eyJz', false],
    ['four parts (JWE has five)', 'a.b.c.d', false],
    ['an empty header', '.eyJz.c2ln', false],
    ['an empty payload', 'eyJh..c2ln', false],
    ['standard base64', 'ey+h.eyJz.c2l/', false],
    ['padding', 'eyJh.eyJz.c2ln==', false],
    ['whitespace', 'eyJh.eyJz.c2ln ', false],
  ])('%s → %s', (_what, value, expected) => {
    expect(looksLikeJwt(value)).toBe(expected);
  });
});

describe('options are checked at construction', () => {
  const good: JwtOptions = {
    jwksUrl: 'https://idp.example.test/jwks',
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    tenantClaim: 'tenant',
  };

  it('accepts https, and http on a loopback host', () => {
    expect(() => createJwtVerifier(good)).not.toThrow();
    expect(() => createJwtVerifier({ ...good, jwksUrl: 'http://127.0.0.1:9/jwks' })).not.toThrow();
    expect(() => createJwtVerifier({ ...good, jwksUrl: 'http://[::1]:9/jwks' })).not.toThrow();
  });

  it.each<[string, Partial<JwtOptions>, RegExp]>([
    ['a jwksUrl that is not a URL', { jwksUrl: 'idp/jwks' }, /not a URL/],
    ['a plain-http jwksUrl on another host', { jwksUrl: 'http://idp.example.test/jwks' }, /https/],
    ['a jwksUrl of another scheme', { jwksUrl: 'file:///etc/jwks.json' }, /https/],
    ['a jwksUrl with credentials', { jwksUrl: 'https://u:p@idp.example.test/jwks' }, /credentials/],
    ['an empty algorithm list', { algorithms: [] }, /at least one/],
    ['none', { algorithms: ['ES256', 'none'] }, /"none" is not allowed/],
    ['HS256', { algorithms: ['HS256'] }, /"HS256" is not allowed/],
    ['HS512 in any case', { algorithms: ['hs512'] }, /not allowed/],
    ['an unknown algorithm', { algorithms: ['ES257'] }, /not allowed/],
    ['an empty issuer', { issuer: '' }, /issuer/],
    ['an empty audience', { audience: ' ' }, /audience/],
    ['an empty tenant claim', { tenantClaim: '' }, /tenantClaim/],
    ['an empty principal claim', { principalClaim: '' }, /principalClaim/],
    ['a negative cooldown', { jwksCooldownMs: -1 }, /jwksCooldownMs/],
    ['a fractional timeout', { jwksTimeoutMs: 1.5 }, /jwksTimeoutMs/],
    ['a clock tolerance of an hour', { clockToleranceSec: 3600 }, /clockToleranceSec/],
  ])('throws for %s', (_what, change, message) => {
    expect(() => createJwtVerifier({ ...good, ...change })).toThrow(message);
  });
});

describe('JWKS cache', () => {
  it('fetches the key set once for many verifications, concurrent ones included', async () => {
    const verifier = testVerifier(idp.url, { algorithms: ['ES256'] });
    const token = await idp.sign(claims());
    const fetches = await fetchesDuring(async () => {
      await Promise.all(Array.from({ length: 5 }, () => verifier.verify(token)));
      for (let i = 0; i < 5; i += 1) await verifier.verify(token);
    });
    expect(fetches).toBe(1);
  });

  it('keeps verifying from the cache while the IdP is down', async () => {
    const verifier = testVerifier(idp.url, { algorithms: ['ES256'] });
    const token = await idp.sign(claims());
    await verifier.verify(token);
    idp.setState('down');
    try {
      expect(await fetchesDuring(() => verifier.verify(token))).toBe(0);
    } finally {
      idp.setState('up');
    }
  });

  it('fetches again for an unknown kid and accepts a key the IdP rotated in', async () => {
    const verifier = testVerifier(idp.url, { algorithms: ['ES256'], jwksCooldownMs: 0 });
    await verifier.verify(await idp.sign(claims()));
    const rotated = await idp.addKey('ES256');
    const token = await idp.sign(claims(), { key: rotated });
    expect(
      await fetchesDuring(() => expect(verifier.verify(token)).resolves.toMatchObject({ tenantId: 'hr-team' })),
    ).toBe(1);
    expect(await fetchesDuring(() => verifier.verify(token))).toBe(0);
  });

  it('fetches exactly once more for a kid that is still unknown, then refuses it', async () => {
    const verifier = testVerifier(idp.url, { algorithms: ['ES256'], jwksCooldownMs: 0 });
    await verifier.verify(await idp.sign(claims()));
    const unannounced = await idp.addKey('ES256', { publish: false });
    const token = await idp.sign(claims(), { key: unannounced });
    const fetches = await fetchesDuring(() =>
      expect(verifier.verify(token)).rejects.toMatchObject({
        status: 401,
        detail: 'The token is signed with a key the gateway does not know.',
      }),
    );
    expect(fetches).toBe(1);
  });

  it('does not refetch for unknown kids within the cooldown, so random kids cannot hammer the IdP', async () => {
    const verifier = testVerifier(idp.url, { algorithms: ['ES256'] });
    await verifier.verify(await idp.sign(claims()));
    const unannounced = await idp.addKey('ES256', { publish: false });
    const fetches = await fetchesDuring(async () => {
      for (let i = 0; i < 5; i += 1) {
        const token = await idp.sign(claims(), { key: unannounced, header: { kid: `random-${i}` } });
        await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401 });
      }
    });
    expect(fetches).toBe(0);
  });
});

describe('an IdP that cannot serve its key set', () => {
  const internal = 'https://datapump-gateway.dev/problems/internal-error';

  async function expectUnavailable(res: request.Response) {
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe(internal);
    expect(res.body.detail).toMatch(/could not check the token right now/);
    // Not a 401: the caller's token may be fine, and a new one would not help.
    expect(res.headers['www-authenticate']).toBeUndefined();
  }

  it('answers 500 while the JWKS answers 503, and recovers once it is back', async () => {
    const app = jwtApp(testVerifier(idp.url, { algorithms: ['ES256'] }));
    const token = await idp.sign(claims());
    idp.setState('down');
    try {
      await expectUnavailable(await request(app).get('/whoami').set('Authorization', `Bearer ${token}`));
    } finally {
      idp.setState('up');
    }
    expect((await request(app).get('/whoami').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('answers 500 when the JWKS refuses connections', async () => {
    const gone = await startJwksServer(['ES256']);
    const token = await gone.sign(claims());
    await gone.close();
    await expectUnavailable(
      await request(jwtApp(testVerifier(gone.url, { algorithms: ['ES256'] })))
        .get('/whoami')
        .set('Authorization', `Bearer ${token}`),
    );
  });

  it('answers 500 when the JWKS does not answer within jwksTimeoutMs', async () => {
    const app = jwtApp(testVerifier(idp.url, { algorithms: ['ES256'], jwksTimeoutMs: 200 }));
    const token = await idp.sign(claims());
    idp.setState('hang');
    try {
      await expectUnavailable(await request(app).get('/whoami').set('Authorization', `Bearer ${token}`));
    } finally {
      idp.setState('up');
    }
  });

  it('still refuses a token with a forbidden alg with 401: that needs no key set', async () => {
    const app = jwtApp(testVerifier(idp.url, { algorithms: ['ES256'] }));
    idp.setState('down');
    try {
      const res = await request(app)
        .get('/whoami')
        .set('Authorization', `Bearer ${unsignedToken({ alg: 'none' }, claims())}`);
      expect(res.status).toBe(401);
      expect(res.body.detail).toBe("The token's signing algorithm is not accepted.");
    } finally {
      idp.setState('up');
    }
  });
});

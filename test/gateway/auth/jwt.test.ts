// Bearer JWTs end to end: verified against a real local JWKS, tenant from a claim, every refusal a 401 with an RFC 6750 challenge.
import { CompactSign, SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { JwtVerifier } from '../../../src/gateway/auth/jwt-verifier.js';
import { DEMO_KEYS, testApiKey, testConfig, testTenants } from '../../helpers/gateway-config.js';
import { type JwksServer, startJwksServer } from '../../helpers/jwks-server.js';
import {
  claims,
  getWithRawHeaders,
  jwtApp,
  NOW_SEC,
  testVerifier,
  unsignedToken,
  withPayload,
} from '../../helpers/jwt-app.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
const CHALLENGE = /^Bearer realm="datapump-gateway", error="invalid_token", error_description="[^"\\]+"$/;

let idp: JwksServer;
let verifier: JwtVerifier;

beforeAll(async () => {
  idp = await startJwksServer(['ES256', 'RS256']);
  verifier = testVerifier(idp.url);
});
afterAll(() => idp.close());

const es256 = () => idp.keys()[0]!;
const rs256 = () => idp.keys()[1]!;

function expectInvalidToken(res: request.Response, detail: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.type).toBe('https://datapump-gateway.dev/problems/unauthenticated');
  expect(res.body.detail).toMatch(detail);
  expect(res.headers['www-authenticate']).toMatch(CHALLENGE);
  expect(res.headers['www-authenticate']).toContain(`error_description="${res.body.detail}"`);
}

describe('accepted JWTs', () => {
  it.each([
    ['ES256', es256],
    ['RS256', rs256],
  ])('takes tenant and principal from a good %s token', async (_alg, key) => {
    const token = await idp.sign(claims(), { key: key() });
    const res = await request(jwtApp(verifier)).get('/whoami').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tenant: 'hr-team', principal: 'alice@example.test', method: 'jwt' });
  });

  it('accepts a token longer than the 512-character API key cap (RS256 signatures alone are 342)', async () => {
    const token = await idp.sign(claims(), { key: rs256() });
    expect(token.length).toBeGreaterThan(512);
    const res = await request(jwtApp(verifier)).get('/whoami').set('Authorization', `bearer ${token}`);
    expect(res.status).toBe(200);
  });

  it('reads the principal from the configured claim', async () => {
    const jwt = testVerifier(idp.url, { principalClaim: 'email', tenantClaim: 'https://example.test/tenant' });
    const token = await idp.sign(
      claims({ email: 'bob@example.test', tenant: undefined, 'https://example.test/tenant': 'dba-team' }),
    );
    const res = await request(jwtApp(jwt)).get('/whoami').set('Authorization', `Bearer ${token}`);
    expect(res.body).toEqual({ tenant: 'dba-team', principal: 'bob@example.test', method: 'jwt' });
  });

  it('tolerates 30 s of clock skew by default, and reports the expiry in epoch milliseconds', async () => {
    const token = await idp.sign(claims({ exp: NOW_SEC - 20, nbf: NOW_SEC + 20 }));
    await expect(verifier.verify(token)).resolves.toEqual({
      tenantId: 'hr-team',
      principal: 'alice@example.test',
      expiresAt: (NOW_SEC - 20) * 1000,
    });
  });
});

describe('refused JWTs: 401 problem with error="invalid_token"', () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['an expired token', () => idp.sign(claims({ exp: NOW_SEC - 3600 })), /expired/],
    ['a token expired beyond the tolerance', () => idp.sign(claims({ exp: NOW_SEC - 31 })), /expired/],
    ['a token not valid yet (nbf)', () => idp.sign(claims({ nbf: NOW_SEC + 3600 })), /not valid yet/],
    ['a token without exp', () => idp.sign(claims({ exp: undefined })), /lacks the 'exp' claim/],
    [
      'a token from another issuer',
      () => idp.sign(claims({ iss: 'https://evil.example.test/' })),
      /not from a trusted issuer/,
    ],
    ['a token without an issuer', () => idp.sign(claims({ iss: undefined })), /lacks the 'iss' claim/],
    ['a token for another audience', () => idp.sign(claims({ aud: 'another-api' })), /not for this API/],
    ['a token without the tenant claim', () => idp.sign(claims({ tenant: undefined })), /names no tenant/],
    ['a token whose tenant claim is not a string', () => idp.sign(claims({ tenant: ['hr-team'] })), /names no tenant/],
    ['a token without a subject', () => idp.sign(claims({ sub: undefined })), /no usable subject/],
    [
      'a token naming an unknown tenant',
      () => idp.sign(claims({ tenant: 'ghost-team' })),
      /tenant this gateway does not serve/,
    ],
    ...['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map(
      (name): [string, () => Promise<string>, RegExp] => [
        `a token naming the tenant ${name}`,
        () => idp.sign(claims({ tenant: name })),
        /tenant this gateway does not serve/,
      ],
    ),
    [
      'a payload tampered after signing',
      async () => withPayload(await idp.sign(claims()), claims({ tenant: 'dba-team' })),
      /signature is not valid/,
    ],
    [
      "a published kid with another key's signature",
      async () => {
        const stranger = await idp.addKey('ES256', { publish: false });
        return idp.sign(claims(), { key: stranger, header: { kid: es256().kid } });
      },
      /signature is not valid/,
    ],
    [
      'an alg: none token',
      async () => unsignedToken({ alg: 'none', typ: 'JWT' }, claims()),
      /algorithm is not accepted/,
    ],
    [
      'an alg: none token with a signature part',
      async () => unsignedToken({ alg: 'none' }, claims(), 'AAAA'),
      /algorithm is not accepted/,
    ],
    [
      'an HS256 token signed with a guessed secret',
      () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('secret')),
      /algorithm is not accepted/,
    ],
    [
      'an HS256 token keyed with the public JWK (key confusion)',
      () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: es256().kid })
          .sign(new TextEncoder().encode(JSON.stringify(es256().publicJwk))),
      /algorithm is not accepted/,
    ],
    ['a token without alg', async () => unsignedToken({ typ: 'JWT' }, claims(), 'AAAA'), /malformed/],
    [
      'a header that is not JSON',
      async () => `${Buffer.from('nope').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.AAAA`,
      /malformed/,
    ],
    [
      'a well-signed payload that is not a JSON object',
      () =>
        new CompactSign(new TextEncoder().encode('[1,2]'))
          .setProtectedHeader({ alg: 'ES256', kid: es256().kid })
          .sign(es256().privateKey),
      /malformed/,
    ],
    ['an absurdly long token', async () => `${'a'.repeat(5000)}.${'b'.repeat(5000)}.c`, /malformed/],
  ];

  it.each(cases)('refuses %s', async (_why, token, detail) => {
    const res = await request(jwtApp(verifier))
      .get('/whoami')
      .set('Authorization', `Bearer ${await token()}`);
    expectInvalidToken(res, detail);
  });

  it('refuses an algorithm the IdP serves but the allow-list leaves out (RS256 when only ES256 is allowed)', async () => {
    const esOnly = testVerifier(idp.url, { algorithms: ['ES256'] });
    const res = await request(jwtApp(esOnly))
      .get('/whoami')
      .set('Authorization', `Bearer ${await idp.sign(claims(), { key: rs256() })}`);
    expectInvalidToken(res, /algorithm is not accepted/);
  });

  it('refuses none and HS* before it ever asks the JWKS', async () => {
    const fresh = testVerifier(idp.url);
    const before = idp.requests();
    const hs = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('secret'));
    await expect(fresh.verify(hs)).rejects.toMatchObject({ status: 401 });
    await expect(fresh.verify(unsignedToken({ alg: 'none' }, claims()))).rejects.toMatchObject({ status: 401 });
    expect(idp.requests()).toBe(before);
  });

  it('never echoes the token, its claims or the key id in the answer', async () => {
    const token = await idp.sign(claims({ tenant: 'ghost-team', iss: 'https://evil.example.test/' }));
    const res = await request(jwtApp(verifier)).get('/whoami').set('Authorization', `Bearer ${token}`);
    const answer = JSON.stringify(res.body) + String(res.headers['www-authenticate']);
    for (const secret of [token, 'ghost-team', 'evil.example.test', es256().kid, 'ES256'])
      expect(answer).not.toContain(secret);
  });
});

describe('typ, iat and lifetime: what jose leaves to the gateway', () => {
  const DAY = 86_400;
  /** Signed by the IdP's key with this `typ` header (undefined: none at all). */
  const typed = (typ: unknown) => idp.sign(claims(), { header: { typ } });

  it.each<[string, () => Promise<string>]>([
    ['typ JWT', () => typed('JWT')],
    ['typ at+jwt (RFC 9068)', () => typed('at+jwt')],
    ['typ in another case', () => typed('AT+JWT')],
    ['typ with the application/ prefix', () => typed('application/at+jwt')],
    ['typ application/JWT in mixed case', () => typed('Application/JWT')],
    ['no typ at all', () => typed(undefined)],
    ['iat in the future within the 30 s tolerance', () => idp.sign(claims({ iat: NOW_SEC + 30 }))],
    [
      'a lifetime of exactly max_lifetime (exp − iat)',
      () => idp.sign(claims({ iat: NOW_SEC - 60, exp: NOW_SEC - 60 + DAY })),
    ],
    [
      'no iat and exp a day from now, plus the tolerance',
      () => idp.sign(claims({ iat: undefined, exp: NOW_SEC + DAY + 30 })),
    ],
  ])('accepts %s', async (_what, token) => {
    const res = await request(jwtApp(verifier))
      .get('/whoami')
      .set('Authorization', `Bearer ${await token()}`);
    expect(res.status).toBe(200);
    expect(res.body.tenant).toBe('hr-team');
  });

  const TYPE = /^The token is not of a type the gateway accepts\.$/;
  const FUTURE = /^The token is issued in the future\.$/;
  const TOO_LONG = /^The token is valid for longer than the gateway accepts\.$/;
  it.each<[string, () => Promise<string>, RegExp]>([
    ['an ID token (typ id_token+jwt)', () => typed('id_token+jwt'), TYPE],
    ['a logout token (typ logout+jwt)', () => typed('logout+jwt'), TYPE],
    ['a security event token (typ application/secevent+jwt)', () => typed('application/secevent+jwt'), TYPE],
    ['typ jwt under another media type (text/jwt)', () => typed('text/jwt'), TYPE],
    ['typ with a trailing space', () => typed('JWT '), TYPE],
    ['an empty typ', () => typed(''), TYPE],
    ['a typ that is a number', () => typed(42), TYPE],
    ['a typ that is null', () => typed(null), TYPE],
    ['a typ that is a list', () => typed(['JWT']), TYPE],
    ['iat 31 s in the future (beyond the tolerance)', () => idp.sign(claims({ iat: NOW_SEC + 31 })), FUTURE],
    [
      'iat a year in the future',
      () => idp.sign(claims({ iat: NOW_SEC + 365 * DAY, exp: NOW_SEC + 365 * DAY + 300 })),
      FUTURE,
    ],
    [
      'a lifetime of max_lifetime + 1 s (exp − iat)',
      () => idp.sign(claims({ iat: NOW_SEC - 60, exp: NOW_SEC - 60 + DAY + 1 })),
      TOO_LONG,
    ],
    ['a token valid for ten years', () => idp.sign(claims({ iat: NOW_SEC - 60, exp: NOW_SEC + 3650 * DAY })), TOO_LONG],
    [
      'an old token still valid for minutes (iat two days ago)',
      () => idp.sign(claims({ iat: NOW_SEC - 2 * DAY })),
      TOO_LONG,
    ],
    [
      'no iat and exp more than a day (plus the tolerance) from now',
      () => idp.sign(claims({ iat: undefined, exp: NOW_SEC + DAY + 31 })),
      TOO_LONG,
    ],
    [
      'an iat that is not a number',
      () => idp.sign(claims({ iat: 'yesterday' })),
      /^The token's claims are not valid\.$/,
    ],
  ])('refuses %s', async (_what, token, detail) => {
    const res = await request(jwtApp(verifier))
      .get('/whoami')
      .set('Authorization', `Bearer ${await token()}`);
    expectInvalidToken(res, detail);
  });

  it('takes token_types and max_lifetime_seconds from the configuration', async () => {
    const strict = jwtApp(testVerifier(idp.url, { tokenTypes: ['application/AT+JWT'], maxLifetimeSec: 3600 }));
    const send = async (token: Promise<string>) =>
      request(strict)
        .get('/whoami')
        .set('Authorization', `Bearer ${await token}`);
    expect((await send(typed('at+jwt'))).status).toBe(200);
    expectInvalidToken(await send(typed('JWT')), TYPE);
    expect(
      (await send(idp.sign(claims({ iat: NOW_SEC - 60, exp: NOW_SEC - 60 + 3600 }), { header: { typ: 'at+jwt' } })))
        .status,
    ).toBe(200);
    expectInvalidToken(
      await send(idp.sign(claims({ iat: NOW_SEC - 60, exp: NOW_SEC - 60 + 3601 }), { header: { typ: 'at+jwt' } })),
      TOO_LONG,
    );
  });

  it('never echoes the refused typ or the configured limits', async () => {
    const res = await request(jwtApp(verifier))
      .get('/whoami')
      .set('Authorization', `Bearer ${await typed('evil-type+jwt')}`);
    const long = await request(jwtApp(verifier))
      .get('/whoami')
      .set('Authorization', `Bearer ${await idp.sign(claims({ exp: NOW_SEC + 3650 * DAY }))}`);
    const answer = [res, long].map((r) => JSON.stringify(r.body) + String(r.headers['www-authenticate'])).join();
    for (const secret of ['evil-type', '86400', String(3650 * DAY)]) expect(answer).not.toContain(secret);
  });
});

describe('JWTs next to API keys', () => {
  it.each([
    ['Bearer API key', { Authorization: `Bearer ${DEMO_KEYS['hr-team']}` }, 'bearer'],
    ['X-API-Key', { 'X-API-Key': DEMO_KEYS['hr-team'] }, 'api-key'],
    ['Basic tenant-id:key', { Authorization: basic(`hr-team:${DEMO_KEYS['hr-team']}`) }, 'basic'],
  ])('still accepts a %s with JWT configured', async (_how, headers, method) => {
    const res = await request(jwtApp(verifier)).get('/whoami').set(headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tenant: 'hr-team', principal: 'hr-team', method });
  });

  const dotted = 'aaaa.bbbb.cccc';
  const tenants = testTenants();
  const config = testConfig({
    tenants: { ...tenants, 'hr-team': { ...tenants['hr-team']!, apiKeys: [testApiKey(dotted, 'dotted')] } },
  });

  it('never looks a JWT-shaped Bearer value up as an API key, even when it is one', async () => {
    for (const jwt of [verifier, undefined]) {
      const res = await request(jwtApp(jwt, config)).get('/whoami').set('Authorization', `Bearer ${dotted}`);
      expectInvalidToken(res, jwt ? /malformed/ : /not configured/);
    }
  });

  it('leaves X-API-Key alone: a dotted key there is still an API key', async () => {
    const res = await request(jwtApp(verifier, config)).get('/whoami').set('X-API-Key', dotted);
    expect(res.body).toEqual({ tenant: 'hr-team', principal: 'hr-team', method: 'api-key' });
  });

  it('refuses a good JWT when no verifier is configured, and still takes API keys', async () => {
    const app = jwtApp(undefined);
    expectInvalidToken(
      await request(app)
        .get('/whoami')
        .set('Authorization', `Bearer ${await idp.sign(claims())}`),
      /JWT authentication is not configured/,
    );
    expect(
      (await request(app).get('/whoami').set('Authorization', `Bearer ${DEMO_KEYS['sales-team']}`)).body.tenant,
    ).toBe('sales-team');
  });

  it.each<[string, (hr: string, dba: string) => string[]]>([
    [
      'two Bearer JWTs of two tenants',
      (hr, dba) => ['Authorization', `Bearer ${hr}`, 'Authorization', `Bearer ${dba}`],
    ],
    ['the same Bearer JWT twice', (hr) => ['Authorization', `Bearer ${hr}`, 'Authorization', `Bearer ${hr}`]],
    ['a Bearer JWT and an X-API-Key', (hr) => ['Authorization', `Bearer ${hr}`, 'X-API-Key', DEMO_KEYS['hr-team']!]],
  ])('refuses %s on the wire (Node would have kept only the first Authorization)', async (_how, headers) => {
    const hr = await idp.sign(claims({ tenant: 'hr-team' }));
    const dba = await idp.sign(claims({ tenant: 'dba-team' }));
    const res = await getWithRawHeaders(jwtApp(verifier), '/whoami', headers(hr, dba));
    expect(res.status).toBe(401);
    expect(res.body.type).toBe('https://datapump-gateway.dev/problems/unauthenticated');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="datapump-gateway", Basic/);
  });

  it('refuses a JWT sent with X-API-Key as well, as for any two credentials', async () => {
    const res = await request(jwtApp(verifier))
      .get('/whoami')
      .set({ Authorization: `Bearer ${await idp.sign(claims())}`, 'X-API-Key': DEMO_KEYS['hr-team'] });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/Bearer/);
  });
});

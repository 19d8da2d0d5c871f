// The JWKS as the verifier uses it: fetched once and cached, refetched for a new kid (with a cooldown), and what an
// outage answers: 503 with Retry-After, fetches held off with a backoff, one fetch in flight at a time.
import type { Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createJwtVerifier, type JwtOptions, looksLikeJwt } from '../../../src/gateway/auth/jwt-verifier.js';
import type { GatewayError } from '../../../src/gateway/problems/gateway-error.js';
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
    ['an empty list of token types', { tokenTypes: [] }, /tokenTypes/],
    ['an empty token type', { tokenTypes: ['at+jwt', ' '] }, /tokenTypes/],
    ['a lifetime of more than a week', { maxLifetimeSec: 604_801 }, /maxLifetimeSec/],
    ['a negative backoff', { jwksBackoffInitialMs: -1 }, /jwksBackoffInitialMs/],
    ['a fractional backoff cap', { jwksBackoffMaxMs: 0.5 }, /jwksBackoffMaxMs/],
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

/** The backoff's clock, moved by hand: the hold-off is tested without sleeping. */
function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A log that keeps its lines, to read what the operators would see. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const UNAVAILABLE = 'https://datapump-gateway.dev/problems/identity-provider-unavailable';

function expectUnavailable(
  res: { status: number; headers: Record<string, unknown>; body: unknown },
  retryAfter?: string,
) {
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: UNAVAILABLE, status: 503 });
  expect((res.body as { detail: string }).detail).toMatch(/keys cannot be had right now/);
  expect(res.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
  if (retryAfter !== undefined) expect(res.headers['retry-after']).toBe(retryAfter);
  // Not a 401: the caller's token may be fine, and a new one would not help.
  expect(res.headers['www-authenticate']).toBeUndefined();
}

/** Tokens naming kids the IdP never published, each different: what an attacker would send. */
async function unknownKidTokens(count: number): Promise<string[]> {
  const unannounced = await idp.addKey('ES256', { publish: false });
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      idp.sign(claims(), { key: unannounced, header: { kid: `random-${i}-${Math.random()}` } }),
    ),
  );
}

const get = (app: Express, token: string) => request(app).get('/whoami').set('Authorization', `Bearer ${token}`);

describe('an IdP that cannot serve its key set: 503 identity-provider-unavailable with Retry-After', () => {
  afterEach(() => idp.setState('up'));

  it('answers 503 while the JWKS answers 503, holds off, and recovers once the backoff is over', async () => {
    const clock = manualClock();
    const app = jwtApp(testVerifier(idp.url, { algorithms: ['ES256'] }, { clock: clock.now }));
    const token = await idp.sign(claims());
    idp.setState('down');
    expect(await fetchesDuring(async () => expectUnavailable(await get(app, token), '1'))).toBe(1);
    idp.setState('up');
    // Back, but the hold-off is not over: no fetch, an answer at once.
    expect(await fetchesDuring(async () => expectUnavailable(await get(app, token), '1'))).toBe(0);
    clock.advance(1_000);
    expect(await fetchesDuring(async () => expect((await get(app, token)).status).toBe(200))).toBe(1);
  });

  it('answers 503 when the JWKS refuses connections', async () => {
    const gone = await startJwksServer(['ES256']);
    const token = await gone.sign(claims());
    await gone.close();
    expectUnavailable(await get(jwtApp(testVerifier(gone.url, { algorithms: ['ES256'] })), token), '1');
  });

  it('answers 503 for a 200 that is not a key set, and holds off after it as after any failure', async () => {
    const app = jwtApp(testVerifier(idp.url, { algorithms: ['ES256'] }, { clock: manualClock().now }));
    const token = await idp.sign(claims());
    idp.setState('garbage');
    expect(await fetchesDuring(async () => expectUnavailable(await get(app, token)))).toBe(1);
    expect(await fetchesDuring(async () => expectUnavailable(await get(app, token)))).toBe(0);
  });

  it('logs jwks-unavailable with the JWKS host, and never names it to the client', async () => {
    const { logger, lines } = capturedLog();
    const app = jwtApp(
      testVerifier(idp.url, { algorithms: ['ES256'] }, { clock: manualClock().now }),
      undefined,
      logger,
    );
    const token = await idp.sign(claims());
    idp.setState('down');
    const first = await get(app, token);
    const second = await get(app, token);
    const host = new URL(idp.url).host;
    expect(lines).toEqual([
      expect.objectContaining({
        problem: 'identity-provider-unavailable',
        status: 503,
        reason: 'jwks-unavailable',
        jwksHost: host,
        jwksFetch: 'failed',
      }),
      expect.objectContaining({ reason: 'jwks-unavailable', jwksHost: host, jwksFetch: 'held-off' }),
    ]);
    for (const res of [first, second])
      expect(JSON.stringify(res.body) + JSON.stringify(res.headers)).not.toContain(host);
  });

  it('a failing provider and 50 unknown-kid tokens, one after another: one fetch, every answer 503 with Retry-After', async () => {
    const app = jwtApp(testVerifier(idp.url, { algorithms: ['ES256'] }, { clock: manualClock().now }));
    const tokens = await unknownKidTokens(50);
    idp.setState('down');
    const fetches = await fetchesDuring(async () => {
      for (const token of tokens) expectUnavailable(await get(app, token), '1');
    });
    expect(fetches).toBe(1);
  });

  it('a failing provider and 50 unknown-kid tokens at once: they share one fetch', async () => {
    const app = jwtApp(testVerifier(idp.url, { algorithms: ['ES256'] }, { clock: manualClock().now }));
    const tokens = await unknownKidTokens(50);
    idp.setState('down');
    const fetches = await fetchesDuring(async () => {
      const answers = await Promise.all(tokens.map((token) => get(app, token)));
      for (const res of answers) expectUnavailable(res, '1');
    });
    expect(fetches).toBe(1);
  });

  it('with keys cached and the cooldown over, unknown kids during an outage cost one fetch and known kids still pass', async () => {
    const app = jwtApp(
      testVerifier(
        idp.url,
        // No cooldown after a success, so every unknown kid asks the provider: only the backoff holds it.
        { algorithms: ['ES256'], jwksCooldownMs: 0, jwksBackoffMaxMs: 30_000 },
        { clock: manualClock().now },
      ),
    );
    const good = await idp.sign(claims());
    expect((await get(app, good)).status).toBe(200);
    const tokens = await unknownKidTokens(50);
    idp.setState('down');
    const fetches = await fetchesDuring(async () => {
      for (const token of tokens) expectUnavailable(await get(app, token), '1');
      expect((await get(app, good)).status).toBe(200);
    });
    expect(fetches).toBe(1);
  });

  it('doubles the hold-off with each failed fetch, 1 s to the 30 s cooldown, and fetches only when it is over', async () => {
    const clock = manualClock();
    const verifier = testVerifier(idp.url, { algorithms: ['ES256'] }, { clock: clock.now });
    const token = await idp.sign(claims());
    const retryAfter = async () => {
      const err = await verifier.verify(token).then(
        () => expect.fail('verified while the IdP is down'),
        (e: unknown) => e as GatewayError,
      );
      expect(err).toMatchObject({ slug: 'identity-provider-unavailable', status: 503 });
      return Number(err.headers['Retry-After']);
    };
    idp.setState('down');
    const schedule: number[] = [];
    expect(await fetchesDuring(async () => schedule.push(await retryAfter()))).toBe(1);
    for (let i = 0; i < 6; i += 1) {
      const holdOffMs = schedule.at(-1)! * 1_000;
      clock.advance(holdOffMs - 1);
      // A millisecond early: still held off, answered without a fetch, asked to wait that last second.
      expect(await fetchesDuring(async () => expect(await retryAfter()).toBe(1))).toBe(0);
      clock.advance(1);
      expect(await fetchesDuring(async () => schedule.push(await retryAfter()))).toBe(1);
    }
    expect(schedule).toEqual([1, 2, 4, 8, 16, 30, 30]);
  });

  it('starts the backoff again at 1 s after a good fetch', async () => {
    const clock = manualClock();
    const app = jwtApp(
      testVerifier(
        idp.url,
        { algorithms: ['ES256'], jwksCooldownMs: 0, jwksBackoffMaxMs: 30_000 },
        { clock: clock.now },
      ),
    );
    const token = await idp.sign(claims());
    idp.setState('down');
    expectUnavailable(await get(app, token), '1');
    clock.advance(1_000);
    expectUnavailable(await get(app, token), '2');
    clock.advance(2_000);
    idp.setState('up');
    expect((await get(app, token)).status).toBe(200);
    idp.setState('down');
    const [unknown] = await unknownKidTokens(1);
    expectUnavailable(await get(app, unknown!), '1');
  });

  it('a hanging provider: the first request waits at most the fetch timeout, the ones after it answer at once', async () => {
    const timeoutMs = 1_000;
    const app = jwtApp(
      testVerifier(idp.url, { algorithms: ['ES256'], jwksTimeoutMs: timeoutMs }, { clock: manualClock().now }),
    );
    const token = await idp.sign(claims());
    idp.setState('hang');
    const first = performance.now();
    expect(await fetchesDuring(async () => expectUnavailable(await get(app, token), '1'))).toBe(1);
    expect(performance.now() - first).toBeLessThan(timeoutMs + 1_000);
    const fetches = await fetchesDuring(async () => {
      for (let i = 0; i < 10; i += 1) {
        const started = performance.now();
        expectUnavailable(await get(app, token), '1');
        expect(performance.now() - started).toBeLessThan(timeoutMs / 4);
      }
    });
    expect(fetches).toBe(0);
  });

  it('a hanging provider and 20 requests at once: one fetch, shared, none waits longer than its timeout', async () => {
    const timeoutMs = 500;
    const app = jwtApp(
      testVerifier(idp.url, { algorithms: ['ES256'], jwksTimeoutMs: timeoutMs }, { clock: manualClock().now }),
    );
    const tokens = await unknownKidTokens(20);
    idp.setState('hang');
    const started = performance.now();
    const fetches = await fetchesDuring(async () => {
      const answers = await Promise.all(tokens.map((token) => get(app, token)));
      for (const res of answers) expectUnavailable(res, '1');
    });
    expect(fetches).toBe(1);
    expect(performance.now() - started).toBeLessThan(timeoutMs + 1_000);
  });

  it('still refuses a token with a forbidden alg with 401: that needs no key set', async () => {
    const app = jwtApp(testVerifier(idp.url, { algorithms: ['ES256'] }));
    idp.setState('down');
    const res = await request(app)
      .get('/whoami')
      .set('Authorization', `Bearer ${unsignedToken({ alg: 'none' }, claims())}`);
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe("The token's signing algorithm is not accepted.");
  });
});

// JWTs through the whole gateway: the tenant from the claim, the principal recorded with the job, one budget per tenant.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testGateway } from '../../helpers/gateway-app.js';
import { TEST_LIMITS, testConfig, testTenants } from '../../helpers/gateway-config.js';
import { type JwksServer, startJwksServer } from '../../helpers/jwks-server.js';
import { claims, testVerifier } from '../../helpers/jwt-app.js';
import { mockOrds } from '../../helpers/mock-ords.js';

describe('JWT authentication through the gateway', () => {
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await startJwksServer(['ES256']);
  });
  afterAll(async () => {
    await jwks.close();
  });

  it("creates a job as the tenant named by the claim, recording the token's subject as the principal", async () => {
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({ dispatcher: ords.agent, jwt: testVerifier(jwks.url) });
    const token = await jwks.sign(claims({ sub: 'alice@example.test', tenant: 'hr-team' }));
    const res = await request(gw.app)
      .post('/databases/orcl/datapump/jobs/')
      .set('Authorization', `Bearer ${token}`)
      .send({ operation: 'EXPORT' });
    expect(res.status).toBe(201);
    const [record] = (await gw.store.registry.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).items;
    expect(record).toMatchObject({ tenant: 'hr-team', principal: 'alice@example.test' });
    expect(ords.received[0]!.headers.authorization).not.toContain(token.slice(0, 20));
  });

  it("shares one rate budget between the tenant's API key and its JWTs", async () => {
    const tenants = testTenants();
    tenants['hr-team'] = { ...tenants['hr-team']!, limits: { ...TEST_LIMITS, read: { limit: 2, windowMs: 60_000 } } };
    const gw = testGateway({ config: testConfig({ tenants }), jwt: testVerifier(jwks.url) });
    const token = await jwks.sign(claims({ tenant: 'hr-team' }));
    const jobs = '/databases/orcl/datapump/jobs/';
    expect((await request(gw.app).get(jobs).set('X-API-Key', 'hr-demo-key')).status).toBe(200);
    expect((await request(gw.app).get(jobs).set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await request(gw.app).get(jobs).set('Authorization', `Bearer ${token}`)).status).toBe(429);
  });

  it('answers 503 identity-provider-unavailable with Retry-After through the whole gateway when the IdP is down, ORDS not called', async () => {
    const ords = mockOrds();
    const lines: Record<string, unknown>[] = [];
    const gw = testGateway({
      dispatcher: ords.agent,
      jwt: testVerifier(jwks.url, {}, { clock: () => 0 }),
      logStream: { write: (line) => lines.push(JSON.parse(line)) },
    });
    const token = await jwks.sign(claims({ tenant: 'hr-team' }));
    jwks.setState('down');
    try {
      // The first request's fetch fails; the second is held off and answered without one.
      for (let i = 0; i < 2; i += 1) {
        const res = await request(gw.app).get('/databases/orcl/datapump/jobs/').set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(503);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.type).toBe('https://datapump-gateway.dev/problems/identity-provider-unavailable');
        expect(res.headers['retry-after']).toBe('1');
        expect(res.headers['www-authenticate']).toBeUndefined();
      }
    } finally {
      jwks.setState('up');
    }
    expect(ords.received).toEqual([]);
    expect(lines.filter((l) => l.reason === 'jwks-unavailable')).toHaveLength(2);
  });

  it('answers 401 for an expired token', async () => {
    const gw = testGateway({ jwt: testVerifier(jwks.url) });
    const token = await jwks.sign(claims({ exp: Math.floor(Date.UTC(2029, 0, 1) / 1000) }));
    const res = await request(gw.app).get('/databases/orcl/datapump/jobs/').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/invalid_token/);
  });
});

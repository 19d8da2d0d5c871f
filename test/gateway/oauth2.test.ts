// The gateway's OAuth2 client-credentials token for ORDS: fetched once, cached until shortly before expiry, refreshed on 401.
import request from 'supertest';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';

import { createCredentialProvider } from '../../src/gateway/upstream/credentials.js';
import { testGateway } from '../helpers/gateway-app.js';
import { testConfig } from '../helpers/gateway-config.js';
import { mockOrds, ORDS_JOBS, ORDS_ORIGIN, ordsJob } from '../helpers/mock-ords.js';

const TOKEN_URL = `${ORDS_ORIGIN}/ords/orcl/pdbadmin/oauth/token`;
const oauth = { kind: 'oauth2' as const, clientId: 'gateway', clientSecret: 's3cret', tokenUrl: TOKEN_URL };

function tokenServer(agent: MockAgent, tokens: string[], expiresIn = 3600) {
  const seen: Array<{ authorization: string; body: string }> = [];
  let i = 0;
  agent
    .get(ORDS_ORIGIN)
    .intercept({ method: 'POST', path: '/ords/orcl/pdbadmin/oauth/token' })
    .reply((opts) => {
      const headers = opts.headers as Record<string, string>;
      seen.push({ authorization: headers.authorization ?? '', body: String(opts.body) });
      return {
        statusCode: 200,
        data: JSON.stringify({ access_token: tokens[i++], token_type: 'bearer', expires_in: expiresIn }),
        responseOptions: { headers: { 'content-type': 'application/json' } },
      };
    })
    .persist();
  return seen;
}

describe('OAuth2 client credentials towards ORDS', () => {
  it('asks for a token with the client id and secret, then reuses it until shortly before it expires', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const seen = tokenServer(agent, ['t1', 't2'], 120);
    let clock = 1_000_000;
    const provider = createCredentialProvider({
      auth: oauth,
      dispatcher: agent,
      now: () => clock,
      timeoutMs: 1000,
      refreshMarginMs: 30_000,
    });
    expect(await provider.authorization()).toBe('Bearer t1');
    expect(seen[0]).toEqual({
      authorization: `Basic ${Buffer.from('gateway:s3cret').toString('base64')}`,
      body: 'grant_type=client_credentials',
    });
    clock += 89_000; // 120 s lifetime − 30 s margin = good until +90 s
    expect(await provider.authorization()).toBe('Bearer t1');
    clock += 2_000;
    expect(await provider.authorization()).toBe('Bearer t2');
    expect(seen).toHaveLength(2);
  });

  it('shares one token request among concurrent callers', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const seen = tokenServer(agent, ['t1', 't2']);
    const provider = createCredentialProvider({ auth: oauth, dispatcher: agent, now: () => 0, timeoutMs: 1000 });
    const all = await Promise.all(Array.from({ length: 10 }, () => provider.authorization()));
    expect(new Set(all)).toEqual(new Set(['Bearer t1']));
    expect(seen).toHaveLength(1);
  });

  it('refreshes the token once when ORDS answers 401, and retries the call with the new one', async () => {
    const ords = mockOrds();
    const seen = tokenServer(ords.agent, ['stale', 'fresh']);
    ords.answer('POST', ORDS_JOBS, 401, {
      code: 'Unauthorized',
      message: 'Unauthorized',
      type: 'tag:oracle.com,2020:error/Unauthorized',
    });
    ords.answer('POST', ORDS_JOBS, 201, ordsJob());
    const gw = testGateway({ dispatcher: ords.agent, config: testConfig({}, { auth: oauth }) });
    const res = await request(gw.app)
      .post('/databases/orcl/datapump/jobs/')
      .set('X-API-Key', 'hr-demo-key')
      .send({ operation: 'EXPORT' });
    expect(res.status).toBe(201);
    expect(seen).toHaveLength(2);
    expect(ords.received.map((r) => r.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('answers 502 upstream-auth-failed when ORDS refuses the fresh token too, and when the client is unknown', async () => {
    const ords = mockOrds();
    tokenServer(ords.agent, ['a', 'b']);
    ords.answer('POST', ORDS_JOBS, 401, { code: 'Unauthorized', message: 'Unauthorized' }, {}, 2);
    const gw = testGateway({ dispatcher: ords.agent, config: testConfig({}, { auth: oauth }) });
    const res = await request(gw.app)
      .post('/databases/orcl/datapump/jobs/')
      .set('X-API-Key', 'hr-demo-key')
      .send({ operation: 'EXPORT' });
    expect(res.status).toBe(502);
    expect(res.body.type).toBe('https://datapump-gateway.dev/problems/upstream-auth-failed');

    const refused = new MockAgent();
    refused.disableNetConnect();
    refused
      .get(ORDS_ORIGIN)
      .intercept({ method: 'POST', path: '/ords/orcl/pdbadmin/oauth/token' })
      .reply(401, { error: 'invalid_client' });
    const provider = createCredentialProvider({ auth: oauth, dispatcher: refused, now: () => 0, timeoutMs: 1000 });
    await expect(provider.authorization()).rejects.toMatchObject({ slug: 'upstream-auth-failed' });
  });
});

// OAuth2 client credentials: issuing tokens, using them on Data Pump routes, expiry under the manual clock.
import { describe, expect, it } from 'vitest';

import { basic, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const CLIENT = basic('gateway', 's3cret');

async function setup(options = {}) {
  const started = await startTestEmulator({ clients: { gateway: 's3cret' }, tokenTtlSeconds: 60, ...options });
  const tokenUrl = `${started.origin}/ords/orcl/pdbadmin/oauth/token`;
  const token = (authorization = CLIENT, body = 'grant_type=client_credentials') =>
    call(tokenUrl, { method: 'POST', headers: { ...form, authorization }, body });
  return { ...started, tokenUrl, token };
}

describe('POST …/oauth/token', () => {
  it('issues a bearer token for a configured client', async () => {
    const { token } = await setup();
    const res = await token();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 60 });
  });

  it('401 invalid_client for a wrong secret, an unknown client or no credentials', async () => {
    const { token } = await setup();
    for (const authorization of [
      basic('gateway', 'wrong'),
      basic('other', 's3cret'),
      '',
      basic('pdbadmin', 'oracle'),
    ]) {
      const res = await token(authorization);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: 'invalid_client' });
    }
  });

  it('400 unsupported_grant_type for another grant; invalid_request without one', async () => {
    const { token } = await setup();
    const password = await token(CLIENT, 'grant_type=password&username=a&password=b');
    expect(password.status).toBe(400);
    expect(password.json).toEqual({ error: 'unsupported_grant_type' });
    const none = await token(CLIENT, 'scope=x');
    expect(none.status).toBe(400);
    expect(none.json.error).toBe('invalid_request');
  });

  it('the token works on Data Pump routes; the owner is the schema alias upper-cased', async () => {
    const { token, jobs } = await setup();
    const { access_token } = (await token()).json;
    const created = await call(jobs, {
      headers: { authorization: `Bearer ${access_token}` },
      body: { operation: 'EXPORT' },
    });
    expect(created.status).toBe(201);
    expect(created.json.owner_name).toBe('PDBADMIN');
    // ORDS's own examples write the scheme in lower case.
    expect((await call(jobs, { headers: { authorization: `bearer ${access_token}` } })).status).toBe(200);
  });

  it('an expired token is refused with 401; a new one works again', async () => {
    const { token, jobs, clock } = await setup();
    const first = (await token()).json.access_token;
    clock.advance(59_999);
    expect((await call(jobs, { headers: { authorization: `Bearer ${first}` } })).status).toBe(200);
    clock.advance(1);
    const expired = await call(jobs, { headers: { authorization: `Bearer ${first}` } });
    expect(expired.status).toBe(401);
    expect(expired.json.code).toBe('Unauthorized');
    const second = (await token()).json.access_token;
    expect(second).not.toBe(first);
    expect((await call(jobs, { headers: { authorization: `Bearer ${second}` } })).status).toBe(200);
  });

  it('client credentials are not database credentials, and database users are not clients', async () => {
    const { jobs } = await setup();
    expect((await call(jobs, { headers: { authorization: CLIENT } })).status).toBe(401);
  });
});

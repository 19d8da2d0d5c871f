// What an unauthenticated caller can learn: /metrics names no tenant unless told to, HSTS only over https.
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import { testGateway } from '../helpers/gateway-app.js';
import { testConfig } from '../helpers/gateway-config.js';

const JOBS = '/databases/orcl/datapump/jobs/';

describe('metrics do not leak tenants', () => {
  it('labels requests with tenant "none" unless metrics.tenant_label is on', async () => {
    const base = testConfig();
    const gw = testGateway({ config: { ...base, metrics: { ...base.metrics, tenantLabel: false } } });
    expect((await request(gw.app).get(JOBS).set('X-API-Key', 'hr-demo-key')).status).toBe(200);
    // The counter is written on the answer's 'finish', which the client may see before the server does.
    await new Promise((resolve) => setImmediate(resolve));
    const text = await gw.metrics.registry.metrics();
    expect(text).toMatch(/datapump_gateway_requests_total\{.*tenant="none"\} 1/);
    expect(text).not.toMatch(/hr-team/);
  });

  it('names the tenant when the operator turned the label on (with a token: refused otherwise at load)', async () => {
    const base = testConfig();
    const gw = testGateway({ config: { ...base, metrics: { token: 'm', listen: null, tenantLabel: true } } });
    await request(gw.app).get(JOBS).set('X-API-Key', 'hr-demo-key');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await gw.metrics.registry.metrics()).toMatch(/tenant="hr-team"/);
  });
});

describe('Strict-Transport-Security', () => {
  it.each([
    ['http://gateway.internal', false],
    ['https://gateway.example.com', true],
  ])('with public_url %s is sent: %s', async (publicUrl, sent) => {
    const gw = testGateway({ config: { ...testConfig(), publicUrl } });
    const res = await request(gw.app).get('/healthz');
    expect(res.headers['strict-transport-security'] !== undefined).toBe(sent);
  });
});

// The operational endpoints: health, readiness, metrics, the served contract, docs and problem pages.
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import { loadContract } from '../../src/contract/documents.js';
import { PROBLEMS } from '../../src/gateway/problems/catalogue.js';
import { testGateway } from '../helpers/gateway-app.js';
import { testConfig } from '../helpers/gateway-config.js';
import { mockOrds, ORDS_API } from '../helpers/mock-ords.js';

describe('health and readiness', () => {
  it('/healthz answers while the process runs, whatever ORDS does', async () => {
    const res = await request(testGateway().app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when every ORDS answers its metadata catalogue, 503 naming the one that does not', async () => {
    const ords = mockOrds();
    ords.answer('GET', `${ORDS_API}metadata-catalog/`, 200, { items: [], links: [] });
    const gw = testGateway({ dispatcher: ords.agent });
    const ready = await request(gw.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ 'ords:orcl': { ok: true }, store: { ok: true } });
    ords.answer('GET', `${ORDS_API}metadata-catalog/`, 503, { code: 'ServiceUnavailable', message: 'down' });
    const notReady = await request(gw.app).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks['ords:orcl'].ok).toBe(false);
    expect(JSON.stringify(notReady.body)).not.toContain('127.0.0.1');
  });
});

describe('metrics', () => {
  it('counts requests by contract route, status and tenant, and rejections by problem type', async () => {
    const gw = testGateway();
    await request(gw.app).get('/databases/orcl/datapump/jobs/').set('X-API-Key', 'hr-demo-key');
    await request(gw.app).get('/databases/orcl/datapump/jobs/').set('X-API-Key', 'wrong');
    const res = await request(gw.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(
      /datapump_gateway_requests_total\{route="\/databases\/\{database\}\/datapump\/jobs\/",method="GET",status="200",tenant="hr-team"\} 1/,
    );
    expect(res.text).toMatch(/datapump_gateway_rejections_total\{reason="unauthenticated"\} 1/);
    expect(res.text).toContain('datapump_gateway_request_duration_seconds_bucket');
  });

  it("keeps each app's metrics apart (no global registry)", async () => {
    const a = testGateway();
    const b = testGateway();
    await request(a.app).get('/healthz');
    const text = await b.metrics.registry.metrics();
    expect(text).not.toMatch(/requests_total\{[^}]*\} 1/);
  });

  it('requires the bearer token when one is configured', async () => {
    const gw = testGateway({ config: testConfig({ metrics: { token: 'm-token', listen: null, tenantLabel: false } }) });
    expect((await request(gw.app).get('/metrics')).status).toBe(401);
    expect((await request(gw.app).get('/metrics').set('Authorization', 'Bearer nope')).status).toBe(401);
    expect((await request(gw.app).get('/metrics').set('Authorization', 'Bearer m-token')).status).toBe(200);
  });
});

describe('the served contract and its pages', () => {
  const gw = testGateway();

  it('/openapi.json is the bundled public contract with a relative server', async () => {
    const res = await request(gw.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.servers).toEqual([{ url: '/', description: 'This gateway' }]);
    const { servers: _a, ...served } = res.body;
    const { servers: _b, ...bundled } = loadContract('public');
    expect(served).toEqual(bundled);
  });

  it('/docs serves Swagger UI with its assets from this gateway', async () => {
    const page = await request(gw.app).get('/docs/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
    const scripts = [...page.text.matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src).not.toMatch(/^https?:/);
      expect((await request(gw.app).get(`/docs/${src.replace(/^\.\//, '')}`)).status, src).toBe(200);
    }
  });

  it('serves a page behind every problem type URI', async () => {
    for (const [slug, { status, title }] of Object.entries(PROBLEMS)) {
      const res = await request(gw.app).get(`/problems/${slug}`);
      expect(res.status, slug).toBe(200);
      expect(res.text).toContain(title.replace(/'/g, '&#39;'));
      expect(res.text).toContain(`HTTP ${status}`);
    }
  });
});

describe('problem catalogue in code', () => {
  it("matches the contract's catalogue entry for entry", () => {
    const entries = (
      loadContract('public').components.schemas as Record<
        string,
        { oneOf: Array<{ title: string; 'x-status': number; 'x-title': string }> }
      >
    ).ProblemType!.oneOf;
    const fromContract = Object.fromEntries(
      entries.map((e) => [e.title, { status: e['x-status'], title: e['x-title'] }]),
    );
    expect(PROBLEMS).toEqual(fromContract);
  });
});

describe('access log', () => {
  it('writes one JSON line per request with method, path, status, request id and tenant, and no credential', async () => {
    const lines: string[] = [];
    const ords = mockOrds();
    ords.answerCreates();
    const gw = testGateway({
      dispatcher: ords.agent,
      logStream: {
        write: (l: string) => {
          lines.push(l);
        },
      },
    });
    await request(gw.app)
      .post('/databases/orcl/datapump/jobs/')
      .set('Authorization', `Basic ${Buffer.from('hr-team:hr-demo-key').toString('base64')}`)
      .set('X-Request-Id', 'log-test-1')
      .set('Cookie', 'session=s3cr3t')
      .send({ operation: 'EXPORT' });
    await request(gw.app).get('/databases/orcl/datapump/jobs/').set('X-API-Key', 'hr-demo-key');
    const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request completed');
    expect(access).toHaveLength(2);
    expect(access[0]).toMatchObject({
      req: { id: 'log-test-1', method: 'POST', url: '/databases/orcl/datapump/jobs/' },
      res: { statusCode: 201 },
      tenant: 'hr-team',
    });
    expect(typeof access[0].responseTime).toBe('number');
    const all = lines.join('\n');
    for (const secret of ['hr-demo-key', Buffer.from('hr-team:hr-demo-key').toString('base64'), 's3cr3t', 'oracle'])
      expect(all).not.toContain(secret);
  });
});

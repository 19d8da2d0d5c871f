// /docs opens with how to authenticate (the forms authenticate.ts accepts), then the operators' docs.note; the
// /openapi.json it does not touch.
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';

import { loadContract } from '../../../src/contract/documents.js';
import { loadConfig, parseConfig } from '../../../src/gateway/config/load.js';
import { authenticationSection } from '../../../src/gateway/ops/docs.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { testConfig } from '../../helpers/gateway-config.js';
import { ENV, minimalConfig, problemsLoading, setAt, toYaml } from '../config/fixtures.js';

const EXAMPLE = new URL('../../../config/example.yaml', import.meta.url).pathname;
const description = (res: request.Response) => (res.body as { info: { description: string } }).info.description;
const gateways: Array<ReturnType<typeof testGateway>> = [];
const gatewayWith = (...args: Parameters<typeof testGateway>) => {
  const gw = testGateway(...args);
  gateways.push(gw);
  return gw;
};
afterAll(async () => {
  for (const gw of gateways) await gw.close();
});

describe('/docs: authentication first', () => {
  it('the page loads its contract from /docs/openapi.json, whose description opens with how to authenticate', async () => {
    const gw = gatewayWith();
    const init = await request(gw.app).get('/docs/swagger-ui-init.js');
    expect(init.text).toMatch(/"(swaggerUrl|url)": ?"\/docs\/openapi\.json"/);
    const res = await request(gw.app).get('/docs/openapi.json');
    expect(res.status).toBe(200);
    const text = description(res);
    expect(text.startsWith('## Authentication\n')).toBe(true);
    // Every form middleware/authenticate.ts accepts, and the rule that one credential is sent.
    for (const form of ['`X-API-Key: <key>`', '`Authorization: Bearer <key>`', '`curl -u hr-team:<key> …`'])
      expect(text).toContain(form);
    expect(text).toContain('two at once are refused');
    expect(text).toContain('This gateway accepts API keys only (no JWTs).');
    // The contract's own description follows.
    expect(text).toContain('Teams call this API instead of ORDS');
  });

  it('says JWTs are accepted when the gateway has a verifier', () => {
    expect(authenticationSection({ jwt: true })).toContain('`Authorization: Bearer <JWT>`');
    expect(authenticationSection({ jwt: false })).not.toContain('JWT from');
  });

  it('/openapi.json stays the contract itself (a relative server, no added prose)', async () => {
    const res = await request(gatewayWith().app).get('/openapi.json');
    const { servers: _a, ...served } = res.body as Record<string, unknown>;
    const { servers: _b, ...bundled } = loadContract('public');
    expect(served).toEqual(bundled);
  });
});

describe('docs.note', () => {
  it('follows the authentication section, as written', async () => {
    const note = 'Ask the DBA team for a key: **#dba-help**.';
    const gw = gatewayWith({ config: testConfig({ docs: { note } }) });
    const text = description(await request(gw.app).get('/docs/openapi.json'));
    expect(text.indexOf(note)).toBeGreaterThan(text.indexOf('## Authentication'));
    expect(text.indexOf(note)).toBeLessThan(text.indexOf('Teams call this API'));
  });

  it('in config/example.yaml (make run) lists the demo tenants and their keys', async () => {
    const config = loadConfig({ path: EXAMPLE, env: { ORDS_PASSWORD: 'oracle' } });
    const gw = gatewayWith({ config: { ...config, store: { ...config.store, backend: { kind: 'memory' } } } });
    const text = description(await request(gw.app).get('/docs/openapi.json'));
    for (const [tenant, key] of [
      ['hr-team', 'hr-demo-key'],
      ['sales-team', 'sales-demo-key'],
      ['dba-team', 'dba-demo-key'],
    ])
      expect(text).toMatch(new RegExp(`\\| \`${tenant}\` \\| \`${key}\` \\|`));
  });
});

describe('config: docs', () => {
  const parse = (docs: unknown) => {
    const tree = minimalConfig();
    setAt(tree, 'docs', docs);
    return parseConfig(toYaml(tree), ENV);
  };
  const problems = (docs: unknown) => {
    const tree = minimalConfig();
    setAt(tree, 'docs', docs);
    return problemsLoading(tree);
  };

  it.each([
    { docs: {}, note: null },
    { docs: { note: 'Ask **#dba-help** for a key.' }, note: 'Ask **#dba-help** for a key.' },
  ])('accepts $docs', ({ docs, note }) => {
    expect(parse(docs).docs).toEqual({ note });
  });

  it.each([
    { docs: { note: '' }, problem: 'docs.note: must not be empty' },
    { docs: { note: 'x'.repeat(8193) }, problem: 'docs.note: must have at most 8192 characters' },
    { docs: { note: 42 }, problem: 'docs.note: must be a string' },
    { docs: { title: 'x' }, problem: 'docs.title: is not a known setting' },
  ])('refuses $problem', ({ docs, problem }) => {
    expect(problems(docs)).toEqual([problem]);
  });
});

// API key lifecycle in a real app: an expired key answers the unknown key's 401 while the log says why; keys
// expiring within 14 days show in /metrics; a reload brings new keys and new expiries. The clock is the
// gateway's injected one, moved by the test — no sleeping.
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import { EXPIRING_SOON_MS, keysExpiringSoon } from '../../../src/gateway/auth/key-expiry.js';
import { composeGateway } from '../../../src/gateway/compose.js';
import { hashApiKey } from '../../../src/gateway/config/api-key.js';
import { loadConfig } from '../../../src/gateway/config/load.js';
import { createConfigSource } from '../../../src/gateway/config/source.js';
import type { GatewayConfig } from '../../../src/gateway/config/types.js';
import { reloadConfig } from '../../../src/gateway/reload.js';
import { createMemoryStore } from '../../../src/gateway/store/memory.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { testApiKey, testConfig, testTenants } from '../../helpers/gateway-config.js';
import { ENV, minimalConfig, setAt, toYaml } from '../config/fixtures.js';

const LIST = '/databases/orcl/datapump/jobs/';
const DAY = 86_400_000;
const START = Date.parse('2027-02-01T00:00:00Z');
const EXPIRES = '2027-02-10T12:00:00Z';
const KEY = 'hr-rotating-key';

type Log = Record<string, unknown>;

/** A clock the test moves; the gateway reads it through `now`. */
function clock(at = START) {
  let ms = at;
  return { now: () => new Date(ms), set: (next: number) => (ms = next) };
}

/** hr-team with two keys (the rotation case): one expiring at EXPIRES, one that never does. */
function rotatingConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const tenants = testTenants();
  return testConfig({
    tenants: {
      ...tenants,
      'hr-team': {
        ...tenants['hr-team']!,
        apiKeys: [testApiKey(KEY, 'ci-old', EXPIRES), testApiKey('hr-next-key', 'ci-new')],
      },
    },
    ...overrides,
  });
}

function gatewayWithLogs(config: GatewayConfig, now: () => Date) {
  const logs: Log[] = [];
  const lines: string[] = [];
  const gateway = testGateway({
    config,
    now,
    logStream: {
      write: (line) => {
        lines.push(line);
        logs.push(JSON.parse(line) as Log);
      },
    },
  });
  return { ...gateway, logs, lines };
}

const expiredLines = (logs: readonly Log[]) => logs.filter((l) => String(l.msg).includes('key expired'));

describe('an API key with expires_at', () => {
  it('works until expires_at, then answers 401 as an unknown key does, and the log says the key expired', async () => {
    const time = clock();
    const gw = gatewayWithLogs(rotatingConfig(), time.now);

    expect((await request(gw.app).get(LIST).set('X-API-Key', KEY)).status).toBe(200);
    time.set(Date.parse(EXPIRES) - 1);
    expect((await request(gw.app).get(LIST).set('X-API-Key', KEY)).status).toBe(200);
    expect(expiredLines(gw.logs)).toEqual([]);

    time.set(Date.parse(EXPIRES));
    const expired = await request(gw.app).get(LIST).set('X-API-Key', KEY).set('X-Request-Id', 'req-expired-1');
    const unknown = await request(gw.app).get(LIST).set('X-API-Key', 'no-such-key');
    expect(expired.status).toBe(401);
    // No oracle: the answer is the unknown key's, field by field, but for the request's own id.
    const strip = (body: Record<string, unknown>) => ({ ...body, request_id: undefined });
    expect(strip(expired.body)).toEqual(strip(unknown.body));
    expect(expired.headers['www-authenticate']).toBe(unknown.headers['www-authenticate']);

    const [line, ...more] = expiredLines(gw.logs);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 40,
      msg: 'API key refused: key expired',
      tenant: 'hr-team',
      keyId: 'ci-old',
      expiredAt: '2027-02-10T12:00:00.000Z',
    });
    // Never the key, nor its hash, in any line written.
    const everything = gw.lines.join('');
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(hashApiKey(KEY));
    await gw.close();
  });

  it.each([
    ['X-API-Key', { 'X-API-Key': KEY }],
    ['Bearer', { Authorization: `Bearer ${KEY}` }],
    ['Basic', { Authorization: `Basic ${Buffer.from(`hr-team:${KEY}`).toString('base64')}` }],
  ])("is refused after expiry when sent as %s, while the tenant's other key still works", async (_how, headers) => {
    const time = clock(Date.parse(EXPIRES) + DAY);
    const gw = gatewayWithLogs(rotatingConfig(), time.now);
    expect((await request(gw.app).get(LIST).set(headers)).status).toBe(401);
    expect((await request(gw.app).get(LIST).set('X-API-Key', 'hr-next-key')).status).toBe(200);
    expect(expiredLines(gw.logs)).toHaveLength(1);
    await gw.close();
  });

  it('does not say "expired" for an expired key claimed for another tenant (Basic): that is a wrong credential', async () => {
    const time = clock(Date.parse(EXPIRES) + DAY);
    const gw = gatewayWithLogs(rotatingConfig(), time.now);
    const basic = `Basic ${Buffer.from(`sales-team:${KEY}`).toString('base64')}`;
    expect((await request(gw.app).get(LIST).set('Authorization', basic)).status).toBe(401);
    expect(expiredLines(gw.logs)).toEqual([]);
    await gw.close();
  });
});

/** The /metrics text, fetched as a scraper would (testConfig serves /metrics on the main app without a token). */
async function scrape(app: Parameters<typeof request>[0]): Promise<string> {
  const res = await request(app).get('/metrics');
  expect(res.status).toBe(200);
  return res.text;
}

const SOON = /^datapump_gateway_api_keys_expiring_soon (\d+)$/m;
const TIMESTAMP = 'datapump_gateway_api_key_expiry_timestamp_seconds';

describe('/metrics: keys expiring within 14 days', () => {
  it.each([
    ['more than 14 days ahead', 0, Date.parse(EXPIRES) - EXPIRING_SOON_MS - 1],
    ['exactly 14 days ahead', 1, Date.parse(EXPIRES) - EXPIRING_SOON_MS],
    ['a minute ahead', 1, Date.parse(EXPIRES) - 60_000],
    ['expired (refused, no longer "soon")', 0, Date.parse(EXPIRES)],
  ])('counts a key %s as %d', async (_when, count, at) => {
    const gw = testGateway({ config: rotatingConfig(), now: () => new Date(at) });
    const text = await scrape(gw.app);
    expect(SOON.exec(text)?.[1]).toBe(String(count));
    const series = text.split('\n').filter((l) => l.startsWith(`${TIMESTAMP}{`));
    expect(series).toEqual(
      count === 0 ? [] : [`${TIMESTAMP}{tenant="hr-team",key_id="ci-old"} ${Date.parse(EXPIRES) / 1000}`],
    );
    await gw.close();
  });

  it('always has the count, 0 when no key expires', async () => {
    const gw = testGateway({ config: testConfig() });
    expect(SOON.exec(await scrape(gw.app))?.[1]).toBe('0');
    await gw.close();
  });

  it('names no tenant without metrics.tenant_label: the count only', async () => {
    const config = rotatingConfig({ metrics: { token: null, listen: null, tenantLabel: false } });
    const gw = testGateway({ config, now: () => new Date(START) });
    const text = await scrape(gw.app);
    expect(SOON.exec(text)?.[1]).toBe('1');
    expect(text).not.toContain(TIMESTAMP);
    expect(text).not.toContain('ci-old');
    await gw.close();
  });

  it('keysExpiringSoon: one entry per key, across tenants, none for keys without expires_at', () => {
    const tenants = testTenants();
    const config = testConfig({
      tenants: {
        ...tenants,
        'hr-team': { ...tenants['hr-team']!, apiKeys: [testApiKey('a', 'a', '2027-02-02T00:00:00Z')] },
        'sales-team': { ...tenants['sales-team']!, apiKeys: [testApiKey('b', 'b', '2027-02-03T00:00:00+01:00')] },
      },
    });
    expect(keysExpiringSoon(config, START)).toEqual([
      { tenant: 'hr-team', keyId: 'a', expiresAtMs: Date.parse('2027-02-02T00:00:00Z') },
      { tenant: 'sales-team', keyId: 'b', expiresAtMs: Date.parse('2027-02-02T23:00:00Z') },
    ]);
  });
});

describe('reload (SIGHUP) and keys', () => {
  it('a reloaded file brings new keys and new expiries: to authentication and to /metrics alike', async () => {
    const yaml = (keys: unknown[]) => {
      const tree = minimalConfig();
      setAt(tree, 'tenants.hr-team.api_keys', keys);
      setAt(tree, 'metrics', { tenant_label: true, token: '${METRICS_TOKEN}' });
      return toYaml(tree);
    };
    let file = yaml([{ id: 'old', sha256: hashApiKey('old-key'), expires_at: '2027-02-05T00:00:00Z' }]);
    const env = { ...ENV, METRICS_TOKEN: 'metrics-token-1234567890' };
    const load = () =>
      reloadConfig({ path: 'gateway.yaml', env, source, logger: pino({ level: 'silent' }), readFile: () => file });
    const source = createConfigSource(loadConfig({ path: 'gateway.yaml', env, readFile: () => file }));
    const time = clock();
    const store = createMemoryStore();
    const gateway = composeGateway({
      config: source,
      logger: pino({ level: 'silent' }),
      store,
      defaultMetrics: false,
      holder: 'test',
      now: time.now,
    });
    const metrics = async () =>
      (await request(gateway.app).get('/metrics').set('Authorization', 'Bearer metrics-token-1234567890')).text;

    expect((await request(gateway.app).get(LIST).set('X-API-Key', 'old-key')).status).toBe(200);
    expect((await request(gateway.app).get(LIST).set('X-API-Key', 'new-key')).status).toBe(401);
    expect(SOON.exec(await metrics())?.[1]).toBe('1');

    // The rotation: the new key added, the old one's expiry brought forward to now.
    file = yaml([
      { id: 'old', sha256: hashApiKey('old-key'), expires_at: '2027-02-01T00:00:00Z' },
      { id: 'new', sha256: hashApiKey('new-key'), expires_at: '2027-02-12T00:00:00Z' },
    ]);
    expect(load()).toMatchObject({ outcome: 'applied', changed: ['tenants.hr-team'] });
    expect((await request(gateway.app).get(LIST).set('X-API-Key', 'old-key')).status).toBe(401);
    expect((await request(gateway.app).get(LIST).set('X-API-Key', 'new-key')).status).toBe(200);
    const text = await metrics();
    expect(SOON.exec(text)?.[1]).toBe('1');
    expect(text).toContain(`${TIMESTAMP}{tenant="hr-team",key_id="new"} ${Date.parse('2027-02-12T00:00:00Z') / 1000}`);
    expect(text).not.toContain('key_id="old"');
    await gateway.close();
    await store.close();
  });
});

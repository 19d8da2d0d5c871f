// /readyz is not an amplifier and fits a load balancer: one probe at a time, cached; the store gates it; each
// database's ORDS is reported by name and gates it as readiness.ords says (all, any, none).
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import type { GatewayConfig } from '../../src/gateway/config/types.js';
import { testGateway } from '../helpers/gateway-app.js';
import { testConfig, testDatabase } from '../helpers/gateway-config.js';
import { mockOrds, ORDS_API } from '../helpers/mock-ords.js';

const METADATA = `${ORDS_API}metadata-catalog/`;

function twoDatabases(readiness: GatewayConfig['readiness']): GatewayConfig {
  const orcl = testDatabase({ name: 'orcl' });
  // The second database's ORDS is on a port nothing listens on: it is down.
  const test = testDatabase({ name: 'test', url: 'http://127.0.0.1:9/ords/test/pdbadmin/' });
  const base = testConfig();
  return { ...base, readiness, databases: { orcl, test } };
}

describe('/readyz', () => {
  it('300 concurrent unauthenticated probes make one ORDS call, however many callers', async () => {
    const ords = mockOrds();
    ords.answer('GET', METADATA, 200, { items: [] }, {}, 1000);
    const gw = testGateway({
      dispatcher: ords.agent,
      config: { ...testConfig(), readiness: { ords: 'all', cacheMs: 5_000 } },
    });
    const answers = await Promise.all(Array.from({ length: 300 }, () => request(gw.app).get('/readyz')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(ords.received.filter((r) => r.path === METADATA)).toHaveLength(1);
    await gw.close();
  });

  it.each([
    ['any', 200],
    ['all', 503],
    ['none', 200],
  ] as const)(
    'with one of two databases down and readiness.ords %s answers %i, naming each database',
    async (mode, status) => {
      const ords = mockOrds();
      ords.answer('GET', METADATA, 200, { items: [] }, {}, 10);
      const gw = testGateway({ dispatcher: ords.agent, config: twoDatabases({ ords: mode, cacheMs: 0 }) });
      const ready = await request(gw.app).get('/readyz');
      expect(ready.status).toBe(status);
      expect(ready.body).toMatchObject({
        ords: mode,
        checks: { 'ords:orcl': { ok: true }, 'ords:test': { ok: false }, store: { ok: true } },
      });
      const metrics = await gw.metrics.registry.metrics();
      expect(metrics).toMatch(/datapump_gateway_dependency_up\{dependency="ords:orcl"\} 1/);
      expect(metrics).toMatch(/datapump_gateway_dependency_up\{dependency="ords:test"\} 0/);
      await gw.close();
    },
  );
});

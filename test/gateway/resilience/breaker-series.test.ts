// The breaker on /metrics as a StateSet: datapump_gateway_ords_breaker_state{database,state} has three series
// per database (closed, open, half_open), exactly one of them 1, and they flip as that database's breaker moves,
// without touching another database's. ORDS behind an undici MockAgent; cockatiel reads Date.now(), so `Date`
// is faked (timers stay real).
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { testGateway } from '../../helpers/gateway-app.js';
import { testConfig, testDatabase, testTenants } from '../../helpers/gateway-config.js';
import { mockOrds } from '../../helpers/mock-ords.js';
import { breakerState, DBA, EMPTY_COLLECTION, metricValue } from './support.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-03-01T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

const resilience = { ...testDatabase().resilience, failureThreshold: 2, halfOpenAfterMs: 10_000 };
const ordsError = { code: 'InternalServerError', message: 'boom' };

function twoDatabases() {
  const ords = mockOrds();
  const config = testConfig({
    databases: {
      orcl: testDatabase({ resilience }),
      hr: testDatabase({ name: 'hr', url: 'http://127.0.0.1:8181/ords/hr/pdbadmin/', resilience }),
    },
    tenants: testTenants(['orcl', 'hr']),
  });
  const gw = testGateway({ dispatcher: ords.agent, config });
  const answer = (database: string, status: number, times = 1) =>
    ords.pool
      .intercept({ method: 'GET', path: (p: string) => p.startsWith(`/ords/${database}/pdbadmin/`) })
      .reply(status, JSON.stringify(status === 200 ? EMPTY_COLLECTION : ordsError), {
        headers: { 'content-type': 'application/json' },
      })
      .times(times);
  const list = (database: string) => request(gw.app).get(`/databases/${database}/datapump/jobs/`).set(DBA);
  const scrape = () => gw.metrics.registry.metrics();
  return { gw, answer, list, scrape };
}

const seriesOf = (text: string, database: string) =>
  text.split('\n').filter((l) => l.startsWith(`datapump_gateway_ords_breaker_state{database="${database}",`));

describe('the breaker state series', () => {
  it('are three per database, one of them 1, flipping with that database only', async () => {
    const { gw, answer, list, scrape } = twoDatabases();
    answer('orcl', 200, 3);
    answer('hr', 500, 2);
    expect((await list('orcl')).status).toBe(200);
    expect((await list('hr')).status).toBe(502);

    let text = await scrape();
    for (const database of ['orcl', 'hr']) expect(seriesOf(text, database)).toHaveLength(3);
    expect([breakerState(text, 'orcl'), breakerState(text, 'hr')]).toEqual(['closed', 'closed']);

    expect((await list('hr')).status).toBe(502); // the second failure opens hr's breaker
    text = await scrape();
    expect([breakerState(text, 'orcl'), breakerState(text, 'hr')]).toEqual(['closed', 'open']);
    expect(metricValue(text, 'datapump_gateway_ords_breaker_state{database="hr",state="open"}')).toBe(1);
    expect(metricValue(text, 'datapump_gateway_ords_breaker_state{database="hr",state="closed"}')).toBe(0);
    expect(metricValue(text, 'datapump_gateway_ords_breaker_state{database="hr",state="half_open"}')).toBe(0);

    expect((await list('orcl')).status).toBe(200);
    expect((await list('hr')).status).toBe(503); // refused without calling ORDS
    vi.setSystemTime(Date.now() + 10_000);
    answer('hr', 200);
    expect((await list('hr')).status).toBe(200); // the half-open probe succeeds and closes it
    text = await scrape();
    expect([breakerState(text, 'orcl'), breakerState(text, 'hr')]).toEqual(['closed', 'closed']);
    for (const database of ['orcl', 'hr']) expect(seriesOf(text, database)).toHaveLength(3);
    await gw.close();
  });

  it('has replaced the single numeric gauge', async () => {
    const { gw, answer, list, scrape } = twoDatabases();
    answer('orcl', 200);
    await list('orcl');
    expect(await scrape()).not.toContain('datapump_gateway_ords_circuit_state');
    await gw.close();
  });
});

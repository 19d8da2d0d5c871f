// Import provenance end to end: a tenant imports only the dump files its own exports produced, on any database
// it is granted; a dump made elsewhere with the tenant's prefix is refused before ORDS is called, and audited.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { testGateway } from '../helpers/gateway-app.js';
import { testConfig, testDatabase, testTenants } from '../helpers/gateway-config.js';

const HR = { 'X-API-Key': 'hr-demo-key' };
const jobs = (db: string) => `/databases/${db}/datapump/jobs/`;

describe('import provenance (own_exports) against the emulator', () => {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({ clock: 'manual', config: { jobDurationMs: 1_000, lifecycle: 'dropped' } });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  function gateway() {
    const orcl = testDatabase({ name: 'orcl', url: emulator.ordsUrl });
    const test = testDatabase({ name: 'test', url: emulator.ordsUrl });
    const tenants = testTenants(['orcl', 'test']);
    tenants['hr-team'] = {
      ...tenants['hr-team']!,
      grants: { ...tenants['hr-team']!.grants, importProvenance: 'own_exports', remapTargets: ['HR_COPY'] },
    };
    return testGateway({ config: testConfig({ databases: { orcl, test }, tenants }) });
  }

  /** Exports HR on orcl, lets it finish (the emulator's clock), and polls it once, as a client would. */
  async function exportHr(gw: ReturnType<typeof gateway>) {
    const created = await request(gw.app).post(jobs('orcl')).set(HR).send({ operation: 'EXPORT' });
    expect(created.status).toBe(201);
    const job = `${created.body.owner_name},${created.body.job_name}`;
    await emulator.advanceClock(1_001);
    const polled = await request(gw.app)
      .get(`${jobs('orcl')}${job}/`)
      .set(HR);
    expect(polled.body.state).toBe('COMPLETED');
    const files = (polled.body.links as Array<{ href: string; mediaType?: string }>)
      .filter((l) => l.mediaType === 'application/octet-stream')
      .map((l) => decodeURIComponent(l.href.slice(l.href.lastIndexOf('/') + 1)));
    return { job, files };
  }

  const creates = async () => (await emulator.requests()).filter((r) => r.method === 'POST').length;

  it('imports a dump file its own export listed, on another database it is granted too', async () => {
    const gw = gateway();
    const { files } = await exportHr(gw);
    expect(files[0]).toMatch(/^HR_\d{14}_[0-9A-Z]{12}_01\.DMP$/);
    const body = { operation: 'IMPORT', file_name: files[0], remap_schemas: [{ source: 'HR', target: 'HR_COPY' }] };
    expect((await request(gw.app).post(jobs('orcl')).set(HR).send(body)).status).toBe(201);
    expect((await request(gw.app).post(jobs('test')).set(HR).send(body)).status).toBe(201);
  });

  it('imports the whole set by the pattern its export was started with', async () => {
    const gw = gateway();
    const { files } = await exportHr(gw);
    const pattern = files[0]!.replace(/01\.DMP$/, '%U.DMP');
    expect(
      (await request(gw.app).post(jobs('orcl')).set(HR).send({ operation: 'IMPORT', file_name: pattern })).status,
    ).toBe(201);
  });

  it('refuses a dump with its own prefix that no export of its produced: 403 at /file_name, ORDS not called, audited', async () => {
    const gw = gateway();
    await exportHr(gw);
    const before = await creates();
    const refused = await request(gw.app)
      .post(jobs('orcl'))
      .set(HR)
      .send({ operation: 'IMPORT', file_name: 'HR_PLANTED_01.DMP' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      type: 'https://datapump-gateway.dev/problems/not-granted',
      errors: [{ pointer: '/file_name', detail: expect.stringMatching(/own exports/) }],
    });
    expect(await creates()).toBe(before);
    const [event] = await gw.store.audit.list({ tenant: 'hr-team', limit: 1 });
    expect(event).toMatchObject({ decision: 'refused', status: 403, violations: [{ pointer: '/file_name' }] });
  });

  it("forgets nothing with the job records: provenance outlives the registry's retention", async () => {
    const gw = gateway();
    const { files } = await exportHr(gw);
    // The registry's purge runs with its own cutoff; what the exports produced is kept for provenance_days.
    await gw.store.retention.purgeOlderThan('9999-01-01T00:00:00.000Z');
    expect(await gw.store.provenance.candidates('hr-team', files[0]!)).not.toEqual([]);
  });
});

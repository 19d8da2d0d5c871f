// Governance end to end: through the gateway to a real emulator, only canonical, granted requests reach ORDS.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLogger, type RunningGateway, startGateway } from '../../src/gateway/server.js';
import { createMemoryStore } from '../../src/gateway/store/memory.js';
import type { StateStore } from '../../src/gateway/store/types.js';
import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { testConfig, testTenants } from '../helpers/gateway-config.js';

const HR = { 'x-api-key': 'hr-demo-key', 'content-type': 'application/json' };
const expr = (expression: string) => [{ expression }];

describe('governance, through the gateway to the emulator', () => {
  let emulator: EmulatorProcess;
  let gateway: RunningGateway;
  let store: StateStore;
  beforeAll(async () => {
    emulator = await startEmulatorProcess({ clock: 'manual' });
    const tenants = testTenants();
    tenants['hr-team'] = {
      ...tenants['hr-team']!,
      grants: {
        ...tenants['hr-team']!.grants,
        credentials: ['HR_OBJ_CRED'],
        objectStorage: [{ namespace: 'acme', bucket: 'hr-exports' }],
      },
    };
    store = createMemoryStore();
    gateway = await startGateway({
      config: testConfig({ tenants }, { url: emulator.ordsUrl }),
      store,
      logger: createLogger('silent'),
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await emulator?.stop();
  });

  const post = async (body: unknown) => {
    const res = await request(`${gateway.url}/databases/orcl/datapump/jobs/`, {
      method: 'POST',
      headers: HR,
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, any> };
  };
  const creates = async () => (await emulator.requests()).filter((r) => r.method === 'POST');

  it("lets hr-team export IN ('HR'), and ORDS receives the canonical request", async () => {
    await emulator.clearRequests();
    const res = await post({
      operation: 'EXPORT',
      schema_expressions: expr("in ( 'HR' )"),
      name_expressions: expr("<> 'EMP'"),
    });
    expect(res.status).toBe(201);
    const [sent] = await creates();
    expect(sent!.body).toMatchObject({
      schema_expressions: expr("IN ('HR')"),
      name_expressions: expr("!= 'EMP'"),
      datapump_dir: 'DATA_PUMP_DIR',
      file_name: expect.stringMatching(/^HR_\d{14}_[0-9A-Z]{12}_%U\.DMP$/), // prefix, time, evidence token
    });
  });

  it.each([
    [
      "another tenant's schema",
      { operation: 'EXPORT', schema_expressions: expr("IN ('SALES')") },
      403,
      'not-granted',
      ['/schema_expressions/0/expression'],
    ],
    [
      'a widening OR',
      { operation: 'EXPORT', schema_expressions: expr("IN ('HR') OR 1=1") },
      422,
      'request-unsafe',
      ['/schema_expressions/0/expression'],
    ],
    [
      'a function call to the cloud metadata address',
      { operation: 'EXPORT', name_expressions: expr("= UTL_HTTP.REQUEST('http://169.254.169.254/')") },
      422,
      'request-unsafe',
      ['/name_expressions/0/expression'],
    ],
    [
      "a file name that closes the script's quote",
      { operation: 'EXPORT', file_name: "HR_X.DMP'); END;" },
      422,
      'request-unsafe',
      ['/file_name'],
    ],
    [
      'an object-storage URI on a foreign host',
      {
        operation: 'EXPORT',
        credential_name: 'HR_OBJ_CRED',
        file_name: 'https://objectstorage.us-ashburn-1.oraclecloud.com.evil.test/n/acme/b/hr-exports/o/x.dmp',
      },
      422,
      'request-unsafe',
      ['/file_name'],
    ],
    [
      'an ungranted mode and too many threads at once',
      { operation: 'EXPORT', job_mode: 'FULL', threads: 8 },
      403,
      'not-granted',
      ['/job_mode', '/threads'],
    ],
  ])('refuses %s with a precise problem, and nothing reaches ORDS', async (_why, body, status, slug, pointers) => {
    await emulator.clearRequests();
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.body.type).toBe(`https://datapump-gateway.dev/problems/${slug}`);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(pointers));
    expect(await creates()).toEqual([]);
  });

  it('writes one audit event per attempt, allowed or refused, without credential names', async () => {
    const before = (await store.audit.list({ tenant: 'hr-team', limit: 1000 })).length;
    await post({
      operation: 'EXPORT',
      credential_name: 'HR_OBJ_CRED',
      file_name: 'https://objectstorage.eu-frankfurt-1.oraclecloud.com/n/acme/b/hr-exports/o/hr%U.dmp',
    });
    await post({ operation: 'EXPORT', schema_expressions: expr("IN ('SALES')") });
    const events = await store.audit.list({ tenant: 'hr-team', limit: 1000 });
    expect(events.length).toBe(before + 2);
    const [refused, allowed] = events;
    expect(refused).toMatchObject({
      decision: 'refused',
      status: 403,
      tenant: 'hr-team',
      violations: [{ pointer: '/schema_expressions/0/expression' }],
    });
    expect(allowed).toMatchObject({ decision: 'allowed', status: 201, job: { ownerName: 'PDBADMIN' } });
    expect(JSON.stringify(events)).not.toContain('HR_OBJ_CRED');
  });
});

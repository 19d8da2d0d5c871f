// ORDS's statuses from its Status Codes page (25.3) on a create, through the real emulator's status faults: 570
// (database account locked) → 502 upstream-auth-failed, 571 (database connection error) → 503 upstream-unavailable
// with Retry-After, 415 → 502 upstream-error logged at error level as a contract gap naming the call. None started
// a job, so the intent is released and the Idempotency-Key freed: a retry with the same key creates the one job.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { testGateway } from '../helpers/gateway-app.js';
import { testConfig } from '../helpers/gateway-config.js';

const HR = { 'X-API-Key': 'hr-demo-key' };
const JOBS = '/databases/orcl/datapump/jobs/';
const PROBLEMS = 'https://datapump-gateway.dev/problems/';

let emulator: EmulatorProcess;
beforeAll(async () => {
  emulator = await startEmulatorProcess({ clock: 'manual' });
});
afterAll(async () => {
  await emulator?.stop();
});

describe.each([
  [570, 502, 'upstream-auth-failed', 'jobs'],
  [571, 503, 'upstream-unavailable', 'jobs'],
  [415, 502, 'upstream-error', 'jobs'],
  [570, 502, 'upstream-auth-failed', 'rpc'],
  [571, 503, 'upstream-unavailable', 'rpc'],
  [415, 502, 'upstream-error', 'rpc'],
] as const)('ORDS %i on a create', (ordsStatus, status, slug, createEndpoint) => {
  it(`create_endpoint ${createEndpoint}: ${status} ${slug}, ords_code kept, the key freed: a retry creates the one job`, async () => {
    await emulator.clearJobs();
    await emulator.clearRequests();
    const lines: string[] = [];
    const gw = testGateway({
      config: testConfig({}, { url: emulator.ordsUrl, createEndpoint }),
      logStream: { write: (line) => lines.push(line) },
    });
    await emulator.setFaults([{ route: 'create', kind: 'status', status: ordsStatus, count: 1 }]);
    const key = `status-${ordsStatus}-${createEndpoint}`;
    const failed = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', key).send({ operation: 'EXPORT' });
    expect(failed.status, failed.text).toBe(status);
    expect(failed.body.type).toBe(`${PROBLEMS}${slug}`);
    expect(failed.body.ords_code).toMatch(/^[A-Za-z]+$/);
    expect(failed.text).not.toMatch(/ecid|tag:oracle/i); // ORDS's instance stays in the log
    if (ordsStatus === 571) expect(failed.headers['retry-after']).toBe('5');

    // The intent was released, not left in doubt: the same key and body now create the job, once.
    const retried = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', key).send({ operation: 'EXPORT' });
    expect(retried.status, retried.text).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    const replay = await request(gw.app).post(JOBS).set(HR).set('Idempotency-Key', key).send({ operation: 'EXPORT' });
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.job_name).toBe(retried.body.job_name);
    const seen = (await emulator.requests()).filter((r) => r.method === 'POST');
    expect(seen).toHaveLength(2); // the faulted create and the retry; the replay did not reach ORDS
    const ordsJobs = await fetch(`${emulator.apiUrl}database/datapump/jobs/`, {
      headers: { authorization: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}` },
    });
    expect(((await ordsJobs.json()) as { items: unknown[] }).items).toHaveLength(1);

    // Logged once, at error level (a 5xx answer), naming the ORDS call; a 415 is marked as a contract gap.
    const logged = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.problem === slug);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, ordsStatus });
    expect(String(logged[0]!.ordsCall)).toMatch(
      createEndpoint === 'rpc' ? /^POST \/ords\/.*\/datapump\/export$/ : /^POST \/ords\/.*\/datapump\/jobs\/$/,
    );
    expect(logged[0]!.contractGap).toBe(ordsStatus === 415 ? true : undefined);
    await gw.close();
  });
});

describe('ORDS 570 and 571 on reads', () => {
  it.each([
    [570, 502, 'upstream-auth-failed'],
    [571, 503, 'upstream-unavailable'],
  ] as const)('a job read answered %i: %i %s', async (ordsStatus, status, slug) => {
    await emulator.clearJobs();
    const gw = testGateway({ config: testConfig({}, { url: emulator.ordsUrl }) });
    const created = await request(gw.app).post(JOBS).set(HR).send({ operation: 'EXPORT' });
    expect(created.status).toBe(201);
    await emulator.setFaults([{ route: 'job', kind: 'status', status: ordsStatus, count: 1 }]);
    const res = await request(gw.app).get(`${JOBS}${created.body.owner_name},${created.body.job_name}/`).set(HR);
    expect(res.status, res.text).toBe(status);
    expect(res.body.type).toBe(`${PROBLEMS}${slug}`);
    await emulator.clearFaults();
    await gw.close();
  });
});

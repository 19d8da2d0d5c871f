// The gateway killed between ORDS creating a job and answering: a new process recovers the job for its tenant.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';

import { type EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process.js';
import {
  GATEWAY_PROCESS_ENV,
  gatewayConfigTree,
  killAllGatewayProcesses,
  startGatewayProcess,
} from '../../helpers/gateway-process.js';

const HR = { 'x-api-key': 'hr-demo-key', 'content-type': 'application/json' };
const JOBS = '/databases/orcl/datapump/jobs/';

describe('a gateway killed mid-create', () => {
  let emulator: EmulatorProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dpg-kill-'));
  afterAll(async () => {
    await killAllGatewayProcesses();
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing: the job ORDS started is found, owned by its tenant, and the key replays it', async () => {
    emulator = await startEmulatorProcess({ config: { jobDurationMs: 60_000 } });
    const config = gatewayConfigTree({
      ordsUrl: emulator.ordsUrl,
      overrides: {
        store: { sqlite: { path: join(dir, 'gateway.db') } },
        reconcile: { interval_ms: 1000, match_window_ms: 120000, give_up_after_ms: 600000 },
      },
    });
    (config.databases as any).orcl.timeouts = { connect_ms: 1000, create_ms: 500, read_ms: 5000, file_idle_ms: 5000 };
    const first = await startGatewayProcess({ config, env: GATEWAY_PROCESS_ENV });

    // ORDS creates the job and then never answers; the gateway is killed while it waits.
    await emulator.setFaults([{ route: 'create', kind: 'create-then-hang', count: 1 }]);
    const pending = request(`${first.url}${JOBS}`, {
      method: 'POST',
      headers: { ...HR, 'idempotency-key': 'kill-1' },
      body: JSON.stringify({ operation: 'EXPORT' }),
    }).catch((err: Error) => err);
    for (let i = 0; i < 200 && (await emulator.requests()).filter((r) => r.method === 'POST').length === 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    first.child.kill('SIGKILL');
    expect(await pending).toBeInstanceOf(Error); // the client never got an answer
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');

    // A new process on the same store reconciles at start and then every second.
    const second = await startGatewayProcess({ config, env: GATEWAY_PROCESS_ENV });
    let items: Array<{ job_name: string }> = [];
    const deadline = Date.now() + 20_000;
    while (items.length === 0 && Date.now() < deadline) {
      const list = await request(`${second.url}${JOBS}`, { headers: HR });
      items = ((await list.body.json()) as { items: typeof items }).items;
      if (items.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    const ordsJobs = (
      (await (
        await fetch(`${emulator.apiUrl}database/datapump/jobs/`, {
          headers: { authorization: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}` },
        })
      ).json()) as { items: Array<{ job_name: string }> }
    ).items;
    expect(ordsJobs).toHaveLength(1);
    expect(items.map((j) => j.job_name)).toEqual([ordsJobs[0]!.job_name]);

    const retry = await request(`${second.url}${JOBS}`, {
      method: 'POST',
      headers: { ...HR, 'idempotency-key': 'kill-1' },
      body: JSON.stringify({ operation: 'EXPORT' }),
    });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(((await retry.body.json()) as { job_name: string }).job_name).toBe(ordsJobs[0]!.job_name);
    const sales = await request(`${second.url}${JOBS}`, { headers: { 'x-api-key': 'sales-demo-key' } });
    expect(((await sales.body.json()) as { items: unknown[] }).items).toEqual([]);
    await second.stop();
  });
});

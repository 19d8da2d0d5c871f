// `make run`'s program (src/dev/run-local.ts) as a real process tree, with the emulator in each lifecycle
// (EMULATOR_ARGS): a successful export polled through the gateway ends `succeeded` with a terminal state, a failing
// one `failed`; both stay in the tenant's list with their outcome; the log stays readable after ORDS forgot the job.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

import { freePort } from '../helpers/free-port.js';

const HR = { 'x-api-key': 'hr-demo-key', 'content-type': 'application/json' };
const TERMINAL = ['COMPLETED', 'NOT RUNNING', 'STOPPED'];

/**
 * Polls `check` until it gives a value. These are real processes on the real clock (the emulator's job duration
 * is 300 ms), so waiting is the honest tool; the bound makes a job that never ends a failure, not a hang.
 */
async function until<T>(what: string, check: () => Promise<T | undefined>, boundMs = 20_000): Promise<T> {
  const end = Date.now() + boundMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${boundMs} ms`);
    await sleep(100);
  }
}

interface Local {
  readonly child: ChildProcess;
  readonly origin: string;
  readonly jobs: string;
  readonly output: () => string;
}

async function startLocal(emulatorArgs: string): Promise<Local> {
  const [port, emulatorPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/run-local.ts'], {
    env: { ...process.env, PORT: String(port), EMULATOR_PORT: String(emulatorPort), EMULATOR_ARGS: emulatorArgs },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: the emulator and gateway it starts are stopped with it
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await until('make run ready', async () => (/is ready on/.test(output) ? true : undefined), 60_000).catch((e) => {
    throw new Error(`${(e as Error).message}\n${output}`);
  });
  return {
    child,
    origin: `http://127.0.0.1:${port}`,
    jobs: `http://127.0.0.1:${port}/databases/orcl/datapump/jobs/`,
    output: () => output,
  };
}

let running: Local | undefined;
afterEach(async () => {
  const child = running?.child;
  running = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
});

describe.each(['dropped', 'kept', 'completed'])('make run, the emulator with --lifecycle %s', (lifecycle) => {
  it('a success ends succeeded and a failure failed, terminal, listed with their outcome; the log stays readable', async () => {
    running = await startLocal(`--lifecycle ${lifecycle} --job-duration 300 --fail-when-file-name-contains FAIL`);
    const { jobs } = running;
    const create = async (body: unknown) => {
      const res = await fetch(jobs, { method: 'POST', headers: HR, body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBe(201);
      return res.headers.get('location')!;
    };
    const ok = await create({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });
    const bad = await create({ operation: 'EXPORT', file_name: 'HR_FAIL%U.DMP' });

    const settled = async (url: string) =>
      until(`${url} terminal`, async () => {
        const job = (await (await fetch(url, { headers: HR })).json()) as {
          state: string;
          outcome: { result: string };
          links: Array<{ href: string; mediaType?: string }>;
        };
        return TERMINAL.includes(job.state) && job.outcome.result !== 'running' ? job : undefined;
      });
    const success = await settled(ok);
    const failure = await settled(bad);
    expect(success.outcome.result).toBe('succeeded');
    expect(failure.outcome.result).toBe('failed');
    expect(failure.state).toBe('NOT RUNNING');
    if (lifecycle === 'kept')
      expect(success.state).toBe('NOT RUNNING'); // keep_master: the success lingers
    else expect(success.state).toBe('COMPLETED');

    // Past the dropped lifecycle's COMPLETED moment (1 s): ORDS no longer shows the success.
    await sleep(1_500);
    const list = (await (await fetch(jobs, { headers: HR })).json()) as {
      items: Array<{ job_name: string; outcome: { result: string } }>;
    };
    const byName = new Map(list.items.map((j) => [j.job_name, j.outcome.result]));
    expect(byName.get(decodeURIComponent(ok.split(',')[1]!.replace(/\/$/, '')))).toBe('succeeded');
    expect(byName.get(decodeURIComponent(bad.split(',')[1]!.replace(/\/$/, '')))).toBe('failed');

    const again = (await (await fetch(ok, { headers: HR })).json()) as typeof success;
    expect(again.outcome.result).toBe('succeeded');
    const log = again.links.find((l) => l.mediaType === 'text/plain')!;
    const text = await fetch(log.href, { headers: HR });
    expect(text.status).toBe(200);
    expect(await text.text()).toMatch(/successfully completed/);
    // ORDS forgot the dropped job and its files: the gateway answers the tail it kept, and says so.
    expect(text.headers.get('datapump-log-partial')).toBe(lifecycle === 'dropped' ? 'tail' : null);
  }, 90_000);
});

describe("make run, and Oracle's own curl example", () => {
  it('works with only host and credentials changed: 201, a Location on the gateway, the job reads back on that path', async () => {
    running = await startLocal('');
    const dir = mkdtempSync(join(tmpdir(), 'dpg-curl-'));
    // The ORDS reference's export request body, as Oracle's example sends it from a file.
    writeFileSync(
      join(dir, 'request_body.json'),
      JSON.stringify({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ( 'HR' )" }] }, null, 2),
    );
    const url = `${running.origin}/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/`;
    // Oracle's: curl -i -X POST -u username:password -d @request_body.json -H "Content-Type:application/json" https://rest_server_url/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/
    const curl = promisify(execFile);
    const args = ['-i', '-X', 'POST', '-u', 'hr-team:hr-demo-key', '-d', '@request_body.json'];
    const created = await curl('curl', [...args, '-H', 'Content-Type:application/json', url], { cwd: dir });
    expect(created.stdout).toMatch(/^HTTP\/1\.1 201 Created/);
    const location = /^location: (\S+)\r?$/im.exec(created.stdout)?.[1];
    expect(location).toMatch(new RegExp(`^${url}PDBADMIN,DATAPUMP_REST_EXPORT_\\d{14}/$`));

    const polled = await curl('curl', ['-s', '-u', 'hr-team:hr-demo-key', location!]);
    const job = JSON.parse(polled.stdout) as { job_name: string; links: Array<{ href: string }> };
    expect(location).toContain(job.job_name);
    for (const link of job.links) expect(link.href.startsWith(url)).toBe(true);
  }, 90_000);
});

// `make run`'s program (src/dev/run-local.ts) as a real process tree, with the emulator in each lifecycle
// (EMULATOR_ARGS): a successful export polled through the gateway ends `succeeded` with a terminal state, a failing
// one `failed`; both stay in the tenant's list with their outcome; the log stays readable after ORDS forgot the job.
// Its logs: JSON through a pipe, one readable line each (DATAPUMP_RUN_PRETTY=1, as on a terminal), whole in files.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  /** Only what went to stdout (the banner and the children's stdout). */
  readonly stdout: () => string;
  /** Where the full logs go (DATAPUMP_RUN_LOG_DIR): a fresh temporary folder, never the repository's .run/. */
  readonly logDir: string;
  /** The emulator's origin (its `/__emulator/*` endpoints) and its database's jobs path (ORDS without the gateway). */
  readonly emulator: string;
  readonly ords: string;
}

async function startLocal(emulatorArgs: string, extraEnv: Record<string, string> = {}): Promise<Local> {
  const [port, emulatorPort] = [await freePort(), await freePort()];
  const logDir = mkdtempSync(join(tmpdir(), 'dpg-run-logs-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/run-local.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      EMULATOR_ARGS: emulatorArgs,
      DATAPUMP_RUN_LOG_DIR: logDir,
      // Its own store, never the repository's data/gateway.db: a run must not see another run's jobs (the manual
      // clock gives every run the same job names).
      GATEWAY_DB: join(logDir, 'gateway.db'),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: the emulator and gateway it starts are stopped with it
  });
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await until('make run ready', async () => (/is ready on/.test(output) ? true : undefined), 60_000).catch((e) => {
    throw new Error(`${(e as Error).message}\n${output}`);
  });
  return {
    child,
    origin: `http://127.0.0.1:${port}`,
    jobs: `http://127.0.0.1:${port}/databases/orcl/datapump/jobs/`,
    output: () => output,
    stdout: () => stdout,
    logDir,
    emulator: `http://127.0.0.1:${emulatorPort}`,
    ords: `http://127.0.0.1:${emulatorPort}/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/`,
  };
}

let running: Local | undefined;
afterEach(async () => {
  const child = running?.child;
  const logDir = running?.logDir;
  running = undefined;
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

describe.each(['dropped', 'kept', 'completed'])('make run, the emulator with --lifecycle %s', (lifecycle) => {
  it('a success ends succeeded and a failure failed, terminal, listed with their outcome; the log stays readable', async () => {
    // The emulator's clock is moved by the test (make run's gateway answers polls from its last read for
    // watch.fresh_ms, so on the real clock a dropped job's 1 s COMPLETED moment could pass unseen on a loaded
    // machine; then its log's end is not kept and the outcome is inferred, which job-outcomes tests).
    running = await startLocal(
      `--lifecycle ${lifecycle} --clock manual --job-duration 300 --fail-when-file-name-contains FAIL`,
    );
    const { jobs } = running;
    const create = async (body: unknown) => {
      const res = await fetch(jobs, { method: 'POST', headers: HR, body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBe(201);
      return res.headers.get('location')!;
    };
    const ok = await create({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });
    const bad = await create({ operation: 'EXPORT', file_name: 'HR_FAIL%U.DMP' });
    const advance = async (advanceMs: number) => {
      const moved = await fetch(`${running!.emulator}/__emulator/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMs }),
      });
      expect(moved.status).toBe(200);
    };
    await advance(500); // both jobs ended (300 ms); a dropped success shows COMPLETED until 1,300 ms

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

    // Past the dropped lifecycle's COMPLETED moment: ORDS no longer shows the success (asked of ORDS itself).
    await advance(2_000);
    const ordsAuth = { authorization: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}` };
    const atOrds = await fetch(`${running.ords}${ok.split('/jobs/')[1]!}`, { headers: ordsAuth });
    expect(atOrds.status).toBe(lifecycle === 'dropped' ? 404 : 200);
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

describe("make run's logs", () => {
  const readLog = (dir: string, name: string) => readFileSync(join(dir, `${name}.log`), 'utf8');
  const jsonLines = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; req?: { url?: string } });

  it("piped (no TTY): the JSON lines pass through unchanged, each file gets its process's lines, the banner names them", async () => {
    running = await startLocal('', { DATAPUMP_RUN_PRETTY: '' });
    const { logDir, jobs } = running;
    expect(running.stdout()).toContain(`Logs: ${logDir}/emulator.log, ${logDir}/gateway.log (every line, JSON).\n`);
    expect(running.stdout()).toContain('The ORDS emulator keeps its jobs in memory only: a restart forgets them');
    // The gateway's start-up line, as pino wrote it: in its file, and byte for byte on stdout.
    const started = await until('the start-up line in the file', async () =>
      readLog(logDir, 'gateway')
        .split('\n')
        .find((l) => l.includes('"msg":"datapump-gateway listening"')),
    );
    expect(running.stdout()).toContain(`${started}\n`);
    await fetch(jobs, { headers: HR });
    const seen = await until('the access line in the file', async () => {
      const lines = jsonLines(readLog(logDir, 'gateway'));
      return lines.some((l) => l.req?.url === '/databases/orcl/datapump/jobs/') ? lines : undefined;
    });
    expect(seen.some((l) => l.req?.url === '/readyz')).toBe(true); // the file keeps the probes
    await until('the access line on stdout', async () =>
      jsonLines(running!.stdout()).some((l) => l.req?.url === '/databases/orcl/datapump/jobs/') ? true : undefined,
    );
    expect(readLog(logDir, 'emulator')).toMatch(/^ORDS emulator listening on http:\/\/127\.0\.0\.1:\d+\//);
  }, 90_000);

  it('readable (DATAPUMP_RUN_PRETTY=1, as on a terminal): one line each, no probes, no JSON; the banner ends the start', async () => {
    running = await startLocal('', { DATAPUMP_RUN_PRETTY: '1' });
    const { logDir, jobs } = running;
    const out = running.stdout();
    expect(out).toContain(
      `Logs: ${logDir}/emulator.log, ${logDir}/gateway.log (every line, JSON); shown here one line each, without health probes.\n`,
    );
    expect(out).toMatch(/^gateway {3}\[\d\d:\d\d:\d\d\] INFO: datapump-gateway listening \{/m);
    expect(out).toMatch(/^emulator {2}ORDS emulator listening on /m);
    await fetch(jobs, { headers: HR });
    const line =
      /^gateway {3}\[\d\d:\d\d:\d\d\] INFO: request completed: GET \/databases\/orcl\/datapump\/jobs\/ 200 \([\d.]+ ms\) \{"tenant":"hr-team"\}$/m;
    await until('the readable access line', async () => (line.test(running!.stdout()) ? true : undefined));
    const all = running.stdout();
    expect(all).not.toMatch(/^\{/m);
    expect(all).not.toContain('/readyz');
    expect(all).not.toContain('"pid"');
    // Nothing came between the banner and the first request: it stays the last thing printed at start.
    const bannerEnd = 'a restart forgets them (and their logs).\n';
    const afterBanner = all.slice(all.indexOf(bannerEnd) + bannerEnd.length);
    expect(afterBanner.trim().split('\n')).toHaveLength(1);
    expect(afterBanner.trim()).toMatch(line);
    // The file has the whole JSON, probes included.
    const file = jsonLines(readLog(logDir, 'gateway'));
    expect(file.some((l) => l.req?.url === '/readyz')).toBe(true);
    expect(file.some((l) => l.req?.url === '/databases/orcl/datapump/jobs/')).toBe(true);
  }, 90_000);
});

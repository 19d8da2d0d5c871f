// The emulator as a real child process (test/helpers/emulator-process.ts): the seed's flow, control endpoints, clean exit.
import { spawn } from 'node:child_process';

import { afterEach, describe, expect, it } from 'vitest';

import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { BASIC, call } from './helpers/client.js';

const auth = { authorization: BASIC };
let running: EmulatorProcess | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('the emulator process', () => {
  it("runs the seed's flow: create, poll to COMPLETED under the manual clock, read the log; exits 0 on SIGTERM", async () => {
    running = await startEmulatorProcess({ clock: 'manual', config: { jobDurationMs: 3000 } });
    const emu = running;
    expect(emu.baseUrl).toBe(`http://127.0.0.1:${emu.port}`);
    expect(emu.ordsUrl).toBe(`${emu.baseUrl}/ords/orcl/pdbadmin/`);
    expect(emu.output()).toBe(
      `ORDS emulator listening on ${emu.ordsUrl}_/db-api/stable/\nORDS emulator: jobs are kept in memory only: a restart forgets them\n`,
    );

    const jobs = `${emu.ordsUrl}_/db-api/stable/database/datapump/jobs/`;
    const created = await call(jobs, {
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"operation":"EXPORT","schema_expressions":[{"expression":"IN ( \'HR\' )"}]}',
    });
    expect(created.status).toBe(201);
    expect(created.json.job_name).toBe('DATAPUMP_REST_EXPORT_20190906155736');
    const self = created.headers.location!;
    expect(self).toBe(`${jobs}PDBADMIN,DATAPUMP_REST_EXPORT_20190906155736/`);

    let state = created.json.state as string;
    let polls = 0;
    while (state === 'EXECUTING') {
      await emu.advanceClock(1000);
      state = (await call(self, { headers: auth })).json.state;
      polls += 1;
    }
    expect(state).toBe('COMPLETED');
    expect(polls).toBe(3);

    const job = (await call(self, { headers: auth })).json;
    const log = await call(job.links.find((l: { rel: string }) => l.rel === 'related').href, { headers: auth });
    expect(log.text).toContain(";;;   schema_expression: IN ( 'HR' )\n");
    expect(log.text.trimEnd().split('\n').pop()).toBe(
      'Job "PDBADMIN"."DATAPUMP_REST_EXPORT_20190906155736" successfully completed at Fri Sep 6 15:57:39 2019 elapsed 0 00:00:03',
    );

    const recorded = await emu.requests();
    expect(recorded[0]).toMatchObject({ method: 'POST', body: { operation: 'EXPORT' } });
    await emu.clearRequests();
    expect(await emu.requests()).toEqual([]);

    await emu.stop();
    expect(await emu.exited).toEqual({ code: 0, signal: null });
  });

  it('faults set at run time act on the process, and SIGTERM still exits 0 with a request hanging', async () => {
    running = await startEmulatorProcess({ config: { database: 'pdb1', schema: 'hr', users: { hr: 'hr' } } });
    const emu = running;
    expect(emu.ordsUrl).toBe(`${emu.baseUrl}/ords/pdb1/hr/`);
    const jobs = `${emu.ordsUrl}_/db-api/stable/database/datapump/jobs/`;
    const hr = { authorization: `Basic ${Buffer.from('hr:hr').toString('base64')}` };
    expect(
      await emu.setFaults([
        { route: 'list', kind: 'status', count: 1 },
        { route: 'job', kind: 'hang' },
      ]),
    ).toHaveLength(2);
    expect((await call(jobs, { headers: hr })).status).toBe(503);
    expect((await emu.faults())[0]).toMatchObject({ remaining: 0 });
    expect((await call(jobs, { headers: hr })).status).toBe(200);
    const created = await call(jobs, { headers: hr, body: { operation: 'EXPORT' } });
    const hanging = call(created.headers.location!, { headers: hr }).catch((error: Error) => error);
    while ((await emu.requests()).length < 4) await new Promise((r) => setTimeout(r, 10));
    await emu.clearFaults();
    expect(await emu.faults()).toEqual([]);
    await emu.stop();
    expect(await emu.exited).toEqual({ code: 0, signal: null });
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('takes the lifecycle, time zone, vanished-files and validation flags; addJobs adds jobs other tools started', async () => {
    running = await startEmulatorProcess({
      clock: 'manual',
      config: { jobDurationMs: 1000, lifecycle: 'dropped', validate: 'strict' },
      // Flags win over the config file.
      args: ['--lifecycle', 'kept', '--db-time-zone', 'Asia/Kolkata', '--vanished-files', 'served', '--no-validate'],
    });
    const emu = running;
    const jobs = `${emu.apiUrl}database/datapump/jobs/`;
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT', threads: 0, bogus: 1 } });
    expect(created.status).toBe(201); // --no-validate: off
    expect(created.json.job_name).toBe('DATAPUMP_REST_EXPORT_20190906212736');
    await emu.advanceClock(1000);
    expect((await call(created.headers.location!, { headers: auth })).json.state).toBe('NOT RUNNING');

    const added = await emu.addJobs([
      { owner_name: 'SYSTEM', job_name: 'SYS EXPORT SCHEMA 01', state: 'EXECUTING', pad: true },
    ]);
    expect(added).toEqual([
      {
        owner_name: 'SYSTEM',
        job_name: 'SYS EXPORT SCHEMA 01',
        path: '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/SYSTEM,SYS%20EXPORT%20SCHEMA%2001/',
      },
    ]);
    const job = await call(`${emu.baseUrl}${added[0]!.path}`, { headers: auth });
    expect(job.json).toMatchObject({ owner_name: 'SYSTEM', state: 'EXECUTING', operation: 'EXPORT'.padEnd(30) });
    expect((await call(jobs, { headers: auth })).json.count).toBe(2);
    await expect(emu.addJobs([{ owner_name: 'SYSTEM', job_name: 'SYS EXPORT SCHEMA 01' }])).rejects.toThrow(/409/);
    await emu.clearJobs();
    expect((await call(jobs, { headers: auth })).json.count).toBe(0);
  });

  it.each([
    [['--job-duration', 'soon'], /--job-duration/],
    [['--lifecycle', 'forever'], /--lifecycle/],
    [['--db-time-zone', 'Mars/Olympus_Mons'], /dbTimeZone/],
    [['--validate', 'lenient'], /--validate/],
    [['--port', 'abc'], /--port must be a non-negative integer, not "abc"/],
    [['--log-bytes', '12XB'], /--log-bytes .*invalid byte size: "12XB"/],
    [['--faults', '{'], /--faults .* is invalid/],
    [['--ignore-paging', 'page'], /--ignore-paging takes limit and\/or offset/],
    [['--user', 'bad'], /--user expects name:secret, not "bad"/],
  ])('refuses a bad option (%j) with exit code 1 and a one-line message, no stack trace', async (flags, message) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/emulator/main.ts', '--port', '0', ...flags], {
      cwd: new URL('../../', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

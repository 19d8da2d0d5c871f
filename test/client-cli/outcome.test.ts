// `datapump` as a real child process against a scripted gateway (test/client/fake-gateway.ts, a real HTTP
// server): --wait, status and logs --follow print how the job ended and exit by its outcome, not its state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { JobOutcome } from '../../src/client/index.js';
import { FakeGateway, RUNNING, type Script, serve } from '../client/fake-gateway.js';
import { datapump, type Finished, run } from './run-datapump.js';

const NO_STACK = /\n\s+at .+:\d+:\d+/;
const LOG_RUNNING = ';;; Export: Release 19.0.0.0.0\nStarting "PDBADMIN"."JOB":\nPercent done: 40\n';
const LOG_OK = `${LOG_RUNNING}Job "PDBADMIN"."JOB" successfully completed at Fri Sep 6 15:57:42 2019 elapsed 0 00:00:06\n`;
const LOG_ERRORS = `${LOG_RUNNING}ORA-39083: Object type GRANT failed to create\nJob "PDBADMIN"."JOB" completed with 3 error(s) at Fri Sep 6 15:57:42 2019 elapsed 0 00:00:06\n`;
const LOG_FAILED = `${LOG_RUNNING}ORA-39001: invalid argument value\nORA-31640: unable to open dump file "HR_FAIL.DMP" for read\nJob "PDBADMIN"."JOB" stopped due to fatal error at Fri Sep 6 15:57:42 2019 elapsed 0 00:00:01\n`;
const LOG_STOPPED = `${LOG_RUNNING}Job "PDBADMIN"."JOB" stopped by user request at Fri Sep 6 15:57:42 2019 elapsed 0 00:00:03\n`;

const SUCCEEDED: JobOutcome = { result: 'succeeded', source: 'log', errors: 0, finished_at: '2019-09-06T15:57:42Z' };
const WITH_ERRORS: JobOutcome = { result: 'succeeded_with_errors', source: 'log', errors: 3 };
const FAILED: JobOutcome = { result: 'failed', source: 'log', finished_at: '2019-09-06T15:57:42Z' };
const STOPPED: JobOutcome = { result: 'stopped', source: 'log' };
const UNKNOWN: JobOutcome = { result: 'unknown', source: 'ords' };
const INFERRED: JobOutcome = { result: 'succeeded', source: 'inferred' };

/** Runs for a read, then ends in `state` with `outcome` (none: an older gateway). */
function ends(name: string, state: string, outcome: JobOutcome | undefined, log: string): Script {
  return {
    name,
    file: `${name}.DMP`,
    steps: [
      { state: 'EXECUTING', outcome: RUNNING },
      { state, ...(outcome ? { outcome } : {}) },
    ],
    logs: [LOG_RUNNING, log],
    legacy: outcome === undefined,
  };
}

/** Shows `state` and `outcome` from the first read on. */
function shows(name: string, state: string, outcome: JobOutcome | undefined): Script {
  return { name, steps: [{ state, ...(outcome ? { outcome } : {}) }], logs: [LOG_OK], legacy: outcome === undefined };
}

const ref = (name: string) => `PDBADMIN,${name}`;

describe('datapump exits by the job outcome (a scripted gateway)', { timeout: 60_000 }, () => {
  const gateway = new FakeGateway([
    ends('W_OK', 'COMPLETED', SUCCEEDED, LOG_OK),
    ends('W_KEPT', 'NOT RUNNING', SUCCEEDED, LOG_OK),
    ends('W_ERRS', 'COMPLETED', WITH_ERRORS, LOG_ERRORS),
    ends('W_GONE', 'COMPLETED', INFERRED, ''),
    ends('W_FAIL', 'NOT RUNNING', FAILED, LOG_FAILED),
    ends('W_STOP', 'STOPPED', STOPPED, LOG_STOPPED),
    ends('W_UNK', 'NOT RUNNING', UNKNOWN, LOG_RUNNING),
    ends('W_OLD_OK', 'COMPLETED', undefined, LOG_OK),
    ends('W_OLD_BAD', 'NOT RUNNING', undefined, LOG_FAILED),
    ends('J_OK', 'NOT RUNNING', SUCCEEDED, LOG_OK),
    ends('J_ERRS', 'COMPLETED', WITH_ERRORS, LOG_ERRORS),
    ends('J_FAIL', 'NOT RUNNING', FAILED, LOG_FAILED),
    shows('S_RUN', 'EXECUTING', RUNNING),
    shows('S_OK', 'COMPLETED', SUCCEEDED),
    shows('S_KEPT', 'NOT RUNNING', SUCCEEDED),
    shows('S_ERRS', 'COMPLETED', WITH_ERRORS),
    shows('S_FAIL', 'NOT RUNNING', FAILED),
    shows('S_STOP', 'STOPPED', STOPPED),
    shows('S_UNK', 'NOT RUNNING', UNKNOWN),
    shows('S_GONE', 'COMPLETED', INFERRED),
    shows('S_OLD_OK', 'COMPLETED', undefined),
    shows('S_OLD_BAD', 'NOT RUNNING', undefined),
    {
      name: 'F_KEPT',
      steps: [
        { state: 'EXECUTING', outcome: RUNNING },
        { state: 'NOT RUNNING', outcome: RUNNING }, // the gateway has not read the end yet
        { state: 'NOT RUNNING', outcome: SUCCEEDED },
      ],
      logs: [';;; Export: Release 19.0.0.0.0\n', LOG_RUNNING, LOG_OK],
    },
    {
      name: 'F_GONE',
      steps: [
        { state: 'EXECUTING', outcome: RUNNING },
        { state: 'COMPLETED', outcome: INFERRED, noLog: true },
      ],
      logs: [LOG_RUNNING],
    },
    ends('F_FAIL', 'NOT RUNNING', FAILED, LOG_FAILED),
    ends('F_ERRS', 'COMPLETED', WITH_ERRORS, LOG_ERRORS),
  ]);
  let env: Record<string, string>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const served = await serve(gateway);
    close = served.close;
    env = { DATAPUMP_URL: served.url, DATAPUMP_API_KEY: 'hr-demo-key' };
  });
  afterAll(async () => {
    await close?.();
  });

  const exits = (r: Finished, code: number) => {
    expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(code);
    expect(r.stderr).not.toMatch(NO_STACK);
    return r;
  };
  const wait = (name: string, ...more: string[]) =>
    run([...more, 'export', '--schema', 'HR', '--file', `${name}.DMP`, '--wait', '--poll-interval', '20'], env);

  describe('--wait', () => {
    it('0 for succeeded, also in NOT RUNNING (ORDS 25.4 keep_master) and when inferred', async () => {
      const [ok, kept, gone] = await Promise.all([wait('W_OK'), wait('W_KEPT'), wait('W_GONE')]);
      expect(exits(ok, 0).stdout).toMatch(/^PDBADMIN,W_OK COMPLETED: succeeded after \d+ s\n$/);
      expect(exits(kept, 0).stdout).toMatch(/^PDBADMIN,W_KEPT NOT RUNNING: succeeded after \d+ s\n$/);
      expect(exits(gone, 0).stdout).toMatch(/^PDBADMIN,W_GONE COMPLETED: succeeded \(inferred\) after \d+ s\n$/);
      expect(kept.stderr).toMatch(/^created PDBADMIN,W_KEPT \(EXPORT SCHEMA\), waiting for it to end\n/);
      expect(kept.stderr).not.toMatch(/datapump:/);
    });

    it('8 for succeeded_with_errors: the outcome on stdout, a warning on stderr', async () => {
      const r = exits(await wait('W_ERRS'), 8);
      expect(r.stdout).toMatch(/^PDBADMIN,W_ERRS COMPLETED: succeeded with 3 errors after \d+ s\n$/);
      expect(r.stderr).toMatch(
        /\ndatapump: warning: job PDBADMIN,W_ERRS ended COMPLETED but its log reports 3 errors: datapump logs PDBADMIN,W_ERRS\n$/,
      );
    });

    it('1 for failed, stopped and unknown, with the outcome and the ORA- lines', async () => {
      const [failed, stopped, unknown] = await Promise.all([wait('W_FAIL'), wait('W_STOP'), wait('W_UNK')]);
      for (const r of [failed, stopped, unknown]) expect(exits(r, 1).stdout).toBe('');
      expect(failed.stderr).toMatch(/\ndatapump: job PDBADMIN,W_FAIL ended NOT RUNNING \(failed\)\n/);
      expect(failed.stderr).toContain('\n  ORA-31640: unable to open dump file "HR_FAIL.DMP" for read\n');
      expect(stopped.stderr).toMatch(/\ndatapump: job PDBADMIN,W_STOP ended STOPPED \(stopped\)\n/);
      expect(unknown.stderr).toMatch(/\ndatapump: job PDBADMIN,W_UNK ended NOT RUNNING \(outcome unknown\)\n/);
    });

    it('an older gateway without outcome: by the state, as before (0 COMPLETED, 1 NOT RUNNING)', async () => {
      const [ok, bad] = await Promise.all([wait('W_OLD_OK'), wait('W_OLD_BAD')]);
      expect(exits(ok, 0).stdout).toMatch(/^PDBADMIN,W_OLD_OK COMPLETED: succeeded after \d+ s\n$/);
      expect(exits(bad, 1).stderr).toMatch(
        /\ndatapump: job PDBADMIN,W_OLD_BAD ended NOT RUNNING \(outcome unknown\)\n/,
      );
    });

    it('--json carries the outcome: the job on stdout, a warning or the failure as JSON on stderr', async () => {
      const [ok, errs, failed] = await Promise.all([
        wait('J_OK', '--json'),
        wait('J_ERRS', '--json'),
        wait('J_FAIL', '--json'),
      ]);
      expect(JSON.parse(exits(ok, 0).stdout)).toMatchObject({ state: 'NOT RUNNING', outcome: SUCCEEDED });
      expect(ok.stderr).toBe('');

      expect(JSON.parse(exits(errs, 8).stdout)).toMatchObject({ state: 'COMPLETED', outcome: WITH_ERRORS });
      expect(JSON.parse(errs.stderr)).toEqual({
        warning: {
          message: expect.stringContaining('reports 3 errors') as unknown,
          job: ref('J_ERRS'),
          state: 'COMPLETED',
          outcome: WITH_ERRORS,
        },
        exit_code: 8,
      });

      expect(JSON.parse(exits(failed, 1).stdout)).toMatchObject({ state: 'NOT RUNNING', outcome: FAILED });
      const err = JSON.parse(failed.stderr) as { error: Record<string, unknown>; exit_code: number };
      expect(err.exit_code).toBe(1);
      expect(err.error).toMatchObject({ job: ref('J_FAIL'), state: 'NOT RUNNING', outcome: FAILED });
      expect(err.error.log_tail).toContain('ORA-39001: invalid argument value');
    });
  });

  // Independent child processes, each reading its own job: run side by side.
  describe.concurrent('status', () => {
    it.each([
      ['S_RUN', 0, 'EXECUTING', 'running'],
      ['S_OK', 0, 'COMPLETED', 'succeeded'],
      ['S_KEPT', 0, 'NOT RUNNING', 'succeeded'],
      ['S_GONE', 0, 'COMPLETED', 'succeeded (inferred)'],
      ['S_ERRS', 8, 'COMPLETED', 'succeeded with 3 errors'],
      ['S_FAIL', 1, 'NOT RUNNING', 'failed'],
      ['S_STOP', 1, 'STOPPED', 'stopped'],
      ['S_UNK', 1, 'NOT RUNNING', 'outcome unknown'],
      ['S_OLD_OK', 0, 'COMPLETED', 'succeeded'],
      ['S_OLD_BAD', 1, 'NOT RUNNING', 'outcome unknown'],
    ] as const)('%s: exit %i, state %s, outcome "%s"', async (name, code, state, words) => {
      const [human, machine] = await Promise.all([
        run(['status', ref(name)], env),
        run(['status', ref(name), '--json'], env),
      ]);
      exits(human, code);
      expect(human.stdout).toContain(`\nstate      ${state}\noutcome    ${words}\n`);
      if (code === 0) expect(human.stderr).toBe('');
      if (code === 1) expect(human.stderr).toMatch(new RegExp(`^datapump: job ${ref(name)} ended ${state} \\(`));
      if (code === 8) expect(human.stderr).toMatch(/^datapump: warning: .* reports 3 errors/);
      const job = JSON.parse(exits(machine, code).stdout) as { state: string; outcome: JobOutcome };
      expect(job.state).toBe(state);
      expect(typeof job.outcome.result).toBe('string');
      if (code !== 0) expect(JSON.parse(machine.stderr)).toMatchObject({ exit_code: code });
    });

    it('shows when the job finished; fills in the outcome of an older gateway in --json', async () => {
      const [ok, old] = await Promise.all([
        run(['status', ref('S_OK')], env),
        run(['status', ref('S_OLD_OK'), '--json'], env),
      ]);
      expect(exits(ok, 0).stdout).toContain('\nfinished   2019-09-06T15:57:42Z\n');
      expect(JSON.parse(exits(old, 0).stdout)).toMatchObject({ outcome: { result: 'succeeded', source: 'ords' } });
    });
  });

  describe('logs --follow', () => {
    it('follows until the outcome is known, not the state: 0 for a success in NOT RUNNING', async () => {
      const p = datapump(['logs', ref('F_KEPT'), '--follow', '--poll-interval', '20'], env);
      const r = exits(await p.done, 0);
      expect(r.stdout).toBe(LOG_OK);
      expect(r.stderr).toBe('PDBADMIN,F_KEPT NOT RUNNING: succeeded\n');
      expect(gateway.reads('F_KEPT')).toBeGreaterThanOrEqual(3);
    });

    it('0 for a success the gateway inferred, whose log went with the job: what was printed stays', async () => {
      const r = exits(await run(['logs', ref('F_GONE'), '--follow', '--poll-interval', '20'], env), 0);
      expect(r.stdout).toBe(LOG_RUNNING);
      expect(r.stderr).toBe('PDBADMIN,F_GONE COMPLETED: succeeded (inferred)\n');
    });

    it('1 for failed, 8 for succeeded_with_errors', async () => {
      const [failed, errs] = await Promise.all([
        run(['logs', ref('F_FAIL'), '--follow', '--poll-interval', '20'], env),
        run(['logs', ref('F_ERRS'), '--follow', '--poll-interval', '20'], env),
      ]);
      expect(exits(failed, 1).stdout).toBe(LOG_FAILED);
      expect(failed.stderr).toBe(`datapump: job ${ref('F_FAIL')} ended NOT RUNNING (failed)\n`);
      expect(exits(errs, 8).stdout).toBe(LOG_ERRORS);
      expect(errs.stderr).toMatch(/^PDBADMIN,F_ERRS COMPLETED: succeeded with 3 errors\ndatapump: warning: /);
    });
  });

  it('list shows each outcome; --json carries it, filled in for an older gateway', async () => {
    const [table, machine] = await Promise.all([run(['list'], env), run(['list', '--json'], env)]);
    const rows = exits(table, 0).stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^JOB +OPERATION +MODE +STATE +OUTCOME$/);
    expect(rows.find((r) => r.startsWith(`${ref('S_KEPT')} `))).toMatch(/ NOT RUNNING +succeeded$/);
    expect(rows.find((r) => r.startsWith(`${ref('S_ERRS')} `))).toMatch(/ COMPLETED +succeeded with 3 errors$/);
    const items = (JSON.parse(exits(machine, 0).stdout) as { items: { job_name: string; outcome: JobOutcome }[] })
      .items;
    expect(items.find((i) => i.job_name === 'S_OLD_BAD')?.outcome).toEqual({ result: 'unknown', source: 'ords' });
  });

  it('--help documents exit 8', async () => {
    const r = exits(await run(['--help'], env), 0);
    expect(r.stdout).toContain('\n  8  the job succeeded with errors');
    expect(r.stdout).toContain('\n  1  the job failed, was stopped, or its outcome is unknown');
  });
});

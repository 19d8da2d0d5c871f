// `datapump` as a real child process against a real gateway and ORDS emulator: every command, every exit code.
import { existsSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RunningGateway } from '../../src/gateway/server.js';
import { closedPort, type Stack, startStack } from '../client/stack.js';
import { TEST_LIMITS, testTenants } from '../helpers/gateway-config.js';
import { datapump, type Finished, MAIN, run, start } from './run-datapump.js';

const JOB_REF = /PDBADMIN,DATAPUMP_REST_(?:EXPORT|IMPORT)_\d{14}(?:_\d+)?/;
const NO_STACK = /\n\s+at .+:\d+:\d+/;

describe('datapump, the command line', { timeout: 60_000 }, () => {
  let stack: Stack;
  let limited: RunningGateway;
  let env: Record<string, string>;
  const as = (key: string, extra: Record<string, string> = {}) => ({ ...env, DATAPUMP_API_KEY: key, ...extra });
  const ref = (text: string) => JOB_REF.exec(text)?.[0] ?? '';
  const creates = async () => (await stack.emulator.requests()).filter((r) => r.method === 'POST');

  beforeAll(async () => {
    stack = await startStack({
      emulator: { config: { jobDurationMs: 5_000, failWhenFileNameContains: 'FAIL', lifecycle: 'completed' } },
    });
    const tenants = testTenants();
    tenants['sales-team'] = {
      ...tenants['sales-team']!,
      limits: { ...TEST_LIMITS, create: { limit: 1, windowMs: 60_000 } },
    };
    limited = await stack.extraGateway({ tenants });
    env = { DATAPUMP_URL: stack.url, DATAPUMP_API_KEY: 'hr-demo-key' };
  });
  afterAll(async () => {
    await stack?.close();
  });

  const ok = (r: Finished) => {
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.code, `stderr: ${r.stderr}`).toBe(0);
    return r;
  };

  describe('export and import (exit 0)', () => {
    it('export --schema HR starts a job and says which', async () => {
      await stack.emulator.clearRequests();
      const r = ok(await run(['export', '--database', 'orcl', '--schema', 'HR'], env));
      expect(r.stdout).toMatch(new RegExp(`^created ${JOB_REF.source} \\(EXPORT SCHEMA\\): EXECUTING\\n$`));
      expect((await creates())[0]!.body).toMatchObject({
        operation: 'EXPORT',
        schema_expressions: [{ expression: "IN ('HR')" }],
      });
    });

    it('export --table EMP is a TABLE mode export; --json prints the job', async () => {
      await stack.emulator.clearRequests();
      const r = ok(await run(['export', '--schema', 'HR', '--table', 'EMP', '--json'], env));
      const job = JSON.parse(r.stdout) as { job_mode: string; state: string; links: unknown[] };
      expect(job).toMatchObject({ job_mode: 'TABLE', state: 'EXECUTING', operation: 'EXPORT' });
      expect((await creates())[0]!.body).toMatchObject({
        job_mode: 'TABLE',
        schema_expressions: [{ expression: "IN ('HR')" }],
        name_expressions: [{ expression: "IN ('EMP')" }],
      });
    });

    it('import --file --remap --mode, with DATAPUMP_DATABASE from the environment', async () => {
      await stack.emulator.clearRequests();
      const r = ok(
        await run(
          ['import', '--file', 'EXPDAT%U2019-03-25-12_55_03.DMP', '--remap', 'HR:BLAKE', '--mode', 'FULL'],
          as('dba-demo-key', { DATAPUMP_DATABASE: 'orcl' }),
        ),
      );
      expect(r.stdout).toMatch(/^created PDBADMIN,DATAPUMP_REST_IMPORT_\d{14}\S* \(IMPORT FULL\): EXECUTING\n$/);
      expect((await creates())[0]!.body).toMatchObject({
        operation: 'IMPORT',
        job_mode: 'FULL',
        remap_schemas: [{ source: 'HR', target: 'BLAKE' }],
      });
    });
  });

  describe('--wait', () => {
    it('without a TTY: plain timestamped progress lines, then the outcome, exit 0', async () => {
      const p = datapump(['export', '--schema', 'HR', '--wait', '--poll-interval', '50'], env);
      await p.waitFor(({ stderr }) => / EXECUTING 0:\d\d Percent done: 0\n/.test(stderr));
      await stack.emulator.advanceClock(6_000);
      const r = ok(await p.done);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^created ${JOB_REF.source} \\(EXPORT SCHEMA\\), waiting for it to end$`));
      for (const line of lines.slice(1))
        expect(line).toMatch(
          new RegExp(
            `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ ${JOB_REF.source} (EXECUTING|COMPLETED) \\d+:\\d\\d .+$`,
          ),
        );
      expect(lines.at(-1)).toMatch(/ COMPLETED \d+:\d\d Job ".*" successfully completed at /);
      expect(r.stderr).not.toContain('\r');
      expect(r.stdout).toMatch(new RegExp(`^${JOB_REF.source} COMPLETED: succeeded after \\d+ s\\n$`));
    });

    it('a job that ends NOT RUNNING exits 1 with its ORA- lines', async () => {
      const p = datapump(['import', '--file', 'HR_FAIL.DMP', '--wait', '--poll-interval', '50'], env);
      await p.waitFor(({ stderr }) => / EXECUTING /.test(stderr));
      await stack.emulator.advanceClock(6_000);
      const r = await p.done;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`\\ndatapump: job ${JOB_REF.source} ended NOT RUNNING \\(failed\\)\\n`));
      expect(r.stderr).toContain('  ORA-31640: unable to open dump file "HR_FAIL.DMP" for read\n');
      expect(r.stderr).not.toMatch(NO_STACK);
    });

    it('--json --wait prints only the final job on stdout, and the failure as JSON on stderr', async () => {
      const p = datapump(['--json', 'import', '--file', 'HR_FAIL_2.DMP', '--wait', '--poll-interval', '50'], env);
      await until(async () =>
        (await creates()).some((c) => (c.body as { file_name?: string }).file_name === 'HR_FAIL_2.DMP'),
      );
      await stack.emulator.advanceClock(6_000);
      const r = await p.done;
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({
        state: 'NOT RUNNING',
        operation: 'IMPORT',
        outcome: { result: 'failed' },
      });
      const err = JSON.parse(r.stderr) as {
        error: { state: string; outcome: { result: string }; log_tail: string[] };
        exit_code: number;
      };
      expect(err.exit_code).toBe(1);
      expect(err.error.state).toBe('NOT RUNNING');
      expect(err.error.outcome.result).toBe('failed');
      expect(err.error.log_tail.some((l) => l.startsWith('ORA-'))).toBe(true);
    });

    it.runIf(existsSync('/usr/bin/script'))(
      'on a TTY (script -qc): one live line redrawn with \\r, then the outcome',
      async () => {
        const command = [
          'stty cols 200 rows 40;',
          'exec',
          JSON.stringify(process.execPath),
          ...MAIN,
          'export',
          '--schema',
          'HR',
          '--wait',
          '--poll-interval',
          '50',
        ].join(' ');
        const p = start('/usr/bin/script', ['-qec', command, '/dev/null'], env);
        await p.waitFor(({ stdout }) => /EXECUTING {2}\d+:\d\d {2}Percent done: 0/.test(stdout));
        await stack.emulator.advanceClock(6_000);
        const r = await p.done;
        expect(r.code, r.stdout).toBe(0);
        const frames = r.stdout.split('\r\x1b[2K').slice(1);
        expect(frames.length).toBeGreaterThan(1);
        expect(
          frames.some((f) =>
            /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] PDBADMIN,DATAPUMP_REST_EXPORT_\d{14}\S* {2}EXECUTING {2}\d+:\d\d {2}Percent done: \d+/.test(
              f,
            ),
          ),
        ).toBe(true);
        expect(frames.at(-1)).toMatch(/ {2}COMPLETED {2}\d+:\d\d {2}Job ".*" successfully completed at .*\r?\n/);
        expect(r.stdout).toMatch(/\r?\nPDBADMIN,DATAPUMP_REST_EXPORT_\S+ COMPLETED: succeeded after \d+ s\r?\n$/);
        expect(r.stdout).not.toMatch(/^\d{4}-\d\d-\d\dT/m);
      },
    );
  });

  describe('status, list, logs', () => {
    let job: string;
    beforeAll(async () => {
      job = ref((await run(['export', '--schema', 'HR'], env)).stdout);
      await stack.emulator.advanceClock(6_000);
    });

    it('status OWNER,JOB (and --json)', async () => {
      const r = ok(await run(['status', job], env));
      expect(r.stdout).toContain(`job        ${job}\n`);
      expect(r.stdout).toMatch(/\nstate {6}COMPLETED\noutcome {4}succeeded(?: \(inferred\))?\n/);
      expect(r.stdout).toMatch(/\nlog {8}EXPDAT-[\d_-]+\.LOG\n/);
      expect(r.stdout).toMatch(/\ndump files HR_\S+\.DMP\n/); // the gateway's policy names hr-team's dumps HR_…
      const j = JSON.parse(ok(await run(['status', job, '--json'], env)).stdout) as {
        state: string;
        outcome: { result: string };
      };
      expect(j.state).toBe('COMPLETED');
      expect(j.outcome.result).toBe('succeeded');
    });

    it('list --limit N, and --json', async () => {
      const r = ok(await run(['list', '--limit', '2'], env));
      const rows = r.stdout.trimEnd().split('\n');
      expect(rows[0]).toMatch(/^JOB +OPERATION +MODE +STATE +OUTCOME$/);
      expect(rows).toHaveLength(3);
      expect(r.stderr).toBe('(more jobs: --offset 2, or --all)\n');
      const all = JSON.parse(ok(await run(['list', '--all', '--json'], env)).stdout) as {
        items: { job_name: string }[];
        hasMore: boolean;
      };
      expect(all.hasMore).toBe(false);
      expect(all.items.map((i) => `PDBADMIN,${i.job_name}`)).toContain(job);
    });

    it('logs OWNER,JOB prints the log', async () => {
      const r = ok(await run(['logs', job], env));
      expect(r.stdout).toMatch(/^;;; ORDS emulator/);
      expect(r.stdout).toMatch(/successfully completed at .*\n$/);
    });

    it('logs --follow prints the log as it grows, until the job ends', async () => {
      const running = ref((await run(['export', '--schema', 'HR'], env)).stdout);
      const p = datapump(['logs', running, '--follow', '--poll-interval', '50'], env);
      await p.waitFor(({ stdout }) => stdout.includes('Percent done: 0\n'));
      await stack.emulator.advanceClock(2_500);
      await p.waitFor(({ stdout }) => stdout.includes('Percent done: 50\n'));
      await stack.emulator.advanceClock(3_000);
      const r = ok(await p.done);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.filter((l) => l.startsWith('Starting '))).toHaveLength(1);
      expect(lines.indexOf('Percent done: 0')).toBeLessThan(lines.indexOf('Percent done: 50'));
      expect(lines.at(-1)).toMatch(/successfully completed/);
      expect(r.stderr).toMatch(new RegExp(`^${JOB_REF.source} COMPLETED: succeeded\\n$`));
    });
  });

  describe('failures: one clear line, the documented exit code, no stack trace', () => {
    const fails = async (args: string[], e: Record<string, string>, code: number, line: RegExp) => {
      const r = await run(args, e);
      expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(code);
      expect(r.stderr).toMatch(line);
      expect(r.stderr).not.toMatch(NO_STACK);
      return r;
    };

    it('2: bad usage', async () => {
      await Promise.all([
        fails([], env, 2, /^Usage: datapump/),
        fails(['export', '--bogus'], env, 2, /^datapump: unknown option '--bogus'\n/),
        fails(['export'], env, 2, /^datapump: export needs --schema NAME \(or --mode FULL\)/),
        fails(['status', 'NOCOMMA'], env, 2, /^datapump: .*expected OWNER,JOB_NAME/),
        fails(['import', '--file', 'X.DMP', '--remap', 'HR'], env, 2, /^datapump: .*expected SOURCE:TARGET/),
        fails(['list', '--limit', 'ten'], env, 2, /^datapump: .*--limit must be an integer/),
        fails(
          ['list'],
          { DATAPUMP_API_KEY: 'hr-demo-key' },
          2,
          /^datapump: no gateway URL: pass --url or set DATAPUMP_URL/,
        ),
      ]);
    });

    it('3: authentication', async () => {
      await Promise.all([
        fails(['list'], as('wrong-key'), 3, /^datapump: unauthenticated: .+\n$/),
        fails(
          ['list'],
          { DATAPUMP_URL: stack.url },
          3,
          /^datapump: no API key: pass --api-key or set DATAPUMP_API_KEY\n$/,
        ),
        fails(['--url', stack.url, '--api-key', 'wrong-key', 'list'], {}, 3, /^datapump: unauthenticated/),
      ]);
    });

    it("4: refused by policy or validation, with the problem's pointer", async () => {
      await fails(
        ['export', '--schema', 'SALES'],
        env,
        4,
        /^datapump: not granted: .*SALES.* \(\/schema_expressions\/0\/expression\)\n$/,
      );
      await fails(
        ['export', '--schema', 'HR', '--threads', '99'],
        env,
        4,
        /^datapump: not granted: .*\(\/threads\)\n$/,
      );
      await fails(['status', 'PDBADMIN,NO_SUCH_JOB'], env, 4, /^datapump: job not found/);
      const r = await fails(['--json', 'export', '--schema', 'SALES'], env, 4, /^\{/);
      const err = JSON.parse(r.stderr) as {
        error: { status: number; type: string; errors: { pointer: string }[] };
        exit_code: number;
      };
      expect(err).toMatchObject({
        exit_code: 4,
        error: { status: 403, type: 'https://datapump-gateway.dev/problems/not-granted' },
      });
      expect(err.error.errors[0]!.pointer).toBe('/schema_expressions/0/expression');
    });

    it('5: rate limited', async () => {
      const sales = { DATAPUMP_URL: limited.url, DATAPUMP_API_KEY: 'sales-demo-key' };
      ok(await run(['export', '--schema', 'SALES'], sales));
      await fails(['export', '--schema', 'SALES'], sales, 5, /^datapump: rate limited: .+ \(retry after \d+ s\)\n$/);
    });

    it('6: gateway or ORDS unavailable, or no answer', async () => {
      const job = ref((await run(['export', '--schema', 'HR'], env)).stdout);
      await stack.emulator.setFaults([{ route: 'job', kind: 'status', status: 503 }]);
      try {
        await fails(['status', job], env, 6, /^datapump: upstream unavailable: .+\(retry after \d+ s\)\n$/);
      } finally {
        await stack.emulator.clearFaults();
      }
      await fails(
        ['list'],
        { ...env, DATAPUMP_URL: `http://127.0.0.1:${await closedPort()}` },
        6,
        /^datapump: cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
      );
    });

    it('7: --timeout while waiting; 130: Ctrl-C while waiting (the job goes on)', async () => {
      const timedOut = await run(
        ['export', '--schema', 'HR', '--wait', '--timeout', '1', '--poll-interval', '50'],
        env,
      );
      expect(timedOut.code).toBe(7);
      expect(timedOut.stderr).toMatch(
        /datapump: job PDBADMIN,\S+ still EXECUTING after 1 s; it goes on: datapump status PDBADMIN,\S+\n$/,
      );

      const p = datapump(['export', '--schema', 'HR', '--wait', '--poll-interval', '50'], env);
      await p.waitFor(({ stderr }) => / EXECUTING /.test(stderr));
      p.kill('SIGINT');
      const r = await p.done;
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/datapump: interrupted; the job goes on: datapump status PDBADMIN,\S+\n$/);
    });
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

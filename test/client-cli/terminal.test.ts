// `datapump` on terminals and pipes, as a real child process against a real gateway and ORDS emulator: NO_COLOR and
// TERM=dumb give plain lines, the live line leaves no spinner behind, a reader that goes away (EPIPE) ends it quietly,
// and the log of a job ORDS forgot (the emulator forgets its jobs on restart) is its own exit code, 9.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RunningGateway } from '../../src/gateway/server.js';
import { type Stack, startStack } from '../client/stack.js';
import { baseEnv, datapump, MAIN, REPO_ROOT, run, start } from './run-datapump.js';

const JOB_REF = /PDBADMIN,DATAPUMP_REST_EXPORT_\d{14}(?:_\d+)?/;
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const ESCAPE = '\x1b[';
const NO_STACK = /\n\s+at .+:\d+:\d+/;
const hasScript = existsSync('/usr/bin/script');

describe('datapump on terminals and pipes', { timeout: 90_000 }, () => {
  let stack: Stack;
  let env: Record<string, string>;
  const ref = (text: string) => JOB_REF.exec(text)?.[0] ?? '';

  beforeAll(async () => {
    stack = await startStack({ emulator: { config: { jobDurationMs: 5_000, lifecycle: 'completed' } } });
    env = { DATAPUMP_URL: stack.url, DATAPUMP_API_KEY: 'hr-demo-key' };
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** `datapump ARGS` on a real pseudo-terminal (script -qec): stdout and stderr both come back on `stdout`. */
  const onTty = (args: readonly string[], extra: Record<string, string> = {}) =>
    start(
      '/usr/bin/script',
      [
        '-qec',
        ['stty cols 200 rows 40;', 'exec', JSON.stringify(process.execPath), ...MAIN, ...args].join(' '),
        '/dev/null',
      ],
      { ...env, ...extra },
    );
  const waitOnTty = async (extra: Record<string, string>) => {
    const p = onTty(['export', '--schema', 'HR', '--wait', '--poll-interval', '50'], extra);
    await p.waitFor(({ stdout }) => /EXECUTING/.test(stdout));
    await stack.emulator.advanceClock(6_000);
    const r = await p.done;
    expect(r.code, r.stdout).toBe(0);
    return r.stdout;
  };

  it('piped: no escape sequence in any output, --wait included', async () => {
    const p = datapump(['export', '--schema', 'HR', '--wait', '--poll-interval', '50'], env);
    await p.waitFor(({ stderr }) => / EXECUTING /.test(stderr));
    await stack.emulator.advanceClock(6_000);
    const waited = await p.done;
    const job = ref(waited.stdout);
    const others = await Promise.all([
      run(['status', job], env),
      run(['list'], env),
      run(['logs', job], env),
      run(['--help'], env),
      run(['list', '--bogus'], env),
    ]);
    for (const r of [waited, ...others]) {
      expect(r.stdout).not.toContain(ESCAPE);
      expect(r.stderr).not.toContain(ESCAPE);
    }
  });

  it.runIf(hasScript).each([
    ['NO_COLOR=1', { NO_COLOR: '1' }],
    ['NO_COLOR=0 (any non-empty value)', { NO_COLOR: '0' }],
    ['TERM=dumb', { TERM: 'dumb' }],
  ])('on a terminal with %s: plain timestamped lines, no escape sequence, no spinner', async (_what, extra) => {
    const out = await waitOnTty(extra);
    expect(out).not.toContain(ESCAPE);
    expect(out).not.toMatch(SPINNER);
    expect(out).toMatch(new RegExp(`created ${JOB_REF.source} \\(EXPORT SCHEMA\\), waiting for it to end\\r?\\n`));
    expect(out).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ ${JOB_REF.source} EXECUTING `, 'm'));
  });

  it.runIf(hasScript)('on a terminal with NO_COLOR empty: the live line as usual', async () => {
    const out = await waitOnTty({ NO_COLOR: '' });
    expect(out).toContain('\r\x1b[2K');
    expect(out).toMatch(SPINNER);
  });

  it.runIf(hasScript)('on a terminal: the live line ends without its spinner, then the outcome', async () => {
    const out = await waitOnTty({});
    const frames = out.split('\r\x1b[2K').slice(1);
    expect(frames.slice(0, -1).some((f) => SPINNER.test(f[0]!))).toBe(true);
    const last = frames.at(-1)!;
    // The last state stays on screen, without a glyph; the outcome follows on the next line.
    expect(last).toMatch(
      new RegExp(`^${JOB_REF.source} {2}COMPLETED {2}\\d+:\\d\\d {2}Job ".*" successfully completed`),
    );
    expect(last).not.toMatch(SPINNER);
    const lines = last.split(/\r?\n/).filter(Boolean);
    expect(lines.at(-1)).toMatch(new RegExp(`^${JOB_REF.source} COMPLETED: succeeded after \\d+ s$`));
  });

  describe('a reader that goes away (EPIPE): exit quietly', () => {
    /** Runs datapump with its stdout's reading end closed before it writes a byte, as `| head -c 0` would. */
    const closedStdout = (args: readonly string[]) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [...MAIN, ...args], {
          cwd: REPO_ROOT,
          env: { ...baseEnv(), ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
        child.once('close', (code, signal) => resolve({ code, signal, stderr }));
      });

    it.each([[['list']], [['list', '--json']], [['--help']], [['--version']]])('datapump %j', async (args) => {
      const r = await closedStdout(args);
      expect(r).toEqual({ code: 0, signal: null, stderr: '' });
    });
  });

  describe('logs of a job whose log ORDS no longer has: exit 9, not 1 (failed) or 4 (refused)', () => {
    let quiet: RunningGateway;
    let quietEnv: Record<string, string>;
    beforeAll(async () => {
      // A watcher that never comes round again: it cannot keep the log's tail before the job vanishes.
      quiet = await stack.extraGateway({ watch: { intervalMs: 3_600_000, freshMs: 0, changeCheckMs: 500 } });
      quietEnv = { ...env, DATAPUMP_URL: quiet.url };
    });

    it('the emulator forgot the job (as on restart): one line saying so, exit 9; --json says 9 too', async () => {
      const job = ref((await run(['export', '--schema', 'HR'], quietEnv)).stdout);
      expect(job).not.toBe('');
      await stack.emulator.clearJobs(); // what a restart does: every job, with its log, is gone
      const r = await run(['logs', job], quietEnv);
      expect(r.code, r.stderr).toBe(9);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `datapump: the log of job ${job} is no longer available: ORDS no longer has it (Data Pump drops a finished job's files with the job; the ORDS emulator forgets its jobs when it restarts)\n`,
      );
      const j = await run(['logs', job, '--json'], quietEnv);
      expect(j.code).toBe(9);
      expect(JSON.parse(j.stderr)).toMatchObject({
        exit_code: 9,
        error: { job, message: expect.stringContaining('no longer available') },
      });
      // The job itself is still known, and how it ended: status is not affected.
      const s = await run(['status', job], quietEnv);
      expect(s.stdout).toContain(`job        ${job}\n`);
      expect(s.stderr).not.toMatch(NO_STACK);
    });

    it('a job the gateway never knew stays 4 (not found)', async () => {
      const r = await run(['logs', 'PDBADMIN,NO_SUCH_JOB'], quietEnv);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/^datapump: job not found/);
    });

    it('--help documents 9', async () => {
      expect((await run(['--help'])).stdout).toMatch(/\n {2}9 {2}logs: the job's log is no longer available/);
    });
  });
});

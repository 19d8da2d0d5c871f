// The CLI in-process: injected streams and env, no process.exit, and room for more subcommands.
import { describe, expect, it } from 'vitest';

import { buildProgram, type CliIo, runCli } from '../../src/cli/datapump-gateway.js';

function fakeIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const exits: number[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env,
    exit: (code) => exits.push(code),
  };
  return { io, out, err, exits };
}

describe('buildProgram / runCli', () => {
  it('lists the built-in commands', () => {
    const names = buildProgram(fakeIo().io).commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(['hash-key', 'check-config']));
  });

  it('takes extra registrars, for serve and emulator', async () => {
    const { io, out, exits } = fakeIo();
    const code = await runCli(['serve', '--port', '9'], io, [
      (program, cliIo) => {
        program
          .command('serve')
          .option('--port <n>')
          .action((options: { port: string }) => void cliIo.stdout.write(`serving on ${options.port}\n`));
      },
    ]);
    expect(code).toBe(0);
    expect(exits).toEqual([0]);
    expect(out.join('')).toBe('serving on 9\n');
  });

  it('reads the environment it is given, not process.env', async () => {
    const { io, out, err, exits } = fakeIo({ ORDS_PASSWORD: 'x', GATEWAY_CONFIG: 'config/example.yaml' });
    await runCli(['check-config'], io);
    expect([out.join(''), err.join(''), exits]).toEqual(['config OK: 1 database, 3 tenants\n', '', [0]]);
  });

  it('turns commander errors into an exit code instead of exiting', async () => {
    const { io, err, exits } = fakeIo();
    expect(await runCli(['nope'], io)).toBe(2);
    expect(exits).toEqual([2]);
    expect(err.join('')).toContain("unknown command 'nope'");
  });

  it('prints help on stdout with exit code 0', async () => {
    const { io, out } = fakeIo();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(out.join('')).toContain('check-config [options] [path]');
  });
});

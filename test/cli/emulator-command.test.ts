// `datapump-gateway emulator`: registered by the admin CLI (src/cli/), with the emulator's own options.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';

import { registerEmulatorCommand } from '../../src/cli/emulator.js';

describe('the emulator subcommand', () => {
  it('registerEmulatorCommand adds an `emulator` subcommand with the same options', () => {
    const program = new Command('datapump-gateway');
    const command = registerEmulatorCommand(program, { stdout: process.stdout, stderr: process.stderr, env: {} });
    expect(program.commands.map((c) => c.name())).toEqual(['emulator']);
    expect(command.options.map((o) => o.long)).toEqual(
      expect.arrayContaining([
        '--port',
        '--host',
        '--config',
        '--clock',
        '--no-validate',
        '--log-bytes',
        '--tls-cert',
        '--tls-key',
        '--tls-ca',
      ]),
    );
  });
});

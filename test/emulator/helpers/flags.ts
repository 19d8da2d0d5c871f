// The emulator's command-line flags parsed as main.ts parses them (without running it), for the option tests.
import { Command } from 'commander';

import { addEmulatorOptions, configFromCommand } from '../../../src/emulator/cli.js';

/** The config `argv` gives, with `env` set meanwhile (flags that read an env variable); a bad flag throws. */
export function parseFlags(argv: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const command = addEmulatorOptions(
      new Command('test')
        .exitOverride()
        .configureOutput({ writeErr: () => undefined })
        .action(() => undefined),
    );
    command.parse(argv, { from: 'user' });
    return configFromCommand(command);
  } finally {
    for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
  }
}

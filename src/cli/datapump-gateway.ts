#!/usr/bin/env node
/** @module The admin command line `datapump-gateway`: builds the commander program and runs it when executed directly. */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { Command, CommanderError } from 'commander';

import { packageVersion } from '../client-cli/package-version.js';
import { registerAuditCommand } from './audit-command.js';
import { registerCheckConfig } from './check-config.js';
import { EXIT, exitCodeForCommander } from './exit-codes.js';
import { registerHashKey } from './hash-key.js';
import { registerIntentsCommand } from './intents-command.js';
import type { CliIo, CommandRegistrar } from './io.js';
import { registerJobsCommand } from './jobs-command.js';
import { registerVerifyUpstream } from './verify-upstream.js';

export type { CliIo, CommandRegistrar } from './io.js';

/** The built-in subcommands; `serve` and `emulator` are passed in as extra registrars. */
export const BUILT_IN_COMMANDS: readonly CommandRegistrar[] = [
  registerHashKey,
  registerCheckConfig,
  registerVerifyUpstream,
  registerAuditCommand,
  registerIntentsCommand,
  registerJobsCommand,
];

export function buildProgram(io: CliIo, extra: readonly CommandRegistrar[] = []): Command {
  const program = new Command('datapump-gateway')
    .description('Admin commands of datapump-gateway, the governed HTTP gateway in front of ORDS Data Pump.')
    .version(packageVersion(), '-V, --version')
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 the command failed (a config with problems, a failed check), 2 bad usage.',
    )
    // Set before adding subcommands, which inherit both: output goes to the injected streams, and
    // commander throws instead of calling process.exit, so runCli decides how the process ends.
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride();
  for (const register of [...BUILT_IN_COMMANDS, ...extra]) register(program, io);
  return program;
}

/** Runs one command line (without `node` and the script) and resolves to its exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  extra: readonly CommandRegistrar[] = [],
): Promise<number> {
  let code = 0;
  try {
    await buildProgram(io, extra).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    // Usage mistakes exit 2, help and version 0; an error a command raised keeps its own code.
    if (error instanceof CommanderError) code = exitCodeForCommander(error);
    else {
      io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      code = EXIT.failed;
    }
  }
  (io.exit ?? ((c: number) => void (process.exitCode = c)))(code);
  return code;
}

function isMainModule(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // realpath: run through a node_modules/.bin symlink, argv[1] is the link, import.meta.url the target.
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  // The long-running commands are loaded only when this file is the program, so tests of the
  // admin commands do not pull in the gateway or the emulator.
  const [{ registerServeCommand }, { registerEmulatorCommand }] = await Promise.all([
    import('./serve.js'),
    import('./emulator.js'),
  ]);
  await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, [
    registerServeCommand,
    registerEmulatorCommand,
  ]);
}

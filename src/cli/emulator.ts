/** @module `datapump-gateway emulator`: the ORDS emulator as a subcommand, with the same options as its own program. */
import type { Command } from 'commander';

import { addEmulatorOptions, emulatorAction } from '../emulator/cli.js';
import type { CliIo } from './io.js';

export function registerEmulatorCommand(program: Command, io: CliIo): Command {
  const command = program.command('emulator').description('run the ORDS Data Pump emulator (an HTTP double of ORDS)');
  return addEmulatorOptions(command).action(emulatorAction(io));
}

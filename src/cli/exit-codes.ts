/** @module The exit codes of `datapump-gateway`: 0 done, 1 the command failed, 2 bad usage (as `datapump`'s). */
import type { CommanderError } from 'commander';

export const EXIT = {
  ok: 0,
  /** The command ran and failed: a config with problems, an upstream that failed its checks, a server that could not start. */
  failed: 1,
  /** Bad usage: unknown command or option, missing or malformed argument, too many arguments. */
  usage: 2,
} as const;

/** What commander reports when the command line itself is wrong (its `CommanderError.code`). */
const USAGE_CODES: ReadonlySet<string> = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.missingArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.invalidArgument',
  'commander.excessArguments',
  'commander.conflictingOption',
]);

/**
 * The exit code for what commander threw under `exitOverride`: `--help`, `help` and `--version` are 0; a help
 * shown because no command was given, and every usage mistake, are 2 (commander itself says 1); an error a
 * command raised through `command.error()` keeps the exit code it chose.
 */
export function exitCodeForCommander(error: CommanderError): number {
  if (USAGE_CODES.has(error.code)) return EXIT.usage;
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
  if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  return error.exitCode;
}

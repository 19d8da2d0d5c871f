/** @module What a CLI command may touch: its output streams and environment, injected so tests run it in-process. */
import type { Command } from 'commander';

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Receives the exit code when the command is done; defaults to setting `process.exitCode`. */
  readonly exit?: (code: number) => void;
}

/** Adds one subcommand (or several) to the program; `serve` and `emulator` plug in this way. */
export type CommandRegistrar = (program: Command, io: CliIo) => void;

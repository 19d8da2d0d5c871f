/** @module `check-config`: loads a config file as the gateway would and reports every problem, never a secret. */
import { type Command, CommanderError } from 'commander';

import { ConfigError } from '../gateway/config/errors.js';
import { loadConfig } from '../gateway/config/load.js';
import { configWarnings } from '../gateway/config/warnings.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';

export const DEFAULT_CONFIG_PATH = 'config/example.yaml';

/**
 * One problem of `--json`: `path` is the dotted setting (`listen.port`, `tenants.hr-team.databases[1]`), or null
 * for the file as a whole (unreadable, not YAML: then `line` and `column` say where, when known).
 */
interface ConfigFinding {
  readonly path: string | null;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** What `check-config --json` prints: one document, for CI. The exit code is the same as without `--json`. */
interface CheckConfigReport {
  readonly ok: boolean;
  readonly file: string;
  readonly databases?: number;
  readonly tenants?: number;
  readonly errors: readonly ConfigFinding[];
  readonly warnings: readonly ConfigFinding[];
}

export function registerCheckConfig(program: Command, io: CliIo): void {
  program
    .command('check-config')
    .description('validate a config file (interpolating the environment) and print every problem')
    .argument('[path]', `config file; defaults to $GATEWAY_CONFIG, then ${DEFAULT_CONFIG_PATH}`)
    .option('--json', 'print one JSON document on stdout (ok, errors and warnings, each with its path and message)')
    .addHelpText('after', '\nExit codes: 0 the config is valid (warnings or not), 1 it has problems, 2 bad usage.')
    .action(function (this: Command, path: string | undefined, options: { json?: boolean }) {
      const file = path ?? io.env.GATEWAY_CONFIG ?? DEFAULT_CONFIG_PATH;
      let config;
      try {
        config = loadConfig({ path: file, env: io.env });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        // Problems name paths and variables, never values, so they are safe to print.
        if (!options.json) this.error(error.problems.join('\n'), { exitCode: EXIT.failed, code: 'config.invalid' });
        const report: CheckConfigReport = {
          ok: false,
          file,
          errors: error.problems.map((p) => finding(p, error.source)),
          warnings: [],
        };
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        // Said already: the exit code alone goes through commander's error handling.
        throw new CommanderError(EXIT.failed, 'config.invalid', 'config.invalid');
      }
      const databases = Object.keys(config.databases).length;
      const tenants = Object.keys(config.tenants).length;
      const warnings = configWarnings(config);
      if (options.json) {
        const report: CheckConfigReport = {
          ok: true,
          file,
          databases,
          tenants,
          errors: [],
          warnings: warnings.map((w) => finding(w, file)),
        };
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
      io.stdout.write(`config OK: ${count(databases, 'database')}, ${count(tenants, 'tenant')}\n`);
    });
}

/**
 * Splits a problem line back into its parts: `listen.port: must be <= 65535`, `FILE:2:1: Map keys must be unique`,
 * `FILE: cannot read the file (ENOENT)`. The file's own name is matched first: it may hold `: ` itself.
 */
function finding(problem: string, source: string): ConfigFinding {
  if (problem.startsWith(`${source}:`)) {
    const rest = problem.slice(source.length + 1);
    const at = /^(\d+):(\d+): ([\s\S]*)$/.exec(rest);
    if (at) return { path: null, line: Number(at[1]), column: Number(at[2]), message: at[3]! };
    return { path: null, message: rest.trimStart() };
  }
  const colon = problem.indexOf(': ');
  return colon > 0
    ? { path: problem.slice(0, colon), message: problem.slice(colon + 2) }
    : { path: null, message: problem };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

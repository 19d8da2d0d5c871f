/** @module `check-config`: loads a config file as the gateway would and reports every problem, never a secret. */
import type { Command } from 'commander';

import { ConfigError } from '../gateway/config/errors.js';
import { loadConfig } from '../gateway/config/load.js';
import { configWarnings } from '../gateway/config/warnings.js';
import type { CliIo } from './io.js';

export const DEFAULT_CONFIG_PATH = 'config/example.yaml';

export function registerCheckConfig(program: Command, io: CliIo): void {
  program
    .command('check-config')
    .description('validate a config file (interpolating the environment) and print every problem')
    .argument('[path]', `config file; defaults to $GATEWAY_CONFIG, then ${DEFAULT_CONFIG_PATH}`)
    .action(function (this: Command, path: string | undefined) {
      const file = path ?? io.env.GATEWAY_CONFIG ?? DEFAULT_CONFIG_PATH;
      let config;
      try {
        config = loadConfig({ path: file, env: io.env });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        // Problems name paths and variables, never values, so they are safe to print.
        this.error(error.problems.join('\n'), { exitCode: 1, code: 'config.invalid' });
      }
      const databases = count(Object.keys(config.databases).length, 'database');
      const tenants = count(Object.keys(config.tenants).length, 'tenant');
      for (const warning of configWarnings(config)) io.stderr.write(`warning: ${warning}\n`);
      io.stdout.write(`config OK: ${databases}, ${tenants}\n`);
    });
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

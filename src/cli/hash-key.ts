/** @module `hash-key`: makes a new API key (or hashes a given one) and prints the hash the config stores. */
import type { Command } from 'commander';

import { generateApiKey, hashApiKey } from '../gateway/config/api-key.js';
import type { CliIo } from './io.js';

export function registerHashKey(program: Command, io: CliIo): void {
  program
    .command('hash-key')
    .description("print a new random API key and its SHA-256, the form a tenant's api_keys holds")
    .option('--key <key>', 'hash this existing key instead of making a new one')
    .action(function (this: Command, options: { key?: string }) {
      if (options.key === '') this.error('error: --key must not be empty', { exitCode: 2, code: 'hash-key.empty' });
      const given = options.key !== undefined;
      const key = options.key ?? generateApiKey();
      const sha256 = hashApiKey(key);
      // A key given on the command line is not echoed back: the terminal may be logged or shared.
      const lines = [
        ...(given ? [] : [`key:    ${key}`]),
        `sha256: ${sha256}`,
        '',
        given
          ? "Paste this line under the tenant's api_keys:"
          : "Hand the key to the tenant once (only its hash is kept); paste this line under the tenant's api_keys:",
        `  - sha256: ${sha256}`,
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
    });
}

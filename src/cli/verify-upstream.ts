/** @module `verify-upstream`: a read-only conformance check of one configured database's ORDS, run before go-live. */
import { type Command, CommanderError } from 'commander';

import { ConfigError } from '../gateway/config/errors.js';
import { loadConfig } from '../gateway/config/load.js';
import type { CliIo } from './io.js';

// Exit 0 when no check FAILs (WARNs included), 1 when one does, 2 for usage and configuration errors.

interface VerifyOptions {
  readonly config?: string;
  readonly database?: string;
  readonly json?: boolean;
}

export function registerVerifyUpstream(program: Command, io: CliIo): void {
  program
    .command('verify-upstream')
    .description(
      "check a database's ORDS against what the gateway relies on (credentials, catalogue, contract, job list, " +
        'one job and its log, version, time zone), with GETs only: nothing on ORDS is created, changed or deleted',
    )
    .option('-c, --config <path>', 'the YAML configuration file (else $GATEWAY_CONFIG)')
    .option('-d, --database <name>', 'the configured database whose ORDS to check')
    .option('--json', 'print one JSON document with every check and its evidence')
    // commander's own usage errors (an unknown option, a missing value) are usage errors here too: exit 2.
    .exitOverride((error) => {
      if (error.exitCode !== 0 && error.code.startsWith('commander.')) {
        throw new CommanderError(2, error.code, error.message);
      }
      throw error;
    })
    .action(async function (this: Command, options: VerifyOptions) {
      const usage = (message: string, code: string): never =>
        this.error(`datapump-gateway verify-upstream: ${message}`, { exitCode: 2, code: `verify-upstream.${code}` });
      const path = options.config ?? io.env.GATEWAY_CONFIG;
      if (path === undefined || path === '') usage('needs --config <file> (or GATEWAY_CONFIG=<file>)', 'no-config');
      let config;
      try {
        config = loadConfig({ path: path!, env: io.env });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        // Problems name paths and variables, never values, so they are safe to print.
        this.error(error.problems.join('\n'), { exitCode: 2, code: 'config.invalid' });
      }
      const names = Object.keys(config.databases);
      if (options.database === undefined)
        usage(`needs --database <name> (configured: ${names.join(', ')})`, 'no-database');
      const database = config.databases[options.database!];
      if (!database)
        usage(`database "${options.database}" is not configured (configured: ${names.join(', ')})`, 'unknown-database');

      // Loaded only when the command runs: the other admin commands need neither the contracts nor HTTP.
      const [
        { loadContract },
        { createOrdsContract },
        { createUpstreamReader },
        { verifyUpstream },
        report,
        { exitCodeOf },
      ] = await Promise.all([
        import('../contract/documents.js'),
        import('../gateway/upstream/ords-contract.js'),
        import('../gateway/verify/reader.js'),
        import('../gateway/verify/verify.js'),
        import('../gateway/verify/report.js'),
        import('../gateway/verify/check-result.js'),
      ]);
      const ours = loadContract('ords');
      const contract = createOrdsContract({ ords: ours, public: loadContract('public') });
      const reader = createUpstreamReader(database!);
      let results;
      try {
        results = await verifyUpstream({ database: database!, ours, contract }, reader);
      } finally {
        await reader.close();
      }
      io.stdout.write(options.json ? report.jsonReport(database!, results) : report.humanReport(database!, results));
      const code = exitCodeOf(results);
      // Thrown, not set: runCli ends the process with the code of a CommanderError, and 0 otherwise.
      if (code !== 0) throw new CommanderError(code, 'verify-upstream.failed', 'a check failed');
    });
}

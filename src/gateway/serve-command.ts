/** @module `datapump-gateway serve`: load the YAML config, start the gateway, stop cleanly on SIGTERM/SIGINT. */
import type { Command } from 'commander';
import type { CliIo } from '../cli/io.js';
import { ConfigError } from './config/errors.js';
import { loadConfig } from './config/load.js';
import { startGateway } from './server.js';

export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('Start the gateway (config: --config, $GATEWAY_CONFIG, or config/example.yaml).')
    .option('-c, --config <path>', 'the YAML configuration file')
    .action(async (options: { config?: string }) => {
      const path = options.config ?? io.env.GATEWAY_CONFIG ?? 'config/example.yaml';
      let config;
      try {
        config = loadConfig({ path, env: io.env });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        io.stderr.write(`${error.message}\n`);
        process.exitCode = 1;
        return;
      }
      const gateway = await startGateway({ config });
      io.stdout.write(`datapump-gateway listening on ${gateway.url}${gateway.metricsUrl ? ` (metrics on ${gateway.metricsUrl})` : ''}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          gateway.logger.info({ signal }, 'shutting down');
          void gateway.close().then(resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}

/**
 * @module `datapump-gateway serve`: load the YAML config, start the gateway; SIGTERM/SIGINT shut it down
 * gracefully (a second one cuts the requests still draining), SIGHUP reloads the config file (reload.ts).
 */
import type { Command } from 'commander';

import { ConfigError } from '../gateway/config/errors.js';
import { loadConfig } from '../gateway/config/load.js';
import { configWarnings } from '../gateway/config/warnings.js';
import { reloadConfig } from '../gateway/reload.js';
import { startGateway } from '../gateway/server.js';
import { tracingSettings, TracingSettingsError } from '../gateway/tracing/settings.js';
import { createTracing } from '../gateway/tracing/tracing.js';
import type { CliIo } from './io.js';

export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'Start the gateway with the config of --config or $GATEWAY_CONFIG (one is required). SIGHUP reloads the config; SIGTERM/SIGINT drain and stop.',
    )
    .option('-c, --config <path>', 'the YAML configuration file')
    .action(async function (this: Command, options: { config?: string }) {
      const path = options.config ?? io.env.GATEWAY_CONFIG;
      // Never a default file: config/example.yaml holds demo keys the README publishes.
      if (path === undefined || path === '') {
        this.error(
          'datapump-gateway serve needs a configuration: pass --config <file> or set GATEWAY_CONFIG=<file>. ' +
            '(config/example.yaml is a demo whose API keys are published; `make run` passes it explicitly.)',
          { exitCode: 2, code: 'serve.no-config' },
        );
      }
      let config;
      try {
        config = loadConfig({ path, env: io.env });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        // Through commander, as check-config does: a process.exitCode set here would be overwritten by runCli's 0.
        this.error(error.message, { exitCode: 1, code: 'config.invalid' });
      }
      let traces;
      try {
        // Read once, here: the SDK is started only when an OTLP endpoint (or OTEL_TRACES_EXPORTER=otlp) is set.
        traces = tracingSettings(io.env);
      } catch (error) {
        if (!(error instanceof TracingSettingsError)) throw error;
        this.error(error.message, { exitCode: 1, code: 'tracing.invalid' });
      }
      const gateway = await startGateway({ config, tracing: createTracing({ settings: traces }) });
      const { logger } = gateway;
      if (traces.enabled) {
        const { protocol, serviceName, sampler, ratio } = traces;
        const url = new URL(traces.url);
        url.username = url.password = ''; // never a credential in the log
        logger.info({ url: url.href, protocol, serviceName, sampler, ratio }, 'tracing on: exporting spans over OTLP');
      }
      // One child logger for them all, the same lines: an object per line was redacted each time (10,000 tenants
      // without key ids are 10,000 warnings).
      const warnings = logger.child({ path });
      for (const warning of configWarnings(config)) warnings.warn(warning);
      let closing: Promise<void> | undefined;

      const onHangUp = () => {
        if (closing) {
          logger.warn('SIGHUP ignored: the gateway is shutting down');
          return;
        }
        logger.info({ path }, 'SIGHUP: reloading the configuration');
        reloadConfig({ path, env: io.env, source: gateway.config, logger });
      };
      let onStop!: (signal: NodeJS.Signals) => void;
      let failed = false;
      const signalled = new Promise<void>((resolve) => {
        onStop = (signal) => {
          if (closing) {
            logger.warn({ signal }, 'second signal: cutting the requests still running');
            gateway.cutConnections();
            return;
          }
          logger.info({ signal }, 'shutting down');
          closing = gateway.close();
          resolve();
        };
      });
      // The last resort (process-guard.ts): an uncaught exception stops the process as a SIGTERM would, exit 1.
      const unguard = gateway.guardProcess(() => {
        failed = true;
        onStop('SIGTERM');
      });
      // Handlers before the listening line: a signal sent as soon as that line is seen must find them.
      process.on('SIGTERM', onStop);
      process.on('SIGINT', onStop);
      process.on('SIGHUP', onHangUp);
      io.stdout.write(
        `datapump-gateway listening on ${gateway.url}${gateway.metricsUrl ? ` (metrics on ${gateway.metricsUrl})` : ''}\n`,
      );
      try {
        await signalled;
        // Rejects when a store failed to close (each failure is logged): runCli then exits 1.
        await closing;
        if (failed) throw new Error('stopped after an uncaught exception (see the log)');
      } finally {
        process.off('SIGTERM', onStop);
        process.off('SIGINT', onStop);
        process.off('SIGHUP', onHangUp);
        unguard();
      }
    });
}

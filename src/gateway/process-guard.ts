/**
 * @module The last resort: an error nobody handled is logged with the request it happened in, counted, and then
 * - an unhandled promise rejection: the process keeps serving (a lost error, not a broken state: nothing threw
 *   through a stack; Node's default would end the process and every request of every tenant with it);
 * - an uncaught exception: the process stops gracefully (readiness turns 503, in-flight requests get the
 *   grace period) and exits with code 1 for its supervisor to restart it, since a throw that escaped an event
 *   handler may have left state half-changed.
 * Every known source of such errors is handled where it arises (stream errors in upstream/ords-client.ts, store
 * and Redis errors in their clients); this guard exists for the ones not yet known.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';

import type { Logger } from 'pino';
import type { Counter } from 'prom-client';

/** What the process knows of the request whose code is running, if any (the request-id middleware sets it). */
export interface RequestScope {
  readonly requestId: string;
}

export interface ProcessGuardOptions {
  readonly process: Pick<NodeJS.Process, 'on' | 'off'>;
  readonly logger: Logger;
  readonly requestScope: AsyncLocalStorage<RequestScope>;
  /** `datapump_gateway_unhandled_errors_total{kind}`. */
  readonly counter?: Counter<'kind'>;
  /** Called once, on the first uncaught exception: shut down gracefully and exit 1. */
  readonly onFatal: () => void;
}

/** Installs the two handlers; returns what removes them. */
export function installProcessGuard({
  process,
  logger,
  requestScope,
  counter,
  onFatal,
}: ProcessGuardOptions): () => void {
  let fatal = false;
  const onRejection = (reason: unknown) => {
    counter?.inc({ kind: 'rejection' });
    logger.error(
      { err: reason, requestId: requestScope.getStore()?.requestId },
      'unhandled promise rejection (the gateway keeps serving)',
    );
  };
  const onException = (error: Error) => {
    counter?.inc({ kind: 'exception' });
    logger.fatal(
      { err: error, requestId: requestScope.getStore()?.requestId },
      'uncaught exception: shutting down for the supervisor to restart the process',
    );
    if (fatal) return;
    fatal = true;
    onFatal();
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}

// Shared by the resilience tests: configs with chosen resilience settings, a dispatcher that counts what
// reached ORDS (whatever the answer, even a reset), raw ORDS stand-ins, and polling with a deadline.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type Dispatcher, errors } from 'undici';

import type { DatabaseConfig, GatewayConfig } from '../../../src/gateway/config/types.js';
import { testConfig } from '../../helpers/gateway-config.js';

export const DBA = { 'X-API-Key': 'dba-demo-key' };
export const HR = { 'X-API-Key': 'hr-demo-key' };
export const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] };
export const LIST = '/databases/orcl/datapump/jobs/';
/** ORDS's list path as the gateway asks it (with the query). */
export const ORDS_LIST = /\/database\/datapump\/jobs\/\?/;
export const EMPTY_COLLECTION = { items: [], hasMore: false, limit: 25, offset: 0, count: 0, links: [] };
export const problem = (slug: string) => `https://datapump-gateway.dev/problems/${slug}`;

/** What a reset connection looks like to undici. */
export const resetError = () => new errors.SocketError('other side closed');

export function resilienceConfig(
  resilience: Partial<DatabaseConfig['resilience']>,
  database: Partial<DatabaseConfig> = {},
): GatewayConfig {
  return testConfig(
    {},
    {
      ...database,
      resilience: {
        failureThreshold: 1000,
        halfOpenAfterMs: 10_000,
        getRetries: 0,
        retryBaseMs: 1,
        maxConcurrent: 1000,
        ...resilience,
      },
    },
  );
}

/** Wraps a dispatcher so that every request sent through it is counted, before any answer or error. */
export function counting(dispatcher: Dispatcher) {
  const calls: Array<{ method: string; path: string }> = [];
  const counted = dispatcher.compose((dispatch) => (opts, handler) => {
    calls.push({ method: String(opts.method), path: String(opts.path) });
    return dispatch(opts, handler);
  });
  return { dispatcher: counted, calls };
}

/** A raw HTTP server standing in for ORDS; `handler` decides each answer (or none). */
export async function rawServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: Array<{ method: string; url: string }> = [];
  const server: Server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '' });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/ords/orcl/pdbadmin/`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves an Express app on a real port (for requests the test can abort), closed by `close`. */
export async function listening(app: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` until it holds, failing with `what` after `ms` (performance.now: some tests fake `Date`). */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The breaker's state for `database` as /metrics shows it (`datapump_gateway_ords_breaker_state{database,state}`):
 * the one state whose series is 1; throws unless all three series are there and exactly one is 1.
 */
export function breakerState(text: string, database = 'orcl'): 'closed' | 'open' | 'half_open' {
  const states = ['closed', 'open', 'half_open'] as const;
  const values = states.map((state) =>
    metricValue(text, `datapump_gateway_ords_breaker_state{database="${database}",state="${state}"}`),
  );
  if (values.some((v) => v !== 0 && v !== 1) || values.filter((v) => v === 1).length !== 1)
    throw new Error(`breaker series of ${database} are not one-hot: ${JSON.stringify(values)}`);
  return states[values.indexOf(1)]!;
}

/** A metric's value in the Prometheus text, or undefined when the series is absent. */
export function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * @module The ORDS clients of the configured databases, made on first use and timed for /metrics; every
 * call goes through the database's resilience policies (breaker, GET retries, bulkheads: resilience.ts).
 * `json` calls use a database's JSON pool and bulkhead; `stream` (file downloads) its file pool and bulkhead,
 * sized `fileConnections`, so that downloads never take what creates and polls need.
 */
import type { Dispatcher } from 'undici';

import type { ConfigSource, DatabaseConfig } from '../config/types.js';
import type { GatewayMetrics } from '../ops/metrics.js';
import { GatewayError } from '../problems/gateway-error.js';
import { tracedAttempt } from '../tracing/ords-spans.js';
import type { Tracing } from '../tracing/tracing.js';
import {
  createOrdsClient,
  type OrdsCall,
  type OrdsClient,
  type OrdsJsonAnswer,
  type OrdsStreamAnswer,
} from './ords-client.js';
import { createResilience, streamHooks } from './resilience.js';

export interface UpstreamRegistry {
  json(database: DatabaseConfig, call: OrdsCall): Promise<OrdsJsonAnswer>;
  /** A streamed answer (a file: `kind: 'file'`), holding a slot of the files' bulkhead until its body ends. */
  stream(database: DatabaseConfig, call: OrdsCall): Promise<OrdsStreamAnswer>;
  client(database: DatabaseConfig): OrdsClient;
  /**
   * Resolves when the named database's ORDS answers its metadata catalogue. Goes through the breaker (not
   * the bulkhead, no retries): while it is open this rejects with a CircuitOpenError without calling ORDS.
   */
  probe(name: string, requestId: string): Promise<void>;
  close(): Promise<void>;
}

export interface UpstreamRegistryOptions {
  readonly config: ConfigSource;
  readonly metrics?: GatewayMetrics;
  readonly now?: () => number;
  /** For tests: send every database's traffic through this dispatcher. */
  readonly dispatcher?: Dispatcher;
  /** Makes each attempt a client span under the call's `trace` (tracing/ords-spans.ts); default: not traced. */
  readonly tracing?: Pick<Tracing, 'span'>;
}

export function createUpstreamRegistry({
  config,
  metrics,
  now = Date.now,
  dispatcher,
  tracing,
}: UpstreamRegistryOptions): UpstreamRegistry {
  // Keyed by the config object: a reloaded configuration with a changed database gets a fresh client.
  const clients = new Map<DatabaseConfig, OrdsClient>();
  const client = (database: DatabaseConfig) => {
    let c = clients.get(database);
    if (!c) {
      c = createOrdsClient({ database, now, ...(dispatcher ? { dispatcher } : {}) });
      clients.set(database, c);
    }
    return c;
  };

  const resilience = createResilience(metrics ? { metrics } : {});

  /** Each attempt of a client call (retries make several), timed, and traced when tracing is on. */
  function attempts<T extends { status: number }>(
    database: DatabaseConfig,
    call: OrdsCall,
    send: (call: OrdsCall) => Promise<T>,
  ): () => Promise<T> {
    let attempt = 0;
    if (!tracing) return () => timed(database, call, () => send(call));
    return () => tracedAttempt(tracing, database, call, attempt++, (sent) => timed(database, call, () => send(sent)));
  }

  /** One attempt, timed: with retries a client call may make several. */
  async function timed<T extends { status: number }>(
    database: DatabaseConfig,
    call: OrdsCall,
    fn: () => Promise<T>,
  ): Promise<T> {
    const end = metrics?.upstream.startTimer({ database: database.name, call: call.kind });
    try {
      const answer = await fn();
      end?.({ outcome: String(answer.status) });
      return answer;
    } catch (err) {
      end?.({ outcome: err instanceof GatewayError ? err.slug : 'error' });
      throw err;
    }
  }

  return {
    client,
    json: (database, call) =>
      resilience.call(
        database,
        call,
        attempts(database, call, (sent) => client(database).json(sent)),
      ),
    stream: (database, call) =>
      resilience.call(
        database,
        call,
        attempts(database, call, (sent) => client(database).stream(sent)),
        streamHooks,
      ),
    async probe(name, requestId) {
      const database = config.current().databases[name];
      if (!database) throw new GatewayError('database-not-found');
      const c = client(database);
      const call: OrdsCall = { method: 'GET', path: c.paths.metadataCatalog, kind: 'probe', requestId };
      const answer = await resilience.probe(database, () => timed(database, call, () => c.json(call)));
      if (answer.status !== 200) throw new GatewayError('upstream-error', { detail: `ORDS answered ${answer.status}` });
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
      clients.clear();
      resilience.clear();
    },
  };
}

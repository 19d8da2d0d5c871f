/** @module The ORDS clients of the configured databases, made on first use and timed for /metrics. */
import type { Dispatcher } from 'undici';
import type { ConfigSource, DatabaseConfig } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { GatewayMetrics } from '../ops/metrics.js';
import { createOrdsClient, type OrdsCall, type OrdsClient, type OrdsJsonAnswer, type OrdsStreamAnswer } from './ords-client.js';

export interface UpstreamRegistry {
  json(database: DatabaseConfig, call: OrdsCall): Promise<OrdsJsonAnswer>;
  stream(database: DatabaseConfig, call: OrdsCall): Promise<OrdsStreamAnswer>;
  client(database: DatabaseConfig): OrdsClient;
  /** Resolves when the named database's ORDS answers its metadata catalogue. */
  probe(name: string, requestId: string): Promise<void>;
  close(): Promise<void>;
}

export interface UpstreamRegistryOptions {
  readonly config: ConfigSource;
  readonly metrics?: GatewayMetrics;
  readonly now?: () => number;
  /** For tests: send every database's traffic through this dispatcher. */
  readonly dispatcher?: Dispatcher;
}

export function createUpstreamRegistry({ config, metrics, now = Date.now, dispatcher }: UpstreamRegistryOptions): UpstreamRegistry {
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

  async function timed<T extends { status: number }>(database: DatabaseConfig, call: OrdsCall, fn: () => Promise<T>): Promise<T> {
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
    json: (database, call) => timed(database, call, () => client(database).json(call)),
    stream: (database, call) => timed(database, call, () => client(database).stream(call)),
    async probe(name, requestId) {
      const database = config.current().databases[name];
      if (!database) throw new GatewayError('database-not-found');
      const c = client(database);
      const answer = await timed(database, { method: 'GET', path: c.paths.metadataCatalog, kind: 'probe', requestId }, () =>
        c.json({ method: 'GET', path: c.paths.metadataCatalog, kind: 'probe', requestId }));
      if (answer.status !== 200) throw new GatewayError('upstream-error', { detail: `ORDS answered ${answer.status}` });
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
      clients.clear();
    },
  };
}

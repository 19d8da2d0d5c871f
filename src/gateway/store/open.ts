/** @module Opens the state store a deployment asks for: in memory, a SQLite file, or PostgreSQL. */
import { createMemoryStore } from './memory.js';
import { createPostgresStore } from './postgres.js';
import { createSqliteStore } from './sqlite.js';
import type { StateStore } from './types.js';

export type StoreSpec =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

/** Tuning that applies where the backend has it (the memory store ignores all of it); unset means the backend's default. */
export interface OpenStoreOptions {
  readonly now?: () => Date;
  readonly busyTimeoutMs?: number;
  readonly poolSize?: number;
  readonly connectionTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  readonly onConnectionError?: (err: Error) => void;
}

export async function openStateStore(spec: StoreSpec, opts: OpenStoreOptions = {}): Promise<StateStore> {
  const { now, busyTimeoutMs, poolSize, connectionTimeoutMs, statementTimeoutMs, onConnectionError } = opts;
  switch (spec.kind) {
    case 'memory':
      return createMemoryStore();
    case 'sqlite':
      // Undefined options fall through to each factory's destructuring defaults.
      return createSqliteStore({ path: spec.path, now, busyTimeoutMs });
    case 'postgres':
      return createPostgresStore({
        url: spec.url,
        schema: spec.schema,
        now,
        poolSize,
        connectionTimeoutMs,
        statementTimeoutMs,
        onConnectionError,
      });
  }
}

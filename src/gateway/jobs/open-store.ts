/** @module Opens the job store a deployment asks for: in memory, a SQLite file, or PostgreSQL. */
import { createMemoryJobStore } from './memory-store.js';
import { createPostgresJobStore } from './postgres-store.js';
import { createSqliteJobStore } from './sqlite-store.js';
import type { JobStore } from './store.js';

export type JobStoreSpec =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

/** Tuning that applies where the backend has it (the memory store ignores all of it); unset means the backend's default. */
export interface OpenJobStoreOptions {
  readonly now?: () => Date;
  readonly busyTimeoutMs?: number;
  readonly poolSize?: number;
  readonly connectionTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  readonly onConnectionError?: (err: Error) => void;
}

export async function openJobStore(spec: JobStoreSpec, opts: OpenJobStoreOptions = {}): Promise<JobStore> {
  const { now, busyTimeoutMs, poolSize, connectionTimeoutMs, statementTimeoutMs, onConnectionError } = opts;
  switch (spec.kind) {
    case 'memory':
      return createMemoryJobStore();
    case 'sqlite':
      // Undefined options fall through to each factory's destructuring defaults.
      return createSqliteJobStore({ path: spec.path, now, busyTimeoutMs });
    case 'postgres':
      return createPostgresJobStore({
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

/** @module The state store in PostgreSQL (several gateway replicas share it), via a pg pool. */
import pg from 'pg';

import { appendAudit, postgresIntents } from './postgres-intents.js';
import { applyPostgresMigrations, POSTGRES_MIGRATIONS, quoteSchema } from './postgres-migrations.js';
import { postgresProvenance } from './postgres-provenance.js';
import { type Exec, type Statements, statements } from './postgres-sql.js';
import {
  AUDIT_COLUMNS,
  auditToRow,
  filesToJson,
  type JobRow,
  outcomeToJson,
  rowToAudit,
  rowToJob,
  type StoredAuditRow,
} from './sql-rows.js';
import type { StateStore } from './types.js';

const { Pool } = pg;

export interface PostgresStoreOptions {
  /** A libpq-style connection URL, e.g. postgres://user@host:5432/db. */
  readonly url: string;
  /** Where the tables live; created if missing. Default 'public'. */
  readonly schema?: string;
  /** Most connections this store holds; default 10. */
  readonly poolSize?: number;
  /** Clock for migration bookkeeping. */
  readonly now?: () => Date;
  /** How long to wait for a connection before an operation fails; default 5 s. */
  readonly connectionTimeoutMs?: number;
  /** Server-side limit on any one statement (a claim's wait for its lock included); default 10 s. */
  readonly statementTimeoutMs?: number;
  /** Told when the server drops an idle pooled connection (restart, failover); the pool reconnects by itself. */
  readonly onConnectionError?: (err: Error) => void;
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/**
 * Runs `fn` on a dedicated pooled client. While it is checked out the pool does not listen for the client's
 * 'error' (a connection the server drops between two statements), so this does: unheard, it would be an uncaught
 * exception. A client that failed so (or that `fn` discards) is destroyed rather than returned to the pool.
 */
async function withClient<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, discard: (err: unknown) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const discard = (err: unknown) => {
    broken ??= asError(err);
  };
  client.on('error', discard);
  try {
    return await fn(client, discard);
  } finally {
    client.removeListener('error', discard);
    client.release(broken);
  }
}

export async function createPostgresStore({
  url,
  schema = 'public',
  poolSize = 10,
  now = () => new Date(),
  connectionTimeoutMs = 5_000,
  statementTimeoutMs = 10_000,
  onConnectionError,
}: PostgresStoreOptions): Promise<StateStore> {
  const s = quoteSchema(schema);
  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: connectionTimeoutMs,
    statement_timeout: statementTimeoutMs,
    application_name: 'datapump-gateway',
    keepAlive: true,
  });
  // An idle connection the server drops (restart, pg_terminate_backend) is reported here; without a listener
  // the pool's 'error' event would crash the process. The pool discards it and the next query reconnects.
  pool.on('error', (err) => {
    try {
      onConnectionError?.(err);
    } catch {
      // A throwing logging hook inside an event handler would be an uncaught exception.
    }
  });

  try {
    await withClient(pool, async (client, discard) => {
      await applyPostgresMigrations(client, schema, POSTGRES_MIGRATIONS, now).catch((err: unknown) => {
        discard(err);
        throw err;
      });
    });
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }

  const sql = statements(s);
  // Names are unique per pool (one store each); prepared statements live per connection.
  const on =
    (db: pg.Pool | pg.PoolClient): Exec =>
    <R extends pg.QueryResultRow>(name: keyof Statements, values: unknown[]) =>
      db.query<R>({ name: `dpg_${name}`, text: sql[name], values });
  const q = on(pool);

  /** Runs `fn` in one transaction on a dedicated pooled client. */
  const tx = <T>(fn: (exec: Exec) => Promise<T>): Promise<T> =>
    withClient(pool, async (client, discard) => {
      try {
        await client.query('begin');
        const result = await fn(on(client));
        await client.query('commit');
        return result;
      } catch (err) {
        // The original error is the one to report; a connection that cannot even roll back is not reused.
        await client.query('rollback').catch(discard);
        throw err;
      }
    });

  const { intents, leases } = postgresIntents(q, tx, schema);
  let closed = false;

  return {
    registry: {
      async find(database, owner, job) {
        const { rows } = await q<JobRow>('find', [database, owner, job]);
        return rows[0] && rowToJob(rows[0]);
      },
      async listForTenant(tenant, database, { limit, offset }) {
        const { rows } = await q<JobRow & { total: number }>('list', [tenant, database, limit, offset]);
        return {
          total: rows[0]?.total ?? 0,
          // The empty page's single row is the left join's all-null side.
          items: rows.filter((r) => r.job_name !== null).map(rowToJob),
        };
      },
      async listForDatabase(database, limit) {
        const { rows } = await q<JobRow>('listForDatabase', [database, limit]);
        return rows.map(rowToJob);
      },
      async updateState(database, owner, job, state, seenAt) {
        await q('updateState', [state, seenAt, database, owner, job]);
      },
      async observe(database, owner, job, { state, files, logTail, at }) {
        await q('observe', [database, owner, job, state, at, filesToJson(files), logTail]);
      },
      async finish(database, owner, job, { state, outcome, files, logTail, at }) {
        await q('finish', [database, owner, job, state, at, outcomeToJson(outcome), filesToJson(files), logTail]);
      },
      async listUnfinished(limit, after) {
        const { rows } = after
          ? await q<JobRow>('listUnfinishedAfter', [limit, after.createdAt, after.jobName, after.ownerName])
          : await q<JobRow>('listUnfinished', [limit]);
        return rows.map(rowToJob);
      },
      async owners(database) {
        const { rows } = await q<{ owner_name: string }>('owners', [database]);
        return rows.map((r) => r.owner_name);
      },
    },
    intents,
    audit: {
      async append(event) {
        await appendAudit(q, event);
      },
      async appendAggregated(event, aggregateKey) {
        const row = auditToRow(event);
        await q('appendAggregated', [...AUDIT_COLUMNS.map((c) => row[c]), aggregateKey]);
      },
      async list({ tenant, since, until, decision, limit }) {
        const { rows } =
          since !== undefined || until !== undefined || decision !== undefined
            ? await q<StoredAuditRow>('listAuditFiltered', [
                tenant ?? null,
                since ?? null,
                until ?? null,
                decision ?? null,
                limit,
              ])
            : tenant === undefined
              ? await q<StoredAuditRow>('listAuditAll', [limit])
              : await q<StoredAuditRow>('listAuditTenant', [tenant, limit]);
        return rows.map(rowToAudit);
      },
    },
    leases,
    retention: {
      async purgeOlderThan(cutoff, auditCutoff = cutoff) {
        const { rows } = await q<{ jobs: number; audit: number }>('purge', [cutoff, auditCutoff]);
        return { jobs: rows[0]?.jobs ?? 0, audit: rows[0]?.audit ?? 0 };
      },
    },
    provenance: postgresProvenance(pool, s),
    health: {
      async ping() {
        await q('ping', []);
      },
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

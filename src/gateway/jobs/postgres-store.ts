/** @module The job registry in PostgreSQL (several gateway replicas share it), via a pg pool. */
import pg from 'pg';

import { postgresIntentMethods } from './postgres-intents.js';
import { applyPostgresMigrations, POSTGRES_MIGRATIONS, quoteSchema } from './postgres-migrations.js';
import {
  AUDIT_COLUMNS,
  type AuditRow,
  auditToRow,
  JOB_COLUMNS,
  type JobRow,
  jobToRow,
  rowToAudit,
  rowToJob,
} from './sql-rows.js';
import type { JobStore } from './store.js';

const { Pool } = pg;

export interface PostgresJobStoreOptions {
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
  /** Server-side limit on any one statement; default 10 s. */
  readonly statementTimeoutMs?: number;
  /** Told when the server drops an idle pooled connection (restart, failover); the pool reconnects by itself. */
  readonly onConnectionError?: (err: Error) => void;
}

/** The SQL of every operation, schema-qualified, so nothing depends on a connection's search_path. */
function statements(s: string) {
  // JSON columns are read as text and parsed by the shared row mapper, so SQL NULL (undefined) and JSON null differ.
  const jobCols = JOB_COLUMNS.map((c) => (c === 'canonical_request' ? `${c}::text as ${c}` : c)).join(', ');
  const auditCols = AUDIT_COLUMNS.map((c) => (c === 'request' || c === 'violations' ? `${c}::text as ${c}` : c)).join(
    ', ',
  );
  const jobParams = JOB_COLUMNS.map((c, i) => (c === 'canonical_request' ? `$${i + 1}::jsonb` : `$${i + 1}`)).join(
    ', ',
  );
  const auditParams = AUDIT_COLUMNS.map((c, i) =>
    c === 'request' || c === 'violations' ? `$${i + 1}::jsonb` : `$${i + 1}`,
  ).join(', ');
  const updatable = JOB_COLUMNS.filter((c) => !['database_name', 'owner_name', 'job_name'].includes(c));
  return {
    upsert: `insert into ${s}.jobs (${JOB_COLUMNS.join(', ')}) values (${jobParams})
      on conflict (database_name, owner_name, job_name) do update set
      ${updatable.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    find: `select ${jobCols} from ${s}.jobs where database_name = $1 and owner_name = $2 and job_name = $3`,
    // One statement, so the total and the page come from the same snapshot; the left join keeps the total
    // when the page is empty (offset past the end).
    list: `select t.total, p.* from (select count(*)::int as total from ${s}.jobs where tenant = $1 and database_name = $2) t
      left join lateral (select ${jobCols} from ${s}.jobs where tenant = $1 and database_name = $2
        order by created_at desc, job_name, owner_name limit $3 offset $4) p on true
      order by p.created_at desc, p.job_name, p.owner_name`,
    listForDatabase: `select ${jobCols} from ${s}.jobs where database_name = $1 order by created_at desc, job_name, owner_name limit $2`,
    updateState: `update ${s}.jobs set last_state = $1, last_seen_at = $2
      where database_name = $3 and owner_name = $4 and job_name = $5`,
    // The terminal states as literals, matching the partial index jobs_active so the planner uses it.
    countActive: `select count(*)::int as n from ${s}.jobs where tenant = $1 and last_state not in ('COMPLETED', 'STOPPED', 'NOT RUNNING')`,
    countSince: `select count(*)::int as n from ${s}.jobs where tenant = $1 and created_at >= $2`,
    appendAudit: `insert into ${s}.audit_events (${AUDIT_COLUMNS.join(', ')}) values (${auditParams})`,
    listAuditAll: `select ${auditCols} from ${s}.audit_events order by at desc, id desc limit $1`,
    listAuditTenant: `select ${auditCols} from ${s}.audit_events where tenant = $1 order by at desc, id desc limit $2`,
    // Only finished jobs: one still running past the retention period keeps counting towards its tenant's quota.
    // A table of ours, not just `select 1`: a store whose schema was dropped is not ready.
    ping: `select 1 from ${s}.schema_migrations limit 1`,
    purge: `with j as (delete from ${s}.jobs where created_at < $1 and last_state in ('COMPLETED', 'STOPPED', 'NOT RUNNING') returning 1),
      a as (delete from ${s}.audit_events where at < $1 returning 1),
      i as (delete from ${s}.intents where state = 'created' and expires_at < $1 returning 1)
      select (select count(*) from j)::int as jobs, (select count(*) from a)::int as audit`,
  };
}

export async function createPostgresJobStore({
  url,
  schema = 'public',
  poolSize = 10,
  now = () => new Date(),
  connectionTimeoutMs = 5_000,
  statementTimeoutMs = 10_000,
  onConnectionError,
}: PostgresJobStoreOptions): Promise<JobStore> {
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
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await applyPostgresMigrations(client, schema, POSTGRES_MIGRATIONS, now);
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(broken);
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }

  const sql = statements(s);
  // Named statements are prepared once per connection and reused; names are unique per pool (one store each).
  const q = <R extends pg.QueryResultRow>(name: keyof typeof sql, values: unknown[]) =>
    pool.query<R>({ name: `dpg_${name}`, text: sql[name], values });
  let closed = false;

  return {
    async record(job) {
      const row = jobToRow(job);
      await q(
        'upsert',
        JOB_COLUMNS.map((c) => row[c]),
      );
    },
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
    async updateState(database, owner, job, state, seenAt) {
      await q('updateState', [state, seenAt, database, owner, job]);
    },
    async countActiveJobs(tenant) {
      const { rows } = await q<{ n: number }>('countActive', [tenant]);
      return rows[0]?.n ?? 0;
    },
    async countJobsCreatedSince(tenant, since) {
      const { rows } = await q<{ n: number }>('countSince', [tenant, since]);
      return rows[0]?.n ?? 0;
    },
    async appendAudit(event) {
      const row = auditToRow(event);
      await q(
        'appendAudit',
        AUDIT_COLUMNS.map((c) => row[c]),
      );
    },
    async listAudit({ tenant, limit }) {
      const { rows } =
        tenant === undefined
          ? await q<AuditRow>('listAuditAll', [limit])
          : await q<AuditRow>('listAuditTenant', [tenant, limit]);
      return rows.map(rowToAudit);
    },
    ...postgresIntentMethods(pool, s),
    async listForDatabase(database, limit) {
      const { rows } = await q<JobRow>('listForDatabase', [database, limit]);
      return rows.map(rowToJob);
    },
    async purgeOlderThan(cutoff) {
      const { rows } = await q<{ jobs: number; audit: number }>('purge', [cutoff]);
      return { jobs: rows[0]?.jobs ?? 0, audit: rows[0]?.audit ?? 0 };
    },
    async ping() {
      await q('ping', []);
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

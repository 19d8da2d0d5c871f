/** @module The job registry in a SQLite file (single-node deployments), via better-sqlite3. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

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
import { sqliteIntentMethods } from './sqlite-intents.js';
import { applySqliteMigrations, SQLITE_MIGRATIONS } from './sqlite-migrations.js';
import type { JobStore } from './store.js';

export interface SqliteJobStoreOptions {
  /** A file path (its directory is created if missing) or ':memory:'. */
  readonly path: string;
  /** Clock for migration bookkeeping. */
  readonly now?: () => Date;
  /** How long a statement waits for another process's write lock before failing; default 5 s. */
  readonly busyTimeoutMs?: number;
}

const JOB_SELECT = `select ${JOB_COLUMNS.join(', ')} from jobs`;
const LISTING_ORDER = 'order by created_at desc, job_name, owner_name';

export function createSqliteJobStore({
  path,
  now = () => new Date(),
  busyTimeoutMs = 5_000,
}: SqliteJobStoreOptions): JobStore {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  // `timeout` is SQLite's busy timeout: wait for another connection's write lock rather than fail at once.
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    // WAL lets readers (another replica's CLI, a backup) proceed while the gateway writes; NORMAL sync is
    // durable across process crashes in WAL mode, which is what a registry of remote jobs needs.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    applySqliteMigrations(db, SQLITE_MIGRATIONS, now);
  } catch (err) {
    db.close();
    throw err;
  }

  const jobColumns = JOB_COLUMNS.join(', ');
  const upsert = db.prepare<JobRow>(
    `insert into jobs (${jobColumns}) values (${JOB_COLUMNS.map((c) => `@${c}`).join(', ')})
     on conflict (database_name, owner_name, job_name) do update set
     ${JOB_COLUMNS.filter((c) => !['database_name', 'owner_name', 'job_name'].includes(c))
       .map((c) => `${c} = excluded.${c}`)
       .join(', ')}`,
  );
  const findOne = db.prepare<[string, string, string], JobRow>(
    `${JOB_SELECT} where database_name = ? and owner_name = ? and job_name = ?`,
  );
  const countListing = db.prepare<[string, string], { n: number }>(
    'select count(*) as n from jobs where tenant = ? and database_name = ?',
  );
  const pageListing = db.prepare<[string, string, number, number], JobRow>(
    `${JOB_SELECT} where tenant = ? and database_name = ? ${LISTING_ORDER} limit ? offset ?`,
  );
  const databaseListing = db.prepare<[string, number], JobRow>(
    `${JOB_SELECT} where database_name = ? ${LISTING_ORDER} limit ?`,
  );
  const setState = db.prepare<[string, string, string, string, string]>(
    'update jobs set last_state = ?, last_seen_at = ? where database_name = ? and owner_name = ? and job_name = ?',
  );
  // The terminal states as literals, matching the partial index jobs_active so the planner uses it.
  const countActive = db.prepare<[string], { n: number }>(
    "select count(*) as n from jobs where tenant = ? and last_state not in ('COMPLETED', 'STOPPED', 'NOT RUNNING')",
  );
  const countSince = db.prepare<[string, string], { n: number }>(
    'select count(*) as n from jobs where tenant = ? and created_at >= ?',
  );
  const insertAudit = db.prepare<AuditRow>(
    `insert into audit_events (${AUDIT_COLUMNS.join(', ')}) values (${AUDIT_COLUMNS.map((c) => `@${c}`).join(', ')})`,
  );
  const auditSelect = `select ${AUDIT_COLUMNS.join(', ')} from audit_events`;
  const listAuditAll = db.prepare<[number], AuditRow>(`${auditSelect} order by at desc, id desc limit ?`);
  const listAuditTenant = db.prepare<[string, number], AuditRow>(
    `${auditSelect} where tenant = ? order by at desc, id desc limit ?`,
  );
  // Only finished jobs: one still running past the retention period keeps counting towards its tenant's quota.
  const purgeJobs = db.prepare<[string]>(
    "delete from jobs where created_at < ? and last_state in ('COMPLETED', 'STOPPED', 'NOT RUNNING')",
  );
  const purgeAudit = db.prepare<[string]>('delete from audit_events where at < ?');
  // Reads a table of ours, not just `select 1`: a store whose tables are gone is not ready.
  const selectOne = db.prepare<[], { one: number }>('select 1 as one from schema_migrations limit 1');

  // A read transaction, so the count and the page agree even while another process writes.
  const listing = db.transaction((tenant: string, database: string, limit: number, offset: number) => ({
    total: countListing.get(tenant, database)?.n ?? 0,
    items: pageListing.all(tenant, database, limit, offset).map(rowToJob),
  }));
  // Settled intents whose key expired; pending, in-doubt and quarantined ones stay until settled.
  const purgeIntents = db.prepare<[string]>("delete from intents where state = 'created' and expires_at < ?");
  const purge = db.transaction((cutoff: string) => ({
    intents: purgeIntents.run(cutoff).changes,
    jobs: purgeJobs.run(cutoff).changes,
    audit: purgeAudit.run(cutoff).changes,
  }));

  // better-sqlite3 is synchronous; the async methods turn its throws into rejections, as the interface promises.
  return {
    async record(job) {
      upsert.run(jobToRow(job));
    },
    async find(database, owner, job) {
      const row = findOne.get(database, owner, job);
      return row && rowToJob(row);
    },
    async listForTenant(tenant, database, { limit, offset }) {
      return listing(tenant, database, limit, offset);
    },
    async updateState(database, owner, job, state, seenAt) {
      setState.run(state, seenAt, database, owner, job);
    },
    async countActiveJobs(tenant) {
      return countActive.get(tenant)?.n ?? 0;
    },
    async countJobsCreatedSince(tenant, since) {
      return countSince.get(tenant, since)?.n ?? 0;
    },
    async appendAudit(event) {
      insertAudit.run(auditToRow(event));
    },
    async listAudit({ tenant, limit }) {
      const rows = tenant === undefined ? listAuditAll.all(limit) : listAuditTenant.all(tenant, limit);
      return rows.map(rowToAudit);
    },
    ...sqliteIntentMethods(db),
    async listForDatabase(database, limit) {
      return databaseListing.all(database, limit).map(rowToJob);
    },
    async purgeOlderThan(cutoff) {
      const { jobs, audit } = purge(cutoff);
      return { jobs, audit };
    },
    async ping() {
      selectOne.get();
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
